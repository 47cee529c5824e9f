"""The managers' overview and the anonymised counts for the statistics."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from recordings.forms import default_period
from recordings.selectors import overview, request_counts
from tests.recordings.conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(personas, make_request):
    """Five requests over two months in three units."""
    jan, feb = date(2026, 1, 15), date(2026, 2, 3)
    make_request(request_date=jan, reasons=["memory_problems"], decision="allowed")
    make_request(
        request_date=jan,
        reasons=["memory_problems", "publish_intent"],
        decision="allowed_with_conditions",
        conditions="Kun lyd",
        hidden_recording_discovered=True,
        hidden_recording_note="Optog før",
    )
    make_request(request_date=feb, reasons=["distrust"], decision="refused", unit=personas.team, actor=personas.manager)
    make_request(
        request_date=feb,
        reasons=["publish_intent"],
        decision="refused",
        unit=personas.jobcenter,
        actor=personas.other_caseworker,
        media="video",
    )
    make_request(request_date=date(2025, 6, 1), reasons=["other"], decision="refused", free_text="Gammel")
    return personas


def test_request_counts_by_month_reason_decision(spread):
    p = spread
    counts = request_counts([p.root.pk, p.family.pk, p.team.pk, p.jobcenter.pk], date(2026, 1, 1), date(2026, 2, 28))
    assert counts["total"] == 4
    assert counts["by_decision"] == {"allowed": 1, "allowed_with_conditions": 1, "refused": 2}
    assert counts["by_reason"]["memory_problems"] == 2
    assert counts["by_reason"]["publish_intent"] == 2
    assert counts["by_reason"]["distrust"] == 1
    assert counts["by_reason"]["other"] == 0
    assert counts["by_media"] == {"audio": 3, "video": 1}
    assert counts["hidden_recordings"] == 1 and counts["linked_to_incident"] == 0
    assert [(m["month"], m["count"]) for m in counts["by_month"]] == [(date(2026, 1, 1), 2), (date(2026, 2, 1), 2)]
    assert counts["by_month"][1]["by_decision"] == {"allowed": 0, "allowed_with_conditions": 0, "refused": 2}


def test_request_counts_hold_numbers_only(spread):
    counts = request_counts([spread.family.pk])
    dumped = json.dumps(counts, default=str)
    for secret in ("Kun lyd", "Optog før", "Gammel", "glemmer", "caseworker", "Sagsbehandler"):
        assert secret not in dumped
    assert counts["total"] == 3  # Børn og Familie only, all time (not Team Nord below it)


def test_overview_groups_in_the_database(spread, django_assert_max_num_queries):
    p = spread
    with django_assert_max_num_queries(5):
        data = overview([p.family.pk, p.team.pk], date(2026, 1, 1), date(2026, 12, 31))
    assert data["total"].total == 3
    assert [(r.label, r.by_decision) for r in data["months"]] == [
        (date(2026, 1, 1), [1, 1, 0]),
        (date(2026, 2, 1), [0, 0, 1]),
    ]
    assert data["total"].hidden == 1
    reasons = {str(r.label): r for r in data["reasons"]}
    assert reasons["Problemer med hukommelsen"].by_decision == [1, 1, 0]
    assert reasons["Mistillid til sagsbehandleren"].total == 1
    assert sorted((r.label, r.total) for r in data["units"]) == [("Børn og Familie", 2), ("Team Nord", 1)]
    assert data["unreviewed"] == 3


def test_overview_page_for_the_manager(client, spread):
    client.force_login(spread.manager)
    response = client.get(reverse("recordings:overview"), {"date_from": "2026-01-01", "date_to": "2026-02-28"})
    page = text(response)
    assert "Januar 2026" in page and "Februar 2026" in page
    assert "Problemer med hukommelsen" in page and "Jobcenter" in page and "Team Nord" in page
    assert '<td class="text-end">4</td>' in page  # the total
    assert "Gammel" not in page and "Kun lyd" not in page
    event = AuditEvent.objects.filter(object_type="recordings.overview").get()
    assert event.details["from"] == "2026-01-01"


def test_overview_unit_filter_includes_the_units_below(client, spread):
    client.force_login(spread.manager)
    page = text(
        client.get(
            reverse("recordings:overview"),
            {"unit": spread.family.pk, "date_from": "2026-01-01", "date_to": "2026-02-28"},
        )
    )
    assert '<th scope="row">Team Nord</th>' in page and '<th scope="row">Jobcenter</th>' not in page


def test_other_manager_sees_only_own_units(client, spread):
    client.force_login(spread.other_manager)
    page = text(client.get(reverse("recordings:overview"), {"date_from": "2026-01-01", "date_to": "2026-02-28"}))
    assert "Jobcenter" in page and "Børn og Familie" not in page and "Team Nord" not in page
    response = client.get(reverse("recordings:overview"), {"unit": spread.family.pk})
    assert "Marker en gyldig valgmulighed" in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-01", "date_to": "2026-01-01"}, "Til-datoen ligger før fra-datoen."),
        ({"date_from": "2010-01-01", "date_to": "2026-01-01"}, "højst fem år"),
    ],
)
def test_overview_bad_period(client, spread, params, message):
    client.force_login(spread.manager)
    assert message in text(client.get(reverse("recordings:overview"), params))


def test_overview_default_period_is_the_last_twelve_months(client, personas, make_request):
    make_request()
    make_request(request_date=timezone.localdate() - timedelta(days=400))
    client.force_login(personas.manager)
    page = text(client.get(reverse("recordings:overview")))
    start, end = default_period()
    assert start.day == 1 and (end.year - start.year) * 12 + end.month - start.month == 11
    assert '<p class="overview-count mb-0">1</p>' in page


def test_default_period_crosses_the_year():
    assert default_period(date(2026, 3, 10)) == (date(2025, 4, 1), date(2026, 3, 10))
    assert default_period(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))


def test_overview_query_count_is_constant(client, spread, make_request, django_assert_max_num_queries):
    client.force_login(spread.manager)
    with django_assert_max_num_queries(20):
        client.get(reverse("recordings:overview"))
    for _ in range(10):
        make_request(reasons=["distrust"], decision="refused")
    with django_assert_max_num_queries(20):
        client.get(reverse("recordings:overview"))
