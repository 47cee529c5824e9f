"""Issue 4 on the incident page: confirm or override the level, checklist, deadlines."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from incidents.models import Incident, TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    return services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={
            "title": "Trussel på Facebook",
            "threat": True,
            "named": True,
            "discovered_at": timezone.now() - timedelta(hours=2),
        },
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/p/1"}],
    )


def _assess_url(case):
    return reverse("incidents:assess", args=[case.reference])


def test_confirming_the_computed_level_needs_no_reason(client, personas, case):
    client.force_login(personas.manager)
    response = client.post(_assess_url(case), {"assess-level": case.assessed_level, "assess-justification": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.confirmed_level == case.assessed_level == 4
    assert case.status == Incident.Status.ASSESSING
    assert case.confirmed_by == personas.manager
    assert not case.facts_changed_since_confirmation


def test_override_needs_a_justification_and_keeps_both_levels(client, personas, case):
    client.force_login(personas.manager)
    response = client.post(_assess_url(case), {"assess-level": 3, "assess-justification": ""})
    assert response.status_code == 200
    assert "Skriv hvorfor niveauet afviger fra det beregnede." in response.content.decode()
    case.refresh_from_db()
    assert case.confirmed_level is None

    client.post(_assess_url(case), {"assess-level": 3, "assess-justification": "Afsender er kendt og <b>afvæbnet</b>"})
    case.refresh_from_db()
    assert (case.assessed_level, case.confirmed_level, case.level) == (4, 3, 3)
    event = AuditEvent.objects.filter(incident_reference=case.reference, summary="Vurdering bekræftet").get()
    assert event.details["assessed_level"] == 4 and event.details["confirmed_level"] == 3
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "Ændret af leder (beregnet: Kritisk)" in page
    assert "&lt;b&gt;afvæbnet&lt;/b&gt;" in page
    entry = TimelineEntry.objects.get(incident=case, kind=TimelineEntry.Kind.ASSESSMENT_OVERRIDE)  # not "bekræftet"
    assert "Kritisk" in entry.text and "Alvorlig" in entry.text and not entry.visible_to_employee


def test_changed_facts_after_confirmation_are_flagged(client, personas, case):
    services.incident_confirm_level(actor=personas.manager, incident=case, level=4)
    services.incident_update(actor=personas.manager, incident=case, fields={"private_details": True})
    case.refresh_from_db()
    assert case.facts_changed_since_confirmation
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "Oplysningerne er ændret, efter niveauet blev bekræftet" in page


@pytest.mark.parametrize(
    "persona", ["other_manager", "caseworker", "other_caseworker", "union_rep", "admin", "outsider"]
)
def test_only_the_units_managers_may_assess(client, personas, case, persona):
    client.force_login(getattr(personas, persona))
    response = client.post(_assess_url(case), {"assess-level": 1, "assess-justification": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.confirmed_level is None


def test_anonymous_assess_goes_to_login(client, case):
    response = client.post(_assess_url(case), {"assess-level": 1})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_is_not_allowed(client, personas, case):
    client.force_login(personas.manager)
    assert client.get(_assess_url(case)).status_code == 405


def test_checklist_marks_actions_done_from_the_timeline(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "0 af" in page and "?handling=police_report#handling" in page
    services.incident_record_action(
        actor=personas.manager,
        incident=case,
        action_code="police_report",
        occurred_on=timezone.localdate(),
        external_reference="1200-12345-00001-26",
    )
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "1200-12345-00001-26" in page
    assert "?handling=police_report#handling" not in page
    assert "Overholdt" in page  # the 72-hour police deadline is met by the report


def test_handling_link_preselects_the_action(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference]) + "?handling=acute_112").content.decode()
    assert '<option value="acute_112" selected>' in page
    page = client.get(reverse("incidents:detail", args=[case.reference]) + "?handling=<script>").content.decode()
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]


def test_deadlines_show_days_left_and_overdue(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "dage tilbage" in page or "I dag" in page
    old = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={"title": "Gammel trussel", "threat": True, "discovered_at": timezone.now() - timedelta(days=10)},
    )
    page = client.get(reverse("incidents:detail", args=[old.reference])).content.decode()
    assert "Overskredet" in page


def test_knowledge_links_on_every_item(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    for anchor in ("straffeloven-266", "politianmeldelse", "beviser"):
        assert reverse("knowledge:section", args=[anchor]) in page
