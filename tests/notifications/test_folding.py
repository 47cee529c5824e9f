"""Notifications to union reps name no unit the statistics fold away (issue 26 item 3).
The finding: union reps were e-mailed «Alvorlig hændelse i Vej og Park», a unit with one
caseworker that the statistics fold into its parent to protect exactly that person."""

import pytest
from django.core import mail

from accounts.models import Role, Unit
from incidents import notify as incident_notify
from incidents.models import Incident
from notifications.models import Channel, Kind, Notification
from stats.scope import StatisticsUnits
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def technical(personas):
    """Teknik og Miljø with Vej og Park (one caseworker) and Park og Natur (five)."""
    tm = UnitFactory(organisation=personas.org, parent=personas.root, name="Teknik og Miljø", kind=Unit.Kind.DEPARTMENT)
    vej = UnitFactory(organisation=personas.org, parent=tm, name="Vej og Park", kind=Unit.Kind.TEAM)
    natur = UnitFactory(organisation=personas.org, parent=tm, name="Park og Natur", kind=Unit.Kind.TEAM)
    lonely = member(vej, Role.CASEWORKER, username="vejmand", first_name="Villy")
    for n in range(personas.org.statistics_threshold):
        member(natur, Role.CASEWORKER, username=f"natur{n}")
    for n in range(personas.org.statistics_threshold):
        member(tm, Role.CASEWORKER, username=f"tm{n}")
    return tm, vej, natur, lonely


def _serious(register, personas, unit, reporter):
    incident = register(Incident.Channel.SELF_REPORT, actor=reporter, unit=unit, threat=True)
    incident_notify.on_incident_registered(incident)
    return incident


def test_the_reps_message_names_the_unit_a_small_one_is_folded_into(personas, register, technical, mailoutbox):
    tm, vej, _, lonely = technical
    # The statistics fold Vej og Park into Teknik og Miljø for the rep ...
    scope = StatisticsUnits(personas.union_rep).scope()
    folded_into = next(row for row in scope.rows if row.id == scope.row_of_unit[vej.pk])
    assert folded_into.id != vej.pk  # the rep's statistics show Vej og Park only inside a larger row
    _serious(register, personas, vej, lonely)
    rows = Notification.objects.filter(kind=Kind.SERIOUS_INCIDENT, recipient=personas.union_rep)
    assert {r.channel for r in rows} == {Channel.IN_APP, Channel.EMAIL}
    # ... and so does the message: in the app and in the e-mail actually sent.
    for row in rows:
        assert "Vej og Park" not in row.subject + row.body + row.body_html
        assert row.subject == f"Alvorlig hændelse i {folded_into.name}"
        assert row.object_id == str(folded_into.id)
    from notifications.services import notification_deliver

    email = rows.get(channel=Channel.EMAIL)
    assert notification_deliver(email.pk) == "sent"
    sent = mailoutbox[-1]
    assert "Vej og Park" not in sent.subject + sent.body + sent.alternatives[0][0]
    assert folded_into.name in sent.subject


def test_a_unit_with_enough_employees_is_named_itself(personas, register, technical):
    _, _, natur, _ = technical
    reporter = natur.memberships.first().user
    _serious(register, personas, natur, reporter)
    row = Notification.objects.get(kind=Kind.SERIOUS_INCIDENT, recipient=personas.union_rep, channel=Channel.IN_APP)
    assert row.subject == "Alvorlig hændelse i Park og Natur"


def test_a_rep_whose_statistics_do_not_cover_the_unit_gets_no_unit_name(personas, register, technical, monkeypatch):
    tm, vej, _, lonely = technical
    monkeypatch.setattr(
        StatisticsUnits, "scope", lambda self, unit_id=None: type("Empty", (), {"row_of_unit": {}, "rows": ()})()
    )
    _serious(register, personas, vej, lonely)
    row = Notification.objects.get(kind=Kind.SERIOUS_INCIDENT, recipient=personas.union_rep, channel=Channel.IN_APP)
    assert row.subject == "Alvorlig hændelse registreret"
    assert "Vej og Park" not in row.body and "Teknik" not in row.body
    assert len(mail.outbox) == 0
