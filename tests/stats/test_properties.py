"""Property tests over random data and random filters (hypothesis).

For a union rep, the page, the CSV, the JSON download, the PDF (a statistics report,
rendered as the worker does) and the API show the same numbers, every one a multiple of k,
every total the sum of its line. Acting as the rep, over random organisations and
incidents: every pair of selections the rep may ask for (months, quarters, years, units)
differs only by published blocks, from which no count can be worked out exactly by
subtraction or interval reasoning (the judge of test_disclosure.py); and one more incident
changes nothing the rep can see. For a manager, the figures equal a direct count of the
generated incidents.

Each example builds its organisation and incidents inside a savepoint that is rolled back,
so examples do not see each other's rows.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from recordings.models import RecordingRequest
from stats.forms import block_start
from stats.queries import add_months
from stats.scope import StatisticsUnits
from tests.factories import member

from .conftest import bulk_incidents, render_statistics_report
from .readers import check_exact, check_rules, csv_figures, from_csv, from_html, from_json, from_pdf

pytestmark = pytest.mark.django_db

FIRST = date(2025, 9, 1)
MONTHS = 8
LEVELS = (1, 2, 3, 4)
STATUSES = ("reported", "assessing", "in_progress", "closed")
RELATIONS = ("citizen_own_case", "relative", "other_citizen", "unknown", "other")
PLATFORMS = ("facebook", "youtube", "blog", "book")
PHENOMENA = ("bullying", "threats", "stalking", "case_complaint")
ACTIONS = ("police_report", "datatilsynet_report", "support_conversation")
UNITS = ("root", "family", "team", "jobcenter")


incident = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(UNITS),
        "month": st.integers(0, MONTHS - 1),
        "day": st.integers(1, 28),
        "level": st.sampled_from(LEVELS),
        "confirmed": st.one_of(st.none(), st.sampled_from(LEVELS)),
        "status": st.sampled_from(STATUSES),
        "relation": st.sampled_from(RELATIONS),
        "phenomena": st.sets(st.sampled_from(PHENOMENA), max_size=2),
        "platforms": st.sets(st.sampled_from(PLATFORMS), max_size=3),
        "actions": st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(-1, 9)), max_size=3),
        "target": st.integers(0, 8),
    }
)

recording = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(UNITS),
        "month": st.integers(0, MONTHS - 1),
        "day": st.integers(1, 28),
        "decision": st.sampled_from(("allowed", "allowed_with_conditions", "refused")),
        "media": st.sampled_from(("audio", "video")),
        "reasons": st.sets(st.sampled_from(("memory_problems", "distrust", "publish_intent")), max_size=2),
        "hidden": st.booleans(),
    }
)

world = st.fixed_dictionaries(
    {
        "k": st.integers(3, 6),
        "employees": st.fixed_dictionaries({unit: st.integers(0, 7) for unit in UNITS}),
        # Many small counts and some large ones, so both the rules and the folding get exercised.
        "incidents": st.one_of(st.lists(incident, max_size=25), st.lists(incident, min_size=30, max_size=70)),
        "from": st.integers(0, MONTHS - 1),
        "length": st.integers(1, MONTHS),
        "period": st.sampled_from(("month", "month", "quarter", "year")),
        "unit_pick": st.integers(0, 5),
        "rep_over_family": st.booleans(),
        "recordings": st.lists(recording, max_size=20),
    }
)


def _setup(personas, data):
    org = personas.org
    org.statistics_threshold = data["k"]
    org.save(update_fields=["statistics_threshold"])
    units = {name: getattr(personas, name) for name in UNITS}
    employees = []
    for name, n in data["employees"].items():
        employees += [member(units[name], Role.CASEWORKER) for _ in range(n)]
    specs = []
    for item in data["incidents"]:
        month = add_months(FIRST, item["month"])
        targets = [employees[item["target"] % len(employees)]] if employees and item["target"] < 5 else []
        specs.append(
            {
                "unit": units[item["unit"]],
                "registered": month.replace(day=item["day"]),
                "level": item["level"],
                "confirmed": item["confirmed"],
                "status": item["status"],
                "relation": item["relation"],
                "phenomena": item["phenomena"],
                "platforms": item["platforms"],
                "actions": item["actions"],
                "targets": targets,
            }
        )
    bulk_incidents(specs)
    RecordingRequest.objects.bulk_create(
        [
            RecordingRequest(
                unit=units[item["unit"]],
                request_date=add_months(FIRST, item["month"]).replace(day=item["day"]),
                media=item["media"],
                setting="meeting",
                suggested_decision=item["decision"],
                decision=item["decision"],
                justification="-",
                decided_at=timezone.now(),
                hidden_recording_discovered=item["hidden"],
                **{f"reason_{code}": True for code in item["reasons"]},
            )
            for item in data["recordings"]
        ]
    )
    rep = member(personas.family, Role.UNION_REP) if data["rep_over_family"] else personas.union_rep
    return rep, specs


def _params(user, data):
    first = add_months(FIRST, data["from"])
    last = add_months(first, data["length"] - 1)
    if data["period"] == "year":  # this year is not over: only whole, closed years are published
        last = min(last, date(2025, 12, 1))
        first = min(first, last)
    params = {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "period": data["period"]}
    choices = StatisticsUnits(user).choices()
    if data["unit_pick"] < len(choices):
        params["unit"] = str(choices[data["unit_pick"]][0])
    return params


def _all_outputs(client, params):
    from django.urls import reverse

    page = client.get(reverse("dashboard:union_rep"), params)
    csv_response = client.get(reverse("stats:export_csv"), params)
    json_response = client.get(reverse("stats:export_json"), params)
    pdf_response = render_statistics_report(client, params)  # through the reports machinery
    api = client.get("/api/v1/statistics/", params)
    for response in (page, csv_response, json_response, pdf_response, api):
        assert response.status_code == 200, response.content[:500]
    data = json.loads(json_response.content)
    return {
        "json": data,
        "api": api.json(),
        "grids": {
            "page": from_html(page.content.decode(), data),
            "csv": from_csv(csv_response.content.decode(), data),
            "json": from_json(data),
            "pdf": from_pdf(pdf_response.content, data),
            "api": from_json(api.json()),
        },
        "csv_text": csv_response.content.decode(),
        "page": page.content.decode(),
    }


def _check_figures(data: dict, k: int) -> None:
    """Key figures for a union rep: every count a multiple of k, percentages from those counts."""
    for key in ("reported_to_police", "reported_to_datatilsynet", "employees_targeted_12_months"):
        share = data[key]
        for number in (share["part"], share["whole"]):
            assert number["value"] % k == 0 and number["rounded"] is True
        part, whole = share["part"]["value"], share["whole"]["value"]
        assert share["percent"] == (min(100.0, round(100 * part / whole, 1)) if whole else None)
    median = data["median_days_to_first_action"]
    assert median["incidents"]["value"] % k == 0
    assert data["incidents"]["value"] % k == 0


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=world)
def test_union_rep_outputs_obey_the_rules_and_agree(client, personas, data):
    with transaction.atomic():
        rep, _specs = _setup(personas, data)
        client.force_login(rep)
        params = _params(rep, data)
        outputs = _all_outputs(client, params)
        k = data["k"]
        assert outputs["json"]["exact"] is False and outputs["json"]["threshold"] == k
        assert outputs["api"] == {**outputs["json"], "generated_at": outputs["api"]["generated_at"]}
        reference = outputs["grids"]["json"]
        for source, grids in outputs["grids"].items():
            check_rules(grids, k)
            assert grids == reference, source
        _check_figures(outputs["json"], k)
        figures = csv_figures(outputs["csv_text"])
        assert figures[("incidents", "count")] == outputs["json"]["incidents"]["display"]
        # No names, references or free text reach the rep.
        assert "UDH-T-" not in outputs["page"] and "UDH-T-" not in outputs["csv_text"]
        assert "Statistik</h1>" not in outputs["page"]  # the incidents' title is "Statistik"
        transaction.set_rollback(True)


def _expected(specs, unit_ids, first, last, period):
    """Direct count, in Python, of what a manager should see."""
    chosen = [s for s in specs if s["unit"].pk in unit_ids and first <= s["registered"].replace(day=1) <= last]
    level = Counter(
        (block_start(s["registered"], period).strftime("%Y-%m"), s["confirmed"] or s["level"]) for s in chosen
    )
    return {
        "total": len(chosen),
        "month_level": level,
        "status": Counter(s["status"] for s in chosen),
        "relation": Counter(s["relation"] for s in chosen),
        "platform": Counter(p for s in chosen for p in set(s["platforms"])),
        "phenomenon": Counter(p for s in chosen for p in s["phenomena"]),
        "unit": Counter(str(s["unit"].pk) for s in chosen),
        "police": sum(1 for s in chosen if any(code == "police_report" for code, _d in s["actions"])),
        "with_action": sum(1 for s in chosen if s["actions"]),
    }


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=world)
def test_manager_figures_equal_a_direct_count(client, personas, data):
    from django.urls import reverse

    with transaction.atomic():
        _rep, specs = _setup(personas, data)
        manager = personas.manager
        client.force_login(manager)
        params = _params(manager, data)
        response = client.get(reverse("stats:export_json"), params)
        result = json.loads(response.content)
        assert result["exact"] is True
        first = date.fromisoformat(result["period"]["from"] + "-01")
        last = date.fromisoformat(result["period"]["to"] + "-01")
        units = StatisticsUnits(manager)
        unit_ids = units.subtree(int(params["unit"])) if "unit" in params else units.allowed
        expected = _expected(specs, unit_ids, first, last, data["period"])
        tables = {table["code"]: table for table in result["tables"]}

        month_level = tables["month_level"]
        for r, row in enumerate(month_level["rows"]):
            for c, level in enumerate(LEVELS):
                assert month_level["cells"][r][c]["value"] == expected["month_level"][(row["code"], level)]
        assert month_level["total"]["value"] == expected["total"] == result["incidents"]["value"]
        for code in ("status", "relation", "platform", "phenomenon", "unit"):
            table = tables[code]
            assert {
                row["code"]: cells[0]["value"] for row, cells in zip(table["rows"], table["cells"], strict=True)
            } == {row["code"]: expected[code][row["code"]] for row in table["rows"]}, code
        assert result["reported_to_police"]["part"]["value"] == expected["police"]
        names = {getattr(personas, name).pk: name for name in UNITS}
        requests = [
            r
            for r in data["recordings"]
            if any(names[pk] == r["unit"] for pk in unit_ids if pk in names)
            and first <= add_months(FIRST, r["month"]) <= last
        ]
        by_month = Counter(
            (block_start(add_months(FIRST, r["month"]), data["period"]).strftime("%Y-%m"), r["decision"])
            for r in requests
        )
        table = tables["recording_month_decision"]
        for r, row in enumerate(table["rows"]):
            for c, column in enumerate(table["columns"]):
                assert table["cells"][r][c]["value"] == by_month[(row["code"], column["code"])]
        assert table["total"]["value"] == len(requests)
        reasons = Counter(code for r in requests for code in r["reasons"])
        table = tables["recording_reason"]
        assert {row["code"]: cells[0]["value"] for row, cells in zip(table["rows"], table["cells"], strict=True)} == {
            row["code"]: reasons[row["code"]] for row in table["rows"]
        }
        assert tables["recording_events"]["cells"][0][0]["value"] == sum(r["hidden"] for r in requests)
        assert result["median_days_to_first_action"]["incidents"]["value"] == expected["with_action"]
        check_exact(from_json(result))
        page = client.get(reverse("dashboard:union_rep"), params).content.decode()
        assert from_html(page, result) == from_json(result)
        transaction.set_rollback(True)


# --- Acting as the rep: pairs of selections and one more incident -------------------------------


def _json(client, params, *, may_refuse: bool = False) -> dict | None:
    from django.urls import reverse

    response = client.get(reverse("stats:export_json"), params)
    if may_refuse and response.status_code == 400:
        # A block that is not over yet (this year) is never published: refused with a reason.
        assert "Den seneste periode, der kan vises" in response.content.decode()
        return None
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    data.pop("generated_at")
    return data


def _flat(result: dict) -> dict[str, int]:
    """Every count of one selection by name, as the judge's block names them."""
    tables = {table["code"]: table for table in result["tables"]}
    flat = {}
    month_level = tables["month_level"]
    for c in range(len(month_level["columns"])):
        flat[f"level:level_{LEVELS[c]}"] = sum(row[c]["value"] for row in month_level["cells"])
    for code, name in (("status", "status"), ("relation", "relation")):
        for row, cells in zip(tables[code]["rows"], tables[code]["cells"], strict=True):
            flat[f"{name}:{name}_{row['code']}"] = cells[0]["value"]
    for code in ("platform", "phenomenon"):
        for row, cells in zip(tables[code]["rows"], tables[code]["cells"], strict=True):
            flat[f"{code}_{row['code']}"] = cells[0]["value"]
    flat["reported_police"] = result["reported_to_police"]["part"]["value"]
    flat["reported_datatilsynet"] = result["reported_to_datatilsynet"]["part"]["value"]
    flat["with_action"] = result["median_days_to_first_action"]["incidents"]["value"]
    flat["total"] = result["incidents"]["value"]
    return flat


def _minus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {name: a[name] - b.get(name, 0) for name in a}


pairs_world = st.fixed_dictionaries(
    {
        "k": st.integers(3, 6),
        "employees": st.fixed_dictionaries({unit: st.integers(0, 7) for unit in UNITS}),
        "incidents": st.lists(incident, min_size=1, max_size=40),
        "recordings": st.just([]),
        "rep_over_family": st.just(False),
        "selections": st.lists(
            st.tuples(
                st.sampled_from(("month", "quarter", "year")),
                st.integers(0, MONTHS - 1),
                st.integers(1, MONTHS),
                st.integers(0, 5),
            ),
            min_size=2,
            max_size=3,
        ),
        "extra": incident,
    }
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=pairs_world)
def test_no_pair_of_selections_gives_a_count_away(client, personas, data):
    from stats.disclosure import published_range
    from stats.forms import blocks_between
    from stats.selectors import INCIDENT_PARTITIONS, INCIDENT_SUBSETS, INCIDENT_WITHIN

    from .judge import feasible

    with transaction.atomic():
        rep, specs = _setup(personas, data)
        client.force_login(rep)
        k = data["k"]
        units = StatisticsUnits(rep)
        scope = units.scope(None)
        choices = [pk for pk, _label in units.choices()]
        months = [add_months(FIRST, n) for n in range(MONTHS)]

        # 1. What the rep can get for one month and one unit (with the units below it), for every choice.
        single = {}
        for month in months:
            code = month.strftime("%Y-%m")
            for unit in [None, *choices]:
                params = {"from": code, "to": code, **({"unit": str(unit)} if unit else {})}
                single[(month, unit)] = _flat(_json(client, params))

        # 2. Any selection the rep can make is the sum of those months: a difference of two
        #    selections is a sum of published months, never anything new.
        asked = []
        for period, start, length, pick in data["selections"]:
            first = add_months(FIRST, start)
            last = add_months(first, length - 1)
            params = {"period": period, "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m")}
            unit = choices[pick] if pick < len(choices) else None
            if unit:
                params["unit"] = str(unit)
            result = _json(client, params, may_refuse=True)
            if result is None:
                continue
            asked.append((params, result))
            covered = [
                m
                for b in blocks_between(first, last, period)
                for m in queries_months(*b)
                if m <= date.fromisoformat(result["period"]["to"] + "-01")
            ]
            assert result["period"]["from"] == covered[0].strftime("%Y-%m")
            flat = _flat(result)
            for name, value in flat.items():
                assert value == sum(single[(m, unit)].get(name, 0) if m in months else 0 for m in covered), name

        # 3. From the single months, by subtraction, the rep gets every block (month × reporting
        #    unit). For each block, nothing can be worked out exactly, and the truth fits.
        rows = {row.id for row in scope.rows}
        inside = {row: set(units.scope(row).row_of_unit.values()) for row in rows}
        below = {
            row: {r for r in inside[row] - {row} if not any(r in inside[o] for o in inside[row] - {row, r})}
            for row in rows
        }
        partitions = {name: [f"{name}:{code}" for code in codes] for name, codes in INCIDENT_PARTITIONS.items()}
        for month in months:
            for row in rows:
                block = dict(single[(month, row)])
                for child in below[row]:
                    block = _minus(block, single[(month, child)])
                domains = {
                    name: set(range(published_range(v, k)[0], published_range(v, k)[1] + 1))
                    for name, v in block.items()
                }
                judged = feasible(domains, partitions, list(INCIDENT_SUBSETS), INCIDENT_WITHIN)
                mine = [
                    s
                    for s in specs
                    if scope.row_of_unit[s["unit"].pk] == row and s["registered"].replace(day=1) == month
                ]
                assert len(mine) in judged["total"]
                for name, values in judged.items():
                    assert len(values) >= 2, (month, row, name, values, block)

        # 4. One more incident (registered today, as every incident is) changes nothing the rep sees.
        extra = data["extra"]
        bulk_incidents(
            [
                {
                    "unit": getattr(personas, extra["unit"]),
                    "registered": timezone.localdate(),
                    "level": extra["level"],
                    "status": extra["status"],
                    "relation": extra["relation"],
                    "platforms": extra["platforms"],
                    "phenomena": extra["phenomena"],
                }
            ]
        )
        for params, result in asked:
            assert _json(client, params) == result
        transaction.set_rollback(True)


def queries_months(first, last):
    from stats.queries import months_between

    return months_between(first, last)
