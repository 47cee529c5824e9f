"""The statistics page, its downloads and the API: who may see what, what they see, audit,
filters, folding of small units, and a constant number of queries."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from audit.models import AuditEvent
from audit.services import audit_seal_pending
from stats.forms import default_period
from stats.queries import add_months
from stats.scope import StatisticsUnits
from tests.conftest import PERSONA_NAMES
from tests.factories import api_token, member

from .conftest import bulk_incidents, render_statistics_report
from .readers import check_rules, from_html, from_json, from_pdf, pdf_text

pytestmark = pytest.mark.django_db

PAGE = "dashboard:union_rep"
DOWNLOADS = ("stats:export_csv", "stats:export_json")
API = "/api/v1/statistics/"
SEES_STATISTICS = {"manager", "other_manager", "union_rep"}
THIS_MONTH = default_period()[1]
LAST_MONTH = add_months(THIS_MONTH, -1)  # the last month a union rep sees (lag 1, the default)


def _urls():
    return [reverse(PAGE), *[reverse(name) for name in DOWNLOADS], API]


def _staff(unit, n):
    return [member(unit, Role.CASEWORKER) for _ in range(n)]


@pytest.fixture
def data(personas):
    """Jobcenter big enough to stand alone; Børn og Familie with Team Nord folded into it, and both
    folded into Socialforvaltning, which has no employees of its own (the smaller sub-unit goes)."""
    _staff(personas.jobcenter, 5)  # 6 employees
    _staff(personas.family, 2)  # 3 employees …
    _staff(personas.team, 2)  # … + 2 in Team Nord, folded into Børn og Familie: 5
    month = LAST_MONTH
    specs = (
        [
            {
                "unit": personas.jobcenter,
                "registered": month,
                "level": 2,
                "platforms": ["facebook"],
                "actions": [("police_report", 1)],
            }
            for _ in range(12)
        ]
        + [
            {
                "unit": personas.team,
                "registered": month,
                "level": 4,
                "platforms": ["youtube"],
                "status": "closed",
                "phenomena": ["threats"],
            }
            for _ in range(3)
        ]
        + [{"unit": personas.family, "registered": add_months(month, -1), "level": 3} for _ in range(6)]
    )
    return bulk_incidents(specs)


# --- Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_every_output_per_persona(client, personas, persona):
    client.force_login(getattr(personas, persona))
    for url in _urls():
        response = client.get(url)
        expected = 200 if persona in SEES_STATISTICS else 404
        assert response.status_code == expected, (url, persona)


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(client):
    for url in _urls()[:-1]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(API).status_code == 401


def test_api_takes_a_token(client, personas, data):
    token = api_token(personas.union_rep)
    response = client.get(API, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["exact"] is False


def test_post_is_not_allowed(client, personas):
    client.force_login(personas.union_rep)
    assert client.post(reverse(PAGE)).status_code == 405
    assert client.post(reverse("stats:export_csv")).status_code == 405


# --- What a union rep sees ------------------------------------------------------------------------


def _within(published: int, exact: int, blocks: int, k: int = 5) -> bool:
    """A sum of `blocks` rounded blocks: a multiple of k, off by less than k per block."""
    return published % k == 0 and abs(published - exact) < k * max(blocks, 1)


def test_union_rep_sees_rounded_figures_and_the_folding(client, personas, data):
    client.force_login(personas.union_rep)
    body = client.get(reverse(PAGE)).content.decode()
    assert "anonymiserede" in body and "afrundet" in body
    assert "Team Nord" in body and "tælles med i enheden over dem" in body  # the folding is explained
    for incident in data:
        assert incident.reference not in body
    result = client.get(reverse("stats:export_json")).json()
    assert result["rounding_base"] == 5 and result["exact"] is False
    check_rules(from_json(result), 5)
    units = {
        row["label"]: cells[0]["value"]
        for row, cells in zip(result["tables"][1]["rows"], result["tables"][1]["cells"], strict=True)
    }
    # Socialforvaltning has no employees of its own: Børn og Familie (with Team Nord) is folded into it.
    assert list(units) == ["Socialforvaltning", "Jobcenter"]
    assert _within(units["Socialforvaltning"], 9, blocks=2) and _within(units["Jobcenter"], 12, blocks=1)
    assert result["folded_units"] == [{"into": "Socialforvaltning", "units": ["Børn og Familie", "Team Nord"]}]
    assert all(number["rounded"] for table in result["tables"] for row in table["cells"] for number in row)


def test_manager_sees_exact_figures_of_every_unit(client, personas, data):
    client.force_login(personas.manager)
    result = client.get(reverse("stats:export_json")).json()
    assert result["exact"] is True
    units = {
        row["label"]: cells[0]["value"]
        for row, cells in zip(result["tables"][1]["rows"], result["tables"][1]["cells"], strict=True)
    }
    assert units == {"Socialforvaltning": 0, "Børn og Familie": 6, "Team Nord": 3, "Jobcenter": 12}
    body = client.get(reverse(PAGE)).content.decode()
    assert "præcise tal" in body and "&lt; 5" not in body


def test_other_manager_sees_only_jobcenter(client, personas, data):
    client.force_login(personas.other_manager)
    result = client.get(API).json()
    assert result["exact"] is True and result["incidents"]["value"] == 12
    assert [row["label"] for row in result["tables"][1]["rows"]] == ["Jobcenter"]


def test_folded_units_are_not_offered_to_a_union_rep(personas, data):
    rep_choices = [label for _pk, label in StatisticsUnits(personas.union_rep).choices()]
    # "Alle" minus Jobcenter would otherwise be the 0 employees of Socialforvaltning's own row.
    assert rep_choices == ["Socialforvaltning", "– Jobcenter"]
    manager_choices = [label for _pk, label in StatisticsUnits(personas.manager).choices()]
    assert "– – Team Nord" in manager_choices


def test_a_folded_unit_cannot_be_asked_for(client, personas, data):
    client.force_login(personas.union_rep)
    assert client.get(reverse(PAGE), {"unit": personas.family.pk}).status_code == 400
    response = client.get(reverse(PAGE), {"unit": personas.team.pk})
    assert response.status_code == 400
    assert "Vælg en af enhederne på listen." in response.content.decode()
    api = client.get(API, {"unit": personas.team.pk})
    assert api.status_code == 400 and "unit" in api.json()


def test_unit_filter_narrows_to_the_subtree(client, personas, data):
    _staff(personas.root, 5)  # Socialforvaltning can stand on its own now: Børn og Familie is a choice again
    client.force_login(personas.union_rep)
    result = client.get(API, {"unit": personas.family.pk}).json()
    assert result["unit"] == {"id": personas.family.pk, "label": "Børn og Familie"}
    assert _within(result["incidents"]["value"], 9, blocks=2)
    assert [row["label"] for row in result["tables"][1]["rows"]] == ["Børn og Familie"]
    everything = client.get(API).json()
    rows = {
        row["label"]: cells[0]["value"]
        for row, cells in zip(everything["tables"][1]["rows"], everything["tables"][1]["cells"], strict=True)
    }
    # The same rounded block whichever selection shows it: the difference of two selections tells nothing new.
    assert rows["Børn og Familie"] == result["incidents"]["value"]


def test_key_figures_are_computed_from_the_rounded_numbers(client, personas, data):
    client.force_login(personas.union_rep)
    result = client.get(API, {"unit": personas.jobcenter.pk}).json()
    police = result["reported_to_police"]
    part, whole = police["part"]["value"], police["whole"]["value"]
    assert _within(part, 12, blocks=1) and _within(whole, 12, blocks=1)
    assert police["percent"] == min(100.0, round(100 * part / whole, 1))
    median = result["median_days_to_first_action"]
    assert median["days"] == 1.0 and _within(median["incidents"]["value"], 12, blocks=1)  # 12 ≥ k: shown
    client.force_login(personas.manager)
    exact = client.get(API, {"unit": personas.jobcenter.pk}).json()["reported_to_police"]
    assert exact["percent"] == 100.0 and exact["part"]["value"] == 12 and exact["part"]["rounded"] is False


def test_a_small_count_is_rounded_to_zero_or_k(client, personas):
    _staff(personas.jobcenter, 5)
    bulk_incidents(
        [{"unit": personas.jobcenter, "registered": LAST_MONTH, "actions": [("police_report", 0)]}] * 2
        + [{"unit": personas.jobcenter, "registered": LAST_MONTH}] * 8
    )
    client.force_login(personas.union_rep)
    police = client.get(API).json()["reported_to_police"]
    assert police["part"]["value"] in (0, 5) and police["whole"]["value"] == 10  # 10 is a multiple of 5
    client.force_login(personas.manager)
    assert client.get(API).json()["reported_to_police"]["percent"] == 20.0


def test_share_of_employees_targeted_beside_the_ds_benchmark(client, personas):
    staff = _staff(personas.jobcenter, 19)  # 20 employees with the persona
    _staff(personas.root, 5)  # so Socialforvaltning stands on its own and Jobcenter is not folded into it
    bulk_incidents(
        [{"unit": personas.jobcenter, "registered": LAST_MONTH, "targets": [person]} for person in staff[:5]]
        + [{"unit": personas.jobcenter, "registered": add_months(LAST_MONTH, -12), "targets": [staff[6]]}]
    )
    client.force_login(personas.union_rep)
    share = client.get(API, {"unit": personas.jobcenter.pk}).json()["employees_targeted_12_months"]
    # Multiples of 5 are published as they are; the one 13 months ago is outside the window.
    assert share["part"]["value"] == 5 and share["whole"]["value"] == 20
    assert share["percent"] == 25.0 and share["benchmark_percent"] == 7
    assert share["months"] == {
        "from": add_months(LAST_MONTH, -11).strftime("%Y-%m"),
        "to": LAST_MONTH.strftime("%Y-%m"),
    }
    body = client.get(reverse(PAGE), {"unit": personas.jobcenter.pk}).content.decode()
    assert "DS&#x27; undersøgelse: 7 %" in body or "DS' undersøgelse: 7 %" in body
    assert 'id="chart-employees-title"' in body


def test_threshold_comes_from_the_organisation(client, personas, data):
    personas.org.statistics_threshold = 10
    personas.org.save()
    client.force_login(personas.union_rep)
    result = client.get(API).json()
    assert result["threshold"] == 10
    check_rules(from_json(result), 10)
    # With k = 10 every unit is folded into the top (fewer than 10 employees each).
    assert [row["label"] for row in result["tables"][1]["rows"]] == ["Socialforvaltning"]
    assert result["incidents"]["value"] % 10 == 0


# --- Periods ---------------------------------------------------------------------------------


def test_months_are_local_calendar_months(client, personas):
    early_march = timezone.make_aware(datetime(2026, 3, 1, 0, 30))  # 28 February 23:30 UTC
    bulk_incidents([{"unit": personas.family, "registered": date(2026, 3, 1)}])
    from incidents.models import Incident

    Incident.objects.update(registered_at=early_march)
    client.force_login(personas.manager)
    result = client.get(API, {"from": "2026-02", "to": "2026-03"}).json()
    rows = result["tables"][0]
    assert [sum(c["value"] for c in row) for row in rows["cells"]] == [0, 1]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-05", "to": "2026-02"}, "to", "Til-måneden skal være samme måned som fra-måneden eller senere."),
        ({"from": "2026-13"}, "from", "Skriv en måned som ÅÅÅÅ-MM, fx 2026-03."),
        ({"to": "2026-02-14"}, "to", "Skriv en måned som ÅÅÅÅ-MM, fx 2026-03."),
        ({"from": "2019-01", "to": "2026-01"}, "from", "Vælg højst 60 måneder ad gangen."),
    ],
)
def test_bad_filters_are_explained_in_danish(client, personas, params, field, message):
    client.force_login(personas.union_rep)
    page = client.get(reverse(PAGE), params)
    assert page.status_code == 400
    body = page.content.decode()
    assert message in body
    for value in params.values():
        assert f'value="{value}"' in body  # what was typed is kept
    api = client.get(API, params)
    assert api.status_code == 400 and api.json() == {field: [message]}
    csv_response = client.get(reverse("stats:export_csv"), params)
    assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_default_period_is_the_last_twelve_closed_months_for_a_rep(client, personas):
    client.force_login(personas.union_rep)
    result = client.get(API).json()
    first, last = default_period(lag=1)
    assert last == LAST_MONTH
    assert result["period"] == {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "kind": "month"}
    assert len(result["tables"][0]["rows"]) == 12
    client.force_login(personas.manager)
    assert client.get(API).json()["period"]["to"] == THIS_MONTH.strftime("%Y-%m")  # managers: this month too


def test_the_current_month_is_never_shown_to_a_rep(client, personas, data):
    client.force_login(personas.union_rep)
    asked = {"from": add_months(THIS_MONTH, -2).strftime("%Y-%m"), "to": THIS_MONTH.strftime("%Y-%m")}
    before = client.get(API, asked).json()
    assert before["period"]["to"] == LAST_MONTH.strftime("%Y-%m")
    # An incident registered today (critical, in Jobcenter) changes nothing a rep can see.
    bulk_incidents([{"unit": personas.jobcenter, "registered": timezone.localdate(), "level": 4}])
    after = client.get(API, asked).json()
    assert {**after, "generated_at": None} == {**before, "generated_at": None}
    only_now = client.get(API, {"from": THIS_MONTH.strftime("%Y-%m"), "to": THIS_MONTH.strftime("%Y-%m")})
    assert only_now.status_code == 400 and "Den seneste periode" in only_now.json()["to"][0]
    client.force_login(personas.manager)
    assert client.get(API, asked).json()["period"]["to"] == THIS_MONTH.strftime("%Y-%m")


def test_the_lag_is_set_per_organisation(client, personas):
    personas.org.statistics_lag_months = 3
    personas.org.save()
    client.force_login(personas.union_rep)
    assert client.get(API).json()["period"]["to"] == add_months(THIS_MONTH, -3).strftime("%Y-%m")


def test_quarters_and_years_are_sums_of_the_published_months(client, personas, data):
    client.force_login(personas.union_rep)
    year = LAST_MONTH.year - 1
    months = client.get(API, {"from": f"{year}-01", "to": f"{year}-12"}).json()
    quarters = client.get(API, {"period": "quarter", "from": f"{year}-02", "to": f"{year}-11"}).json()
    whole = client.get(API, {"period": "year", "from": f"{year}-05", "to": f"{year}-05"}).json()
    # Moved out to whole blocks.
    assert quarters["period"] == {"from": f"{year}-01", "to": f"{year}-12", "kind": "quarter"}
    assert whole["period"] == {"from": f"{year}-01", "to": f"{year}-12", "kind": "year"}
    assert [row["label"] for row in quarters["tables"][0]["rows"]] == [f"{n}. kvartal {year}" for n in (1, 2, 3, 4)]
    month_cells = [[c["value"] for c in row] for row in months["tables"][0]["cells"]]
    for q, row in enumerate(quarters["tables"][0]["cells"]):
        assert [c["value"] for c in row] == [sum(r[j] for r in month_cells[3 * q : 3 * q + 3]) for j in range(4)]
    assert [c["value"] for c in whole["tables"][0]["cells"][0]] == [sum(r[j] for r in month_cells) for j in range(4)]
    for code in ("status", "relation", "platform", "unit"):
        tables = [{t["code"]: t for t in result["tables"]}[code] for result in (months, quarters, whole)]
        assert tables[0]["cells"] == tables[1]["cells"] == tables[2]["cells"], code
    page = client.get(reverse(PAGE), {"period": "quarter"}).content.decode()
    assert f'<option value="{year}-10">4. kvartal {year}</option>' in page
    assert '<option value="quarter" selected>' in page


def test_a_rep_cannot_ask_for_an_unknown_kind_of_period(client, personas):
    client.force_login(personas.union_rep)
    response = client.get(API, {"period": "week"})
    assert response.status_code == 400 and response.json() == {"period": ["Vælg måneder, kvartaler eller år."]}


# --- Page, downloads, audit -------------------------------------------------------------------------


def test_page_has_accessible_charts_with_their_tables_and_no_inline_styles(client, personas, data):
    client.force_login(personas.union_rep)
    body = client.get(reverse(PAGE)).content.decode()
    charts = re.findall(r'<svg [^>]*role="img"[^>]*aria-labelledby="([^"]+)"', body)
    assert len(charts) >= 7
    for ids in charts:
        for id_ in ids.split():
            assert f'id="{id_}"' in body
    assert body.count("<caption>") == 10 and 'scope="row"' in body and 'scope="col"' in body
    assert 'style="' not in body and "<script>" not in body and " on" + "click" not in body
    assert 'id="id_from"' in body and '<label class="form-label" for="id_from">' in body


def test_downloads_carry_the_filters_and_agree_with_the_page(client, personas, data):
    client.force_login(personas.union_rep)
    params = {"from": add_months(LAST_MONTH, -1).strftime("%Y-%m"), "to": LAST_MONTH.strftime("%Y-%m")}
    page = client.get(reverse(PAGE), params).content.decode()
    query = f"from={params['from']}&amp;to={params['to']}"
    for name in DOWNLOADS:
        assert f"{reverse(name)}?{query}" in page
    csv_response = client.get(reverse("stats:export_csv"), params)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="statistik-{params["from"]}-{params["to"]}.csv"'
    )
    assert csv_response["Cache-Control"] == "private, no-store"
    assert csv_response.content.decode().startswith("\ufefftabel;")
    result = json.loads(client.get(reverse("stats:export_json"), params).content)
    assert from_html(page, result) == from_json(result)
    # The PDF is a statistics report with the same filters, rendered by the worker.
    assert f'name="from" value="{params["from"]}"' in page and f'name="to" value="{params["to"]}"' in page
    pdf = render_statistics_report(client, params)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Statistik over udhængning" in text and "afrundet" in text and "Side 1 af" in text
    assert "Team Nord" in text  # the folding is explained in the PDF too
    assert from_pdf(pdf.content, result) == from_json(result)


def test_views_and_downloads_are_audited(client, personas, data):
    client.force_login(personas.union_rep)
    client.get(reverse(PAGE))
    for name in DOWNLOADS:
        client.get(reverse(name))
    client.get(API)
    audit_seal_pending()  # the page's showing is a read, sealed into the chain by the minute's task
    events = list(AuditEvent.objects.filter(object_type="stats.statistics").order_by("at"))
    assert [(e.action, e.details["output"]) for e in events] == [
        ("view", "page"),
        ("export", "csv"),
        ("export", "json"),
        ("view", "api"),
    ]
    assert all(e.actor_id == personas.union_rep.pk and e.details["exact"] is False for e in events)


def test_dashboard_queries_do_not_grow_with_incidents(client, personas, django_assert_max_num_queries):
    client.force_login(personas.union_rep)
    url = reverse(PAGE)
    client.get(url)
    with django_assert_max_num_queries(27):  # 21 + 3 purged-incident residue + 2 recording requests + 1 reports list
        client.get(url)
    bulk_incidents(
        [
            {
                "unit": unit,
                "registered": add_months(THIS_MONTH, -(n % 12)),
                "level": n % 4 + 1,
                "platforms": ["facebook", "blog"][: n % 3],
                "actions": [("police_report", n % 5)],
            }
            for n, unit in enumerate([personas.family, personas.team, personas.jobcenter] * 40)
        ]
    )
    with django_assert_max_num_queries(27):  # 21 + 3 purged-incident residue + 2 recording requests + 1 reports list
        client.get(url)


def test_api_is_in_the_openapi_schema_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include("stats.api_urls"))]).get_schema(public=True)
    operation = schema["paths"]["/api/v1/statistics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"period", "from", "to", "unit"}
    assert not GENERATOR_STATS, GENERATOR_STATS._warn_cache


def test_manager_of_one_unit_and_rep_over_all_gets_exact_only_where_they_manage(client, personas, data):
    both = member(personas.jobcenter, Role.MANAGER, username="both")
    Membership.objects.create(user=both, unit=personas.root, role=Role.UNION_REP)
    client.force_login(both)
    everything = client.get(API).json()
    assert everything["exact"] is False
    check_rules(from_json(everything), 5)
    jobcenter = client.get(API, {"unit": personas.jobcenter.pk}).json()
    assert jobcenter["exact"] is True and jobcenter["incidents"]["value"] == 12
    labels = [label for _pk, label in StatisticsUnits(both).choices()]
    assert labels == ["Socialforvaltning", "– Jobcenter"]  # Børn og Familie and Team Nord stay folded


def test_statistics_deviation_measures_the_price_of_the_rounding(personas, data):
    from io import StringIO

    from django.core.management import call_command

    from stats.deviation import deviation_for

    params = {"from": add_months(LAST_MONTH, -11).strftime("%Y-%m"), "to": LAST_MONTH.strftime("%Y-%m")}
    [manager] = deviation_for(personas.manager, [("12 months", params)])
    assert manager.mean_absolute == 0 and manager.largest == 0  # exact figures cost nothing
    [rep] = deviation_for(personas.union_rep, [("12 months", params)])
    assert rep.numbers > 50 and 0 < rep.mean_absolute < 5
    out = StringIO()
    call_command("statistics_deviation", "--user", personas.union_rep.username, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["selection", "numbers", "mean", "exact", "MAD", "largest"]
    assert [line.split()[0] for line in lines[1:]] == ["12", "4", "1"]
    assert float(lines[1].split()[-2]) == pytest.approx(rep.mean_absolute, abs=0.01)
