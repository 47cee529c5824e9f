"""Rules 2026.2 applied to a database whose incidents were assessed under 2026.1 (DOMAIN.md 9),
and deadlines a manager marks as not relevant (DOMAIN.md 4.4)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from incidents.assessment import RULES_VERSION
from incidents.models import DeadlineDismissal, Incident, IncidentDeadline, TimelineEntry

pytestmark = pytest.mark.django_db


def _as_2026_1(incident: Incident, *, references, actions, deadlines) -> Incident:
    """Store what rules 2026.1 computed for this incident (its JSON shape: `note`, no scope/prosecution)."""

    def item(code, title):
        return {"code": code, "title": title, "reason": "…", "source": "…", "note": "", "anchor": ""}

    incident.assessment = {
        "rules_version": "2026.1",
        "severity": {"level": incident.assessed_level, "code": "", "label": "", "reasons": []},
        "legal_references": [item(code, title) for code, title in references],
        "actions": [item(code, code) for code in actions],
        "deadlines": [
            {"code": code, "title": code, "due": due.isoformat(timespec="seconds"), "reason": "…", "source": "…"}
            for code, due in deadlines
        ],
    }
    incident.rules_version = "2026.1"
    incident.save(update_fields=["assessment", "rules_version"])
    services.deadlines_sync(incident)
    return incident


ALWAYS = ["support_conversation", "secure_evidence", "involve_amr_tr", "no_engagement"]


@pytest.fixture
def seeded(personas):
    """Three incidents as 2026.1 left them: two open, one closed."""
    now = timezone.now()
    insult = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Skældsord om hende på Facebook",
            "discovered_at": now - timedelta(days=2),
            "named": True,
            "offensive_language": True,
        },
        publications=[{"platform": "facebook", "reach": "public"}],
    )
    _as_2026_1(
        insult,
        references=[("strfl_121", "Straffeloven § 121")],
        actions=[*ALWAYS, "platform_takedown"],
        deadlines=[("follow_up_14_days", insult.registered_at + timedelta(days=14))],
    )
    posted = now - timedelta(days=3)
    threat = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Trussel", "discovered_at": now - timedelta(days=1), "threat": True},
        publications=[{"platform": "facebook", "reach": "public", "published_at": posted}],
    )
    _as_2026_1(
        threat,
        references=[("strfl_119", "§ 119"), ("strfl_266", "§ 266")],
        actions=[*ALWAYS, "platform_takedown", "police_report", "safety_assessment", "acute_112"],
        deadlines=[
            ("police_report_72h", threat.discovered_at + timedelta(hours=72)),
            ("follow_up_14_days", threat.registered_at + timedelta(days=14)),
        ],
    )
    closed = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Afsluttet",
            "discovered_at": now - timedelta(days=40),
            "named": True,
            "offensive_language": True,
        },
    )
    services.incident_change_status(actor=personas.manager, incident=closed, to_status="closed")
    _as_2026_1(
        closed,
        references=[("strfl_121", "Straffeloven § 121")],
        actions=[*ALWAYS, "platform_takedown"],
        deadlines=[("follow_up_14_days", closed.registered_at + timedelta(days=14))],
    )
    return insult, threat, closed


def _entries(incident):
    return list(TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.REASSESSED))


def test_open_incidents_change_and_say_so_closed_ones_do_not(seeded):
    insult, threat, closed = seeded
    closed_before = Incident.objects.get(pk=closed.pk).assessment
    out = StringIO()

    call_command("reassess_incidents", stdout=out)

    insult.refresh_from_db()
    threat.refresh_from_db()
    closed.refresh_from_db()
    assert insult.rules_version == threat.rules_version == RULES_VERSION == insult.assessment["rules_version"]
    codes = [item["code"] for item in insult.assessment["legal_references"]]
    assert codes == ["strfl_267_268"]
    [entry] = _entries(insult)
    assert "regelsæt 2026.2 (før 2026.1)" in entry.text
    assert "Nye lovhenvisninger: Straffeloven §§ 267–268: ærekrænkelser." in entry.text
    assert "Udgåede lovhenvisninger: Straffeloven § 121." in entry.text
    assert "Anmeld indholdet med platformens egen anmeldefunktion" in entry.text  # a new action
    assert "Frist for påtalebegæring eller privat straffesag (6 måneder)" in entry.text  # a new deadline
    assert not entry.visible_to_employee
    assert set(IncidentDeadline.objects.filter(incident=insult).values_list("code", flat=True)) == {
        "request_6_months",
        "follow_up_14_days",
    }

    [entry] = _entries(threat)
    police = next(d for d in threat.assessment["deadlines"] if d["code"] == "police_report_72h")
    published = threat.publications.get().published_at
    assert police["due"] == timezone.localtime(published + timedelta(hours=72)).isoformat(timespec="seconds")
    assert "Flyttede frister: Anmeld til politiet inden 72 timer efter forbrydelsen" in entry.text

    assert closed.rules_version == "2026.1" and closed.assessment == closed_before
    assert _entries(closed) == []
    assert (
        AuditEvent.objects.filter(
            incident_reference=insult.reference, summary="Vurdering beregnet efter nye regler"
        ).count()
        == 1
    )
    assert "2 open incident(s) re-assessed under rules 2026.2; 2 changed." in out.getvalue()


def test_running_it_again_changes_nothing(seeded):
    insult, _threat, _closed = seeded
    call_command("reassess_incidents", stdout=StringIO())
    out = StringIO()

    call_command("reassess_incidents", stdout=out)

    assert len(_entries(insult)) == 1
    assert "0 open incident(s) re-assessed" in out.getvalue()


def test_dry_run_only_counts(seeded):
    insult, _threat, _closed = seeded
    out = StringIO()

    call_command("reassess_incidents", "--dry-run", stdout=out)

    insult.refresh_from_db()
    assert insult.rules_version == "2026.1" and _entries(insult) == []
    assert "2 open incident(s) would be re-assessed" in out.getvalue()


def test_a_confirmation_of_unchanged_facts_stays_valid(personas, seeded):
    insult, _threat, _closed = seeded
    services.incident_confirm_level(actor=personas.manager, incident=insult, level=2)
    Incident.objects.filter(pk=insult.pk).update(facts_hash="0" * 64, confirmed_facts_hash="0" * 64)  # 2026.1 hash

    call_command("reassess_incidents", stdout=StringIO())

    insult.refresh_from_db()
    assert not insult.facts_changed_since_confirmation


# --- Deadlines marked as not relevant ----------------------------------------------------------------


def _overdue(personas, **fields):
    fields = {"title": "Gammel trussel", "discovered_at": timezone.now() - timedelta(days=6), "threat": True, **fields}
    return services.incident_register(actor=personas.manager, unit=personas.family, channel="manager", fields=fields)


def test_manager_marks_a_deadline_not_relevant_with_a_reason(client, personas):
    incident = _overdue(personas)
    client.force_login(personas.manager)
    url = reverse("incidents:deadline_dismiss", args=[incident.reference])
    dashboard = reverse("dashboard:manager")
    assert incident.reference in client.get(dashboard).content.decode().split('id="waiting-heading"')[0]

    response = client.post(
        url, {"frist-code": "police_report_72h", "frist-reason": "Medarbejderen ønsker ikke at anmelde."}
    )

    assert response.status_code == 302
    dismissal = DeadlineDismissal.objects.get(incident=incident)
    assert (dismissal.code, dismissal.dismissed_by) == ("police_report_72h", personas.manager)
    page = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "Markeret som ikke relevant af" in page and "Medarbejderen ønsker ikke at anmelde." in page
    deadlines = client.get(dashboard).content.decode().split('id="waiting-heading"')[0]
    assert "0 overskredne" in deadlines and incident.reference not in deadlines
    event = AuditEvent.objects.filter(
        incident_reference=incident.reference, summary="Frist markeret som ikke relevant"
    ).get()
    assert event.details == {"deadline": "police_report_72h", "reason": "Medarbejderen ønsker ikke at anmelde."}
    entry = TimelineEntry.objects.filter(incident=incident, text__startswith="Frist markeret som ikke relevant").get()
    assert not entry.visible_to_employee

    # Re-assessment (changed facts) keeps the mark; taking it back makes the deadline count again.
    services.incident_update(actor=personas.manager, incident=incident, fields={"named": True})
    assert DeadlineDismissal.objects.filter(incident=incident).exists()
    response = client.post(url, {"frist-code": "police_report_72h", "frist-restore": "on"})
    assert response.status_code == 302 and not DeadlineDismissal.objects.filter(incident=incident).exists()
    assert "1 overskredet" in client.get(dashboard).content.decode()


def test_a_reason_is_required_and_the_page_says_so(client, personas):
    incident = _overdue(personas)
    client.force_login(personas.manager)

    response = client.post(
        reverse("incidents:deadline_dismiss", args=[incident.reference]),
        {"frist-code": "police_report_72h", "frist-reason": "  "},
    )

    assert response.status_code == 400
    assert "Skriv hvorfor fristen ikke er relevant." in response.content.decode()
    assert not DeadlineDismissal.objects.exists()


def test_an_unknown_deadline_is_refused_without_a_500(client, personas):
    incident = _overdue(personas)
    client.force_login(personas.manager)

    response = client.post(
        reverse("incidents:deadline_dismiss", args=[incident.reference]),
        {"frist-code": "easy_14_days", "frist-reason": "Ikke relevant"},
    )

    assert response.status_code == 400
    assert "Fristen findes ikke længere i sagens vurdering" in response.content.decode()


@pytest.mark.parametrize("persona", ["caseworker", "other_manager", "union_rep", "admin", "outsider"])
def test_only_the_units_managers_may_mark_deadlines(client, personas, persona):
    incident = _overdue(
        personas,
    )
    incident.targets.set([personas.caseworker])
    client.force_login(getattr(personas, persona))

    response = client.post(
        reverse("incidents:deadline_dismiss", args=[incident.reference]),
        {"frist-code": "police_report_72h", "frist-reason": "Nej"},
    )

    assert response.status_code == 404
    assert not DeadlineDismissal.objects.exists()
