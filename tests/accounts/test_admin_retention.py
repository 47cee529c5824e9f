"""The admin dashboard shows, per organisation, how many closed incidents retention deletes in
the next 30 days and how many incidents legal hold keeps: counts only, never an incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from incidents import services
from incidents.models import Incident
from retention.services import add_months, retention_overview
from tests.factories import OrganisationFactory, UnitFactory, member

pytestmark = pytest.mark.django_db


def _incident(personas, *, unit=None, closed_months_ago: int | None = None, days: int = 0, **fields) -> Incident:
    """An incident; closed `closed_months_ago` months and `days` days ago when given."""
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Hængt ud af Bent Borger", "discovered_at": timezone.now() - timedelta(days=1), "named": True},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://facebook.com/p/1"}],
    )
    update = dict(fields)
    if unit is not None:
        update["unit"] = unit
    if closed_months_ago is not None:
        update.update(
            status=Incident.Status.CLOSED,
            closed_at=add_months(timezone.now(), -closed_months_ago) - timedelta(days=days),
        )
    Incident.objects.filter(pk=incident.pk).update(**update)
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def incidents(personas):
    """Testkommune (24 months): 2 deleted within 30 days, 1 later, 2 on hold (1 past its period)."""
    made = {
        # Deleted within 30 days: one falls due in 10 days, one is due and waits for tonight's run.
        "soon": _incident(personas, closed_months_ago=24, days=-10),
        "overdue": _incident(personas, closed_months_ago=24, days=1),
        # Not within 30 days.
        "later": _incident(personas, closed_months_ago=24, days=-40),
        "open": _incident(personas),
        # Legal hold: one past its period (kept only by the hold), one still open.
        "held_past": _incident(personas, closed_months_ago=30, legal_hold=True),
        "held_open": _incident(personas, legal_hold=True),
    }
    # Another organisation's incidents count for its own admin only.
    neighbour = OrganisationFactory(name="Nabokommune", retention_months=6)
    unit = UnitFactory(organisation=neighbour, name="Ydelser")
    made["neighbour_soon"] = _incident(personas, unit=unit, closed_months_ago=6, days=-5)
    made["neighbour_held"] = _incident(personas, unit=unit, closed_months_ago=1, legal_hold=True)
    made["neighbour_admin"] = member(unit, Role.ADMIN, username="nabo_admin", is_staff=True)
    made["neighbour"] = neighbour
    return made


def test_overview_counts_per_organisation(personas, incidents):
    neighbour = incidents["neighbour"]
    overview = retention_overview(timezone.now(), organisation_ids=[personas.org.pk, neighbour.pk])
    mine, theirs = overview[personas.org.pk], overview[neighbour.pk]
    assert (mine.due_soon, mine.held, mine.held_past_period) == (2, 2, 1)
    assert (theirs.due_soon, theirs.held, theirs.held_past_period) == (1, 1, 0)


def test_admin_sees_counts_and_no_incident(client, personas, incidents):
    client.force_login(personas.admin)
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert "Slettes inden for 30 dage" in page
    assert '<dd class="col-sm-8" data-retention="due-soon">2 afsluttede sager' in page
    assert "Sagens ledere får besked 30 dage før." in page
    assert '<dd class="col-sm-8" data-retention="held">2 sager, heraf 1 ud over opbevaringsperioden</dd>' in page
    for incident in Incident.objects.all():
        assert incident.reference not in page
    assert "Bent Borger" not in page
    assert "Nabokommune" not in page


def test_the_other_organisations_admin_sees_theirs(client, personas, incidents):
    client.force_login(incidents["neighbour_admin"])
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert '<dd class="col-sm-8" data-retention="due-soon">1 afsluttet sag' in page
    assert '<dd class="col-sm-8" data-retention="held">1 sag, heraf 0 ud over opbevaringsperioden</dd>' in page
    assert "Testkommune" not in page


def test_nothing_to_count(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert '<dd class="col-sm-8" data-retention="due-soon">0 afsluttede sager' in page
    assert '<dd class="col-sm-8" data-retention="held">0 sager</dd>' in page


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard:admin")).status_code == 200
    return len(captured.captured_queries)


def test_page_queries_do_not_grow_with_the_incidents(client, personas, incidents):
    client.force_login(personas.admin)
    _page_queries(client)  # warms the per-user access cache (accounts/access_cache.py)
    before = _page_queries(client)
    for _ in range(6):
        _incident(personas, closed_months_ago=24, days=-3)
        _incident(personas, closed_months_ago=26, legal_hold=True)
    after = _page_queries(client)
    assert after == before
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert "8 afsluttede sager" in page and "8 sager, heraf 7 ud over opbevaringsperioden" in page


def test_shortening_the_period_warns_the_admin_of_cases_deleted_without_notice(client, personas):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from incidents.models import Incident
    from incidents.services import incident_register

    incident = incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Gammel sag", "discovered_at": timezone.now() - timedelta(days=400)},
        targets=[personas.caseworker],
        publications=[],
    )
    Incident.objects.filter(pk=incident.pk).update(
        status=Incident.Status.CLOSED, closed_at=timezone.now() - timedelta(days=200)
    )
    client.force_login(personas.admin)
    url = reverse("admin:accounts_organisation_change", args=[personas.org.pk])
    data = {
        "name": personas.org.name,
        "cvr": "",
        "address": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "statistics_threshold": "5",
        "statistics_lag_months": "1",
        "retention_months": "24",
        "recording_retention_months": "36",
        "audit_retention_months": "60",
        "notify_union_reps_of_serious": "on",
        "mfa_relaxed_reason": "Testorganisation",
        "allow_local_passwords": "on",
    }
    unchanged = client.post(url, data, follow=True)
    assert "allerede over perioden" not in unchanged.content.decode()
    shortened = client.post(url, {**data, "retention_months": "6"}, follow=True)
    body = shortened.content.decode()
    assert "er 1 afsluttet sag allerede over perioden" in body and "uden den sædvanlige varsling" in body
    lengthened = client.post(url, {**data, "retention_months": "12"}, follow=True)
    assert "allerede over perioden" not in lengthened.content.decode()
