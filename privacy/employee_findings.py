"""What the organisation holds about one of its own employees (an access request, GDPR art. 15):
their profile and roles, the incidents they are part of, notes, messages, evidence, shares,
notifications, preferences, recording requests and the audit events about and by them.

Sections built on `privacy.selectors`'s Findings; `findings_for` calls `employee_findings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from audit.models import AuditEvent
from incidents.models import CaseMessage, Evidence, Incident, IncidentShare, Note
from notifications.models import Notification, Preference
from recordings.models import RecordingRequest

from .models import DataSubjectRequest
from .selectors import Findings, Section, _columns

# Audit events of the subject's own actions can run to thousands: the page and the PDF show
# the newest ones and the count; the JSON export holds them all.


# --- Employee ------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "is_active",
    "date_joined",
    "last_login",
)


def _profile(user: User) -> Section:
    return Section(
        "profile",
        _("Brugerprofil"),
        _columns(User, PROFILE_FIELDS),
        [{name: getattr(user, name) for name in PROFILE_FIELDS}],
    )


def _memberships(user: User, org: int) -> Section:
    rows = [
        {"unit": m.unit.name, "role": m.get_role_display(), "created_at": m.created_at}
        for m in Membership.objects.filter(user=user, unit__organisation_id=org)
        .select_related("unit")
        .order_by("unit__name", "role")
    ]
    return Section(
        "memberships",
        _("Roller (medlemskaber)"),
        _columns(Membership, ("unit", "role", "created_at"), unit=_("enhed"), created_at=_("oprettet")),
        rows,
    )


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Relation(TypedDict):
        subject_is_target: bool

    # An incident as employee_incidents gives it: `subject_is_target` comes from its annotate().
    EmployeeIncident = WithAnnotations[Incident, _Relation]


def employee_incidents(user: User, org: int) -> QuerySet[EmployeeIncident]:
    through = Incident.targets.through
    return (
        Incident.objects.filter(unit__organisation_id=org)
        .annotate(subject_is_target=Exists(through.objects.filter(incident_id=OuterRef("pk"), user_id=user.pk)))
        .filter(Q(subject_is_target=True) | Q(reporter=user))
        .select_related("unit")
        .order_by("-registered_at", "-id")
    )


def _relation(incident: EmployeeIncident, user: User) -> str:
    parts = []
    if incident.subject_is_target:
        parts.append(_("berørt"))
    if incident.reporter_id == user.pk:
        parts.append(_("anmeldt af"))
    return ", ".join(parts)


INCIDENT_FIELDS = (
    "reference",
    "title",
    "status",
    "unit",
    "relation",
    "registered_at",
    "closed_at",
    "legal_hold",
    "description",
)


def _employee_incidents(user: User, incidents: list[EmployeeIncident]) -> Section:
    rows = [
        {
            "reference": i.reference,
            "title": i.title,
            "status": i.get_status_display(),
            "unit": i.unit.name,
            "relation": _relation(i, user),
            "registered_at": i.registered_at,
            "closed_at": i.closed_at,
            "legal_hold": i.legal_hold,
            "description": i.description,
        }
        for i in incidents
    ]
    return Section(
        "incidents",
        _("Hændelser, hvor medarbejderen er berørt eller har anmeldt"),
        _columns(Incident, INCIDENT_FIELDS, relation=_("forhold til sagen")),
        rows,
    )


def _notes(user: User, org: int) -> Section:
    rows = [
        {
            "incident": n.incident.reference,
            "visibility": n.get_visibility_display(),
            "created_at": n.created_at,
            "body": n.body,
        }
        for n in Note.objects.filter(author=user, incident__unit__organisation_id=org)
        .select_related("incident")
        .order_by("created_at", "id")
    ]
    return Section(
        "notes",
        _("Noter skrevet af medarbejderen"),
        _columns(Note, ("incident", "visibility", "created_at", "body"), incident=_("sag"), created_at=_("skrevet")),
        rows,
    )


def _messages(user: User, org: int) -> Section:
    """Messages the user wrote in a case thread (issue 17)."""
    rows = [
        {"incident": m.incident.reference, "created_at": m.created_at, "body": m.body}
        for m in CaseMessage.objects.filter(author=user, incident__unit__organisation_id=org)
        .select_related("incident")
        .order_by("created_at", "id")
    ]
    return Section(
        "messages",
        _("Beskeder skrevet af medarbejderen"),
        _columns(CaseMessage, ("incident", "created_at", "body"), incident=_("sag")),
        rows,
    )


def _evidence(user: User, org: int) -> Section:
    names = ("incident", "original_name", "kind", "size", "sha256", "uploaded_at", "removed_at")
    rows = [
        {
            "incident": e.incident.reference,
            "original_name": e.original_name,
            "kind": e.get_kind_display(),
            "size": e.size,
            "sha256": e.sha256,
            "uploaded_at": e.uploaded_at,
            "removed_at": e.removed_at,
        }
        for e in Evidence.objects.filter(uploaded_by=user, incident__unit__organisation_id=org)
        .select_related("incident")
        .order_by("uploaded_at", "id")
    ]
    return Section(
        "evidence",
        _("Dokumentation uploadet af medarbejderen"),
        _columns(Evidence, names, incident=_("sag")),
        rows,
        note=_("Filerne selv udleveres ikke her; de ligger uændret i sagerne."),
    )


def _shares(user: User, org: int) -> Section:
    rows = [
        {
            "incident": s.incident.reference,
            "union_rep": str(s.union_rep),
            "shared_by": str(s.shared_by or "–"),
            "created_at": s.created_at,
            "withdrawn_at": s.withdrawn_at,
        }
        for s in IncidentShare.objects.filter(
            Q(union_rep=user) | Q(shared_by=user), incident__unit__organisation_id=org
        )
        .select_related("incident", "union_rep", "shared_by")
        .order_by("created_at", "id")
    ]
    return Section(
        "shares",
        _("Delinger med tillidsrepræsentanter"),
        _columns(
            IncidentShare, ("incident", "union_rep", "shared_by", "created_at", "withdrawn_at"), incident=_("sag")
        ),
        rows,
    )


def _notifications(user: User, org: int) -> Section:
    names = ("created_at", "kind", "channel", "subject", "state", "read_at")
    rows = [
        {
            "created_at": n.created_at,
            "kind": n.get_kind_display(),
            "channel": n.get_channel_display(),
            "subject": n.subject,
            "state": n.get_state_display(),
            "read_at": n.read_at,
        }
        for n in Notification.objects.filter(recipient=user, organisation_id=org)
        .only(*names)
        .order_by("created_at", "id")
    ]
    return Section("notifications", _("Notifikationer til medarbejderen"), _columns(Notification, names), rows)


def _preferences(user: User) -> Section:
    rows = [
        {"kind": p.get_kind_display(), "email": p.email} for p in Preference.objects.filter(user=user).order_by("kind")
    ]
    return Section("preferences", _("Valg af e-mail pr. notifikation"), _columns(Preference, ("kind", "email")), rows)


def _recordings(user: User, org: int) -> Section:
    names = ("reference", "request_date", "unit", "media", "setting", "decision", "registered_at")
    rows = [
        {
            "reference": r.reference,
            "request_date": r.request_date,
            "unit": r.unit.name,
            "media": r.get_media_display(),
            "setting": r.get_setting_display(),
            "decision": r.get_decision_display(),
            "registered_at": r.registered_at,
        }
        for r in RecordingRequest.objects.filter(registered_by=user, unit__organisation_id=org)
        .select_related("unit")
        .order_by("request_date", "id")
    ]
    return Section(
        "recording_requests",
        _("Anmodninger om optagelse registreret af medarbejderen"),
        _columns(RecordingRequest, names, reference=_("nummer")),
        rows,
    )


AUDIT_FIELDS = ("at", "actor_label", "action", "object_type", "incident_reference", "summary")


def _audit_rows(events) -> list[dict]:
    return [
        {
            "at": e.at,
            "actor_label": e.actor_label,
            "action": e.get_action_display(),
            "object_type": e.object_type,
            "incident_reference": e.incident_reference,
            "summary": e.summary,
        }
        for e in events
    ]


def _audit_about(user: User, org: int) -> Section:
    events = (
        AuditEvent.objects.filter(organisation_id=org, object_type=User._meta.label_lower, object_id=str(user.pk))
        .only(*AUDIT_FIELDS)
        .order_by("id")
    )
    return Section(
        "audit_about",
        _("Revisionslog: hændelser om medarbejderens bruger"),
        _columns(AuditEvent, AUDIT_FIELDS),
        _audit_rows(events),
    )


def _audit_by(user: User, org: int, limit: int | None) -> Section:
    events = AuditEvent.objects.filter(organisation_id=org, actor=user).only(*AUDIT_FIELDS).order_by("-id")
    total = None
    if limit is not None:
        total = events.count()
        events = events[:limit]
    rows = _audit_rows(events)
    section = Section(
        "audit_by",
        _("Revisionslog: medarbejderens egne handlinger"),
        _columns(AuditEvent, AUDIT_FIELDS),
        rows,
        total=total,
    )
    if section.truncated:
        section.note = _("De nyeste %(shown)s af %(total)s hændelser vises; JSON-udtrækket indeholder dem alle.") % {
            "shown": len(rows),
            "total": total,
        }
    return section


def employee_findings(dsr: DataSubjectRequest, audit_limit: int | None) -> Findings:
    user, org = dsr.subject_user, dsr.organisation_id
    if user is None:
        return Findings(dsr, [])
    incidents = list(employee_incidents(user, org))
    return Findings(
        dsr,
        [
            _profile(user),
            _memberships(user, org),
            _employee_incidents(user, incidents),
            _notes(user, org),
            _messages(user, org),
            _evidence(user, org),
            _shares(user, org),
            _notifications(user, org),
            _preferences(user),
            _recordings(user, org),
            _audit_about(user, org),
            _audit_by(user, org, audit_limit),
        ],
        incidents=incidents,
        user=user,
    )
