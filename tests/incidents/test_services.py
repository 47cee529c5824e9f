"""incidents.services: what each domain function stores, with its timeline entry and audit event."""

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audit.models import AuditEvent
from incidents.assessment import RULES_VERSION, Facts, assess
from incidents.models import Evidence, Incident, Note, Publication, TimelineEntry
from incidents.services import (
    TransitionNotAllowed,
    evidence_remove,
    incident_change_status,
    incident_record_action,
    incident_register,
    incident_update,
    note_add,
)

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DISCOVERED = datetime(2026, 11, 20, 10, 0, tzinfo=COPENHAGEN)  # a Friday
REGISTERED = datetime(2026, 11, 23, 9, 0, tzinfo=COPENHAGEN)  # the Monday after

FACEBOOK_POST = {
    "platform": "facebook",
    "url": "https://www.facebook.com/groups/stopsystemsvigtet/posts/1234567890123456",
    "title": "Opslag i gruppen «Stop systemsvigtet»",
    "published_at": DISCOVERED - timedelta(days=1),
    "reach": "closed_group",
    "audience_size": 2500,
    "quote": "Endnu en inkompetent sagsbehandler.",
}


def _post(n: int) -> dict:
    return {**FACEBOOK_POST, "url": f"https://www.facebook.com/groups/stopsystemsvigtet/posts/{n}"}


def _register(
    p, *, publications=(FACEBOOK_POST,), targets=None, channel=Incident.Channel.MANAGER, actor=None, **fields
) -> Incident:
    base = {
        "title": "Nedsættende opslag i Facebook-gruppe",
        "description": "En borger har skrevet om sin sagsbehandler i en lukket gruppe.",
        "discovered_at": DISCOVERED,
        "named": True,
        "offensive_language": True,
        "perpetrator_relation": "citizen_own_case",
    }
    return incident_register(
        actor=actor or p.manager,
        unit=p.family,
        channel=channel,
        fields={**base, **fields},
        targets=[p.caseworker] if targets is None else targets,
        publications=publications,
        now=REGISTERED,
    )


def _events(incident, action=None):
    qs = AuditEvent.objects.filter(incident_reference=incident.reference).order_by("id")
    return list(qs if action is None else qs.filter(action=action))


def _reload(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


# --- incident_register -----------------------------------------------------------------------


def test_register_stores_the_facts_publications_and_targets(personas):
    incident = _reload(_register(personas))
    assert incident.reference == "UDH-2026-0001"
    assert incident.unit == personas.family
    assert incident.status == Incident.Status.REPORTED
    assert incident.channel == Incident.Channel.MANAGER
    assert incident.reporter == personas.manager
    assert incident.registered_at == REGISTERED
    assert incident.discovered_at == DISCOVERED
    assert incident.features == {"named", "offensive_language"}
    assert incident.perpetrator_relation == "citizen_own_case"
    assert list(incident.targets.all()) == [personas.caseworker]
    [publication] = incident.publications.all()
    assert publication.url == FACEBOOK_POST["url"]
    assert publication.reach == "closed_group"
    assert publication.quote == "Endnu en inkompetent sagsbehandler."


def test_register_computes_and_stores_the_assessment(personas):
    incident = _reload(_register(personas))
    expected = assess(
        Facts(
            frozenset({"named", "offensive_language"}),
            perpetrator_relation="citizen_own_case",
            platforms=frozenset({"facebook"}),
            publication_count=1,
            discovered_at=DISCOVERED,
            registered_at=REGISTERED,
        )
    )
    assert incident.assessed_level == expected.severity.level == 2
    assert incident.assessment == expected.to_dict()
    assert incident.rules_version == RULES_VERSION
    assert len(incident.facts_hash) == 64
    assert incident.confirmed_level is None
    # Words about her, not addressed to her: §§ 267–268, a private case, and no § 121 (LEGAL-REVIEW A1).
    references = {item["code"]: item for item in incident.assessment["legal_references"]}
    assert "strfl_121" not in references
    assert references["strfl_267_268"]["prosecution"] == "private"


def test_register_writes_a_timeline_entry_and_an_audit_event(personas):
    incident = _register(personas)
    [entry] = incident.timeline.all()
    assert entry.kind == TimelineEntry.Kind.REGISTERED
    assert entry.actor == personas.manager
    assert entry.visible_to_employee
    [event] = _events(incident)
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor == personas.manager
    assert event.object_type == "incidents.incident"
    assert event.object_id == str(incident.pk)
    assert event.organisation_id == personas.org.pk
    assert event.details == {"channel": "manager", "publications": 1}


def test_register_ignores_fields_that_are_not_editable(personas):
    incident = _reload(
        _register(personas, status="closed", reference="UDH-1999-0001", legal_hold=True, assessed_level=4)
    )
    assert incident.status == Incident.Status.REPORTED
    assert incident.reference == "UDH-2026-0001"
    assert not incident.legal_hold
    assert incident.assessed_level == 2


def test_a_self_report_gets_the_assessment_deadline(personas):
    incident = _register(personas, actor=personas.caseworker, channel=Incident.Channel.SELF_REPORT)
    assert incident.reporter == personas.caseworker
    assert "assessment_due" in [d["code"] for d in incident.assessment["deadlines"]]


def test_three_publications_make_the_incident_repeated(personas):
    incident = _reload(
        _register(
            personas, offensive_language=False, publications=[_post(1), _post(2), {**_post(3), "platform": "youtube"}]
        )
    )
    assert incident.repeated
    expected = assess(
        Facts(
            frozenset({"named", "repeated"}),
            perpetrator_relation="citizen_own_case",
            platforms=frozenset({"facebook", "youtube"}),
            publication_count=3,
            discovered_at=DISCOVERED,
            registered_at=REGISTERED,
        )
    )
    assert incident.assessed_level == expected.severity.level == 2
    assert "repeated" in incident.assessment["severity"]["reasons"]


def test_two_publications_are_not_repeated(personas):
    incident = _reload(_register(personas, publications=[_post(1), _post(2)]))
    assert not incident.repeated
    assert incident.assessed_level == 2


# --- incident_update -------------------------------------------------------------------------


def test_update_records_the_changed_fields_and_reassesses(personas):
    incident = _register(personas)
    changed = incident_update(
        actor=personas.manager,
        incident=incident,
        fields={"title": "Trussel i kommentarer", "threat": True, "named": True},
    )
    assert changed == ["title", "threat"]
    incident = _reload(incident)
    assert incident.title == "Trussel i kommentarer"
    assert incident.assessed_level == 4
    assert "police_report_72h" in [d["code"] for d in incident.assessment["deadlines"]]

    entry = incident.timeline.get(kind=TimelineEntry.Kind.EDITED)
    assert not entry.visible_to_employee
    assert "kort overskrift" in entry.text
    assert "Trusler" in entry.text
    [event] = _events(incident, AuditEvent.Action.UPDATE)
    assert event.details == {"fields": ["title", "threat"]}
    assert event.actor == personas.manager


def test_update_changes_targets_and_related_rows(personas):
    incident = _register(personas)

    def add_two_publications(inc):
        Publication.objects.bulk_create([Publication(incident=inc, **_post(n)) for n in (7, 8)])
        return True

    changed = incident_update(
        actor=personas.manager,
        incident=incident,
        fields={},
        targets=[personas.caseworker, personas.other_caseworker],
        save_related=add_two_publications,
    )
    assert changed == ["targets", "publications"]
    incident = _reload(incident)
    assert set(incident.targets.all()) == {personas.caseworker, personas.other_caseworker}
    assert incident.repeated  # three publications now
    assert incident.assessed_level == 3


def test_update_without_changes_does_nothing(personas):
    incident = _register(personas)
    before_hash = _reload(incident).facts_hash
    changed = incident_update(
        actor=personas.manager,
        incident=incident,
        fields={"title": incident.title, "named": True, "status": "closed"},
        targets=[personas.caseworker],
        save_related=lambda inc: False,
    )
    assert changed == []
    assert incident.timeline.count() == 1
    assert len(_events(incident)) == 1
    assert _reload(incident).facts_hash == before_hash
    assert _reload(incident).status == Incident.Status.REPORTED


def test_update_after_confirmation_marks_the_facts_as_changed(personas):
    incident = _register(personas)
    Incident.objects.filter(pk=incident.pk).update(
        confirmed_level=2, confirmed_at=REGISTERED, confirmed_facts_hash=_reload(incident).facts_hash
    )
    incident = _reload(incident)
    assert not incident.facts_changed_since_confirmation
    incident_update(actor=personas.manager, incident=incident, fields={"private_details": True})
    assert _reload(incident).facts_changed_since_confirmation


# --- incident_change_status ------------------------------------------------------------------

STATUSES = ["reported", "assessing", "in_progress", "closed"]
# DOMAIN.md 5: reported → assessing → in_progress → closed; steps may be skipped forward,
# and closed → in_progress (reopening) needs a reason.
ALLOWED = {
    ("reported", "assessing"),
    ("reported", "in_progress"),
    ("reported", "closed"),
    ("assessing", "in_progress"),
    ("assessing", "closed"),
    ("in_progress", "closed"),
    ("closed", "in_progress"),
}


def _with_status(incident, status):
    Incident.objects.filter(pk=incident.pk).update(status=status)
    return _reload(incident)


def test_the_whole_workflow(personas):
    incident = _register(personas)
    for to_status in ("assessing", "in_progress", "closed"):
        incident_change_status(actor=personas.manager, incident=incident, to_status=to_status)
    incident = _reload(incident)
    assert incident.status == Incident.Status.CLOSED
    assert incident.closed_at is not None
    steps = list(incident.timeline.filter(kind=TimelineEntry.Kind.STATUS).values_list("from_status", "to_status"))
    assert steps == [("reported", "assessing"), ("assessing", "in_progress"), ("in_progress", "closed")]
    events = _events(incident, AuditEvent.Action.UPDATE)
    assert [e.details for e in events] == [
        {"from": "reported", "to": "assessing"},
        {"from": "assessing", "to": "in_progress"},
        {"from": "in_progress", "to": "closed"},
    ]


@pytest.mark.parametrize("from_status, to_status", [(a, b) for a in STATUSES for b in STATUSES])
def test_transitions(personas, from_status, to_status):
    incident = _with_status(_register(personas), from_status)
    if (from_status, to_status) in ALLOWED:
        entry = incident_change_status(
            actor=personas.manager, incident=incident, to_status=to_status, reason="Nye opslag er dukket op"
        )
        assert _reload(incident).status == to_status
        assert (entry.from_status, entry.to_status) == (from_status, to_status)
    else:
        with pytest.raises(TransitionNotAllowed):
            incident_change_status(
                actor=personas.manager, incident=incident, to_status=to_status, reason="Nye opslag er dukket op"
            )
        assert _reload(incident).status == from_status
        assert not incident.timeline.filter(kind=TimelineEntry.Kind.STATUS).exists()
        assert len(_events(incident, AuditEvent.Action.UPDATE)) == 0


def test_reopening_needs_a_reason(personas):
    incident = _register(personas)
    incident_change_status(actor=personas.manager, incident=incident, to_status="closed")
    incident = _reload(incident)
    for reason in ("", "   "):
        with pytest.raises(TransitionNotAllowed, match="genåbnes"):
            incident_change_status(actor=personas.manager, incident=incident, to_status="in_progress", reason=reason)
    assert _reload(incident).status == Incident.Status.CLOSED

    entry = incident_change_status(
        actor=personas.manager, incident=incident, to_status="in_progress", reason="Opslaget er lagt op igen"
    )
    incident = _reload(incident)
    assert incident.status == Incident.Status.IN_PROGRESS
    assert incident.closed_at is None
    assert entry.text == "Opslaget er lagt op igen"


def test_a_refused_transition_explains_itself_in_danish(personas):
    incident = _with_status(_register(personas), "in_progress")
    with pytest.raises(TransitionNotAllowed) as exc:
        incident_change_status(actor=personas.manager, incident=incident, to_status="reported")
    assert "kan ikke flyttes" in str(exc.value)


# --- incident_record_action ------------------------------------------------------------------


def test_a_takedown_request_sets_the_date_and_moves_the_case_to_in_progress(personas):
    incident = _register(personas)
    entry = incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=date(2026, 11, 24),
        note="Sendt via Facebooks formular",
        external_reference="Sag #1234567890",
    )
    incident = _reload(incident)
    assert incident.takedown_requested_at == datetime(2026, 11, 24, 12, 0, tzinfo=COPENHAGEN)
    assert incident.status == Incident.Status.IN_PROGRESS
    assert "takedown_follow_up_7_days" in [d["code"] for d in incident.assessment["deadlines"]]

    assert (entry.kind, entry.action_code, entry.occurred_on) == ("action", "platform_takedown", date(2026, 11, 24))
    assert entry.external_reference == "Sag #1234567890"
    status = incident.timeline.get(kind=TimelineEntry.Kind.STATUS)
    assert (status.from_status, status.to_status) == ("reported", "in_progress")
    [event] = _events(incident, AuditEvent.Action.UPDATE)
    assert event.details == {"action": "platform_takedown", "external_reference": "Sag #1234567890"}


def test_a_second_takedown_keeps_the_first_date(personas):
    incident = _register(personas)
    incident_record_action(
        actor=personas.manager, incident=incident, action_code="platform_takedown", occurred_on=date(2026, 11, 24)
    )
    incident_record_action(
        actor=personas.manager,
        incident=_reload(incident),
        action_code="platform_takedown",
        occurred_on=date(2026, 12, 1),
    )
    assert _reload(incident).takedown_requested_at.date() == date(2026, 11, 24)


@pytest.mark.parametrize(
    "from_status, expected",
    [
        ("reported", "in_progress"),
        ("assessing", "in_progress"),
        ("in_progress", "in_progress"),
        ("closed", "closed"),
    ],
)
def test_an_action_moves_open_cases_forward_only(personas, from_status, expected):
    incident = _with_status(_register(personas), from_status)
    incident_record_action(
        actor=personas.manager, incident=incident, action_code="support_conversation", occurred_on=date(2026, 11, 23)
    )
    incident = _reload(incident)
    assert incident.status == expected
    assert incident.takedown_requested_at is None
    assert incident.timeline.filter(kind=TimelineEntry.Kind.STATUS).exists() == (from_status != expected)


# --- note_add --------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility, visible", [(Note.Visibility.INTERNAL, False), (Note.Visibility.SHARED, True)])
def test_note_add(personas, visibility, visible):
    incident = _register(personas)
    note = note_add(actor=personas.manager, incident=incident, body="Ringede til medarbejderen.", visibility=visibility)
    assert Note.objects.get(pk=note.pk).body == "Ringede til medarbejderen."
    entry = incident.timeline.get(kind=TimelineEntry.Kind.NOTE)
    assert entry.visible_to_employee is visible
    assert entry.text == "Ringede til medarbejderen."
    [event] = [e for e in _events(incident) if e.object_type == "incidents.note"]
    assert event.action == AuditEvent.Action.CREATE
    assert event.object_id == str(note.pk)
    assert event.organisation_id == personas.org.pk
    assert event.details == {"visibility": visibility}


# --- evidence_remove -------------------------------------------------------------------------


@pytest.fixture
def evidence(personas):
    incident = _register(personas)
    content = b"\x89PNG\r\n\x1a\n skaermbillede"
    name = default_storage.save("evidence/test/skaermbillede-under-test", ContentFile(content))
    item = Evidence.objects.create(
        incident=incident,
        file=name,
        original_name="skærmbillede.png",
        content_type="image/png",
        kind=Evidence.Kind.IMAGE,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=personas.manager,
    )
    yield item
    if default_storage.exists(name):
        default_storage.delete(name)


def test_evidence_remove_deletes_the_file_and_keeps_a_tombstone(personas, evidence, django_capture_on_commit_callbacks):
    name, sha256 = evidence.file.name, evidence.sha256
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=personas.manager, evidence=evidence, reason="Forkert fil uploadet")
    assert not default_storage.exists(name)

    tombstone = Evidence.objects.get(pk=evidence.pk)
    assert tombstone.is_removed
    assert tombstone.removed_by == personas.manager
    assert tombstone.removal_reason == "Forkert fil uploadet"
    assert tombstone.file.name == ""
    assert (tombstone.sha256, tombstone.original_name, tombstone.size) == (sha256, "skærmbillede.png", evidence.size)

    entry = evidence.incident.timeline.get(kind=TimelineEntry.Kind.EVIDENCE_REMOVED)
    assert sha256 in entry.text
    assert "Forkert fil uploadet" in entry.text
    [event] = _events(evidence.incident, AuditEvent.Action.DELETE)
    assert event.object_type == "incidents.evidence"
    assert event.details == {"sha256": sha256, "name": "skærmbillede.png", "reason": "Forkert fil uploadet"}


def test_evidence_remove_needs_a_reason(personas, evidence, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError, match="Skriv hvorfor"):
        evidence_remove(actor=personas.manager, evidence=evidence, reason="  ")
    assert default_storage.exists(evidence.file.name)
    assert not Evidence.objects.get(pk=evidence.pk).is_removed


def test_evidence_remove_twice_changes_nothing_the_second_time(personas, evidence, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=personas.manager, evidence=evidence, reason="Forkert fil")
        evidence_remove(actor=personas.manager, evidence=evidence, reason="Igen")
    assert Evidence.objects.get(pk=evidence.pk).removal_reason == "Forkert fil"
    assert evidence.incident.timeline.filter(kind=TimelineEntry.Kind.EVIDENCE_REMOVED).count() == 1
    assert len(_events(evidence.incident, AuditEvent.Action.DELETE)) == 1
