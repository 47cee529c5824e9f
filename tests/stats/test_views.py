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


def _urls():
    return [reverse(PAGE), *[reverse(name) for name in DOWNLOADS], API]


def _staff(unit, n):
    return [member(unit, Role.CASEWORKER) for _ in range(n)]


@pytest.fixture
def data(personas):
    """Jobcenter big enough to stand alone; Børn og Familie with Team Nord folded into it."""
    _staff(personas.jobcenter, 5)  # 6 employees
    _staff(personas.family, 2)  # 3 employees …
    _staff(personas.team, 2)  # … + 2 in Team Nord, folded into Børn og Familie: 5
    month = THIS_MONTH
    specs = (
        [{"unit": personas.jobcenter, "registered": month, "level": 2, "platforms": ["facebook"],
          "actions": [("police_report", 1)]} for _ in range(12)]
        + [{"unit": personas.team, "registered": month, "level": 4, "platforms": ["youtube"], "status": "closed",
            "phenomena": ["threats"]} for _ in range(3)]
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

def test_union_rep_sees_small_counts_as_less_than_k(client, personas, data):
    client.force_login(personas.union_rep)
    body = client.get(reverse(PAGE)).content.decode()
    assert "anonymiserede" in body
    assert "&lt; 5" in body  # the 3 critical incidents of Team Nord
    assert "Team Nord" in body and "tælles med i enheden over dem" in body  # the folding is explained
    for incident in data:
        assert incident.reference not in body
    result = client.get(reverse("stats:export_json")).json()
    check_rules(from_json(result), 5)
    units = {row["label"]: cells[0]["display"] for row, cells in zip(
        result["tables"][1]["rows"], result["tables"][1]["cells"], strict=True)}
    # Team Nord has no row of its own: its 3 incidents count in Børn og Familie (3 + 6 = 9).
    assert units == {"Socialforvaltning": "0", "Børn og Familie": "9", "Jobcenter": "12"}
    assert result["folded_units"] == [{"into": "Børn og Familie", "units": ["Team Nord"]}]


def test_manager_sees_exact_figures_of_every_unit(client, personas, data):
    client.force_login(personas.manager)
    result = client.get(reverse("stats:export_json")).json()
    assert result["exact"] is True
    units = {row["label"]: cells[0]["value"] for row, cells in zip(
        result["tables"][1]["rows"], result["tables"][1]["cells"], strict=True)}
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
    assert rep_choices == ["Socialforvaltning", "– Børn og Familie", "– Jobcenter"]
    manager_choices = [label for _pk, label in StatisticsUnits(personas.manager).choices()]
    assert "– – Team Nord" in manager_choices


def test_a_folded_unit_cannot_be_asked_for(client, personas, data):
    client.force_login(personas.union_rep)
    response = client.get(reverse(PAGE), {"unit": personas.team.pk})
    assert response.status_code == 400
    assert "Vælg en af enhederne på listen." in response.content.decode()
    api = client.get(API, {"unit": personas.team.pk})
    assert api.status_code == 400 and "unit" in api.json()


def test_unit_filter_narrows_to_the_subtree(client, personas, data):
    client.force_login(personas.union_rep)
    result = client.get(API, {"unit": personas.family.pk}).json()
    assert result["unit"] == {"id": personas.family.pk, "label": "Børn og Familie"}
    assert result["incidents"]["display"] == "9"
    assert [row["label"] for row in result["tables"][1]["rows"]] == ["Børn og Familie"]


def test_key_figures_are_hidden_when_a_part_is_small(client, personas, data):
    client.force_login(personas.union_rep)
    result = client.get(API, {"unit": personas.jobcenter.pk}).json()
    # All 12 were reported to the police: part 12, rest 0 → shown.
    police = result["reported_to_police"]
    assert police["percent"] == 100.0 and police["part"]["value"] == 12
    assert result["median_days_to_first_action"] == {"days": 1.0, "incidents": {"value": 12, "hidden": None,
                                                                                  "display": "12"}, "hidden": False}
    everyone = client.get(API).json()
    # 12 of 21 reported to the police: both parts ≥ 5 → shown; Datatilsynet 0 → 0 %.
    assert everyone["reported_to_police"]["percent"] == pytest.approx(57.1)
    assert everyone["reported_to_datatilsynet"]["percent"] == 0.0


def test_small_share_of_police_reports_is_hidden(client, personas):
    _staff(personas.jobcenter, 5)
    month = THIS_MONTH
    bulk_incidents([{"unit": personas.jobcenter, "registered": month, "actions": [("police_report", 0)]}] * 2
                   + [{"unit": personas.jobcenter, "registered": month}] * 8)
    client.force_login(personas.union_rep)
    police = client.get(API).json()["reported_to_police"]
    assert police["percent"] is None and police["hidden"] is True
    assert police["part"] == {"value": None, "hidden": "small", "display": "< 5"}
    client.force_login(personas.manager)
    assert client.get(API).json()["reported_to_police"]["percent"] == 20.0


def test_share_of_employees_targeted_beside_the_ds_benchmark(client, personas):
    staff = _staff(personas.jobcenter, 19)  # 20 employees with the persona
    month = THIS_MONTH
    bulk_incidents([{"unit": personas.jobcenter, "registered": month, "targets": [person]} for person in staff[:5]]
                   + [{"unit": personas.jobcenter, "registered": add_months(month, -13), "targets": [staff[6]]}])
    client.force_login(personas.union_rep)
    share = client.get(API, {"unit": personas.jobcenter.pk}).json()["employees_targeted_12_months"]
    assert share["part"]["value"] == 5 and share["whole"]["value"] == 20  # the one 13 months ago is outside
    assert share["percent"] == 25.0 and share["benchmark_percent"] == 7
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


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"from": "2026-05", "to": "2026-02"}, "to", "Til-måneden skal være samme måned som fra-måneden eller senere."),
    ({"from": "2026-13"}, "from", "Skriv en måned som ÅÅÅÅ-MM, fx 2026-03."),
    ({"to": "2026-02-14"}, "to", "Skriv en måned som ÅÅÅÅ-MM, fx 2026-03."),
    ({"from": "2019-01", "to": "2026-01"}, "from", "Vælg højst 60 måneder ad gangen."),
])
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


def test_default_period_is_the_last_twelve_months(client, personas):
    client.force_login(personas.union_rep)
    result = client.get(API).json()
    first, last = default_period()
    assert result["period"] == {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m")}
    assert len(result["tables"][0]["rows"]) == 12


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
    params = {"from": add_months(THIS_MONTH, -1).strftime("%Y-%m"), "to": THIS_MONTH.strftime("%Y-%m")}
    page = client.get(reverse(PAGE), params).content.decode()
    query = f"from={params['from']}&amp;to={params['to']}"
    for name in DOWNLOADS:
        assert f'{reverse(name)}?{query}' in page
    csv_response = client.get(reverse("stats:export_csv"), params)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="statistik-{params["from"]}-{params["to"]}.csv"')
    assert csv_response["Cache-Control"] == "private, no-store"
    assert csv_response.content.decode().startswith("\ufefftabel;")
    result = json.loads(client.get(reverse("stats:export_json"), params).content)
    assert from_html(page, result) == from_json(result)
    # The PDF is a statistics report with the same filters, rendered by the worker.
    assert f'name="from" value="{params["from"]}"' in page and f'name="to" value="{params["to"]}"' in page
    pdf = render_statistics_report(client, params)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Statistik over udhængning" in text and "< 5" in text and "Side 1 af" in text
    assert "Team Nord" in text  # the folding is explained in the PDF too
    assert from_pdf(pdf.content, result) == from_json(result)


def test_views_and_downloads_are_audited(client, personas, data):
    client.force_login(personas.union_rep)
    client.get(reverse(PAGE))
    for name in DOWNLOADS:
        client.get(reverse(name))
    client.get(API)
    events = list(AuditEvent.objects.filter(object_type="stats.statistics").order_by("id"))
    assert [(e.action, e.details["output"]) for e in events] == [
        ("view", "page"), ("export", "csv"), ("export", "json"), ("view", "api")]
    assert all(e.actor_id == personas.union_rep.pk and e.details["exact"] is False for e in events)


def test_dashboard_queries_do_not_grow_with_incidents(client, personas, django_assert_max_num_queries):
    client.force_login(personas.union_rep)
    url = reverse(PAGE)
    client.get(url)
    with django_assert_max_num_queries(27):  # 21 + 3 purged-incident residue + 2 recording requests + 1 reports list
        client.get(url)
    bulk_incidents([{"unit": unit, "registered": add_months(THIS_MONTH, -(n % 12)), "level": n % 4 + 1,
                     "platforms": ["facebook", "blog"][: n % 3], "actions": [("police_report", n % 5)]}
                    for n, unit in enumerate([personas.family, personas.team, personas.jobcenter] * 40)])
    with django_assert_max_num_queries(27):  # 21 + 3 purged-incident residue + 2 recording requests + 1 reports list
        client.get(url)


def test_api_is_in_the_openapi_schema_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include("stats.api_urls"))]).get_schema(public=True)
    operation = schema["paths"]["/api/v1/statistics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "unit"}
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
    assert labels == ["Socialforvaltning", "– Børn og Familie", "– Jobcenter"]  # Team Nord stays folded
