"""Everything stored about the subject of a request, within the request's organisation.

`findings_for` returns `Findings`: sections of rows that the page, the PDF and the JSON
export all show (one query per section, whatever the number of rows). Values stay Python
values in `rows` (for JSON); `display_rows()` formats them for people, in Danish.

Employee (a user): the user profile, memberships, incidents where they are a target or the
reporter, notes they wrote, evidence they uploaded, shares with union reps, notifications and
e-mail preferences, recording requests they registered, audit events about their user and
audit events of their own actions.

Perpetrator (a name): the incidents whose perpetrator name matches the name given, their
publications and the reports generated from them (the reports carry the name). A name matches
when every word of the given name is a word of the stored name, compared case-insensitively
(casefold, so Æ/æ, Ø/ø and Å/å match on every database): "Jens Hansen" finds "jens HANSEN"
and "Jens Peter Hansen", not "Jensine Hansen". Matching is done in Python over the
organisation's incidents that have a perpetrator name (one query of two columns).

Only rows of the request's organisation are read: incidents by their unit, notifications by
their organisation, audit events by their organisation id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from audit.models import AuditEvent
from incidents.models import CaseMessage, Evidence, Incident, IncidentShare, Note, Publication
from notifications.models import Notification, Preference
from recordings.models import RecordingRequest
from reports.models import Report

from .models import DataSubjectRequest

# Audit events of the subject's own actions can run to thousands: the page and the PDF show
# the newest ones and the count; the JSON export holds them all.
OWN_AUDIT_EVENTS_SHOWN = 200

_WORD = re.compile(r"\w+")


def name_words(name: str) -> frozenset[str]:
    return frozenset(_WORD.findall(name.casefold()))


def name_matches(given: str, stored: str) -> bool:
    words = name_words(given)
    return bool(words) and words <= name_words(stored)


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: int | None = None       # when more rows exist than `rows` holds
    note: str = ""

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.rows)

    @property
    def truncated(self) -> bool:
        return self.total is not None and self.total > len(self.rows)

    def display_rows(self) -> list[list[str]]:
        return [[display(row.get(column.key)) for column in self.columns] for row in self.rows]

    def display_records(self) -> list[list[tuple[str, str]]]:
        """Each row as (label, value) pairs: for the PDF, where a wide table does not fit on A4."""
        return [[(column.label, display(row.get(column.key))) for column in self.columns] for row in self.rows]

    @property
    def is_wide(self) -> bool:
        return len(self.columns) > 4


@dataclass
class Findings:
    request: DataSubjectRequest
    sections: list[Section]
    # For the erasure plan: the incidents concerned, and for a perpetrator the exact names matched.
    incidents: list[Incident] = field(default_factory=list)
    user: User | None = None

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def counts(self) -> dict[str, int]:
        return {s.key: s.count for s in self.sections}

    @property
    def is_empty(self) -> bool:
        return not any(s.count for s in self.sections)


def display(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j. F Y H.i")
    if isinstance(value, date):
        return formats.date_format(value, "j. F Y")
    return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _columns(model, names, **extra: str) -> list[Column]:
    """Columns labelled with the model's own verbose names (or the labels given)."""
    return [Column(name, str(extra[name]) if name in extra else _label(model, name)) for name in names]


# --- Employee ------------------------------------------------------------------------------

PROFILE_FIELDS = ("username", "first_name", "last_name", "email", "job_title", "phone", "is_active",
                  "date_joined", "last_login")


def _profile(user: User) -> Section:
    return Section("profile", _("Brugerprofil"), _columns(User, PROFILE_FIELDS),
                   [{name: getattr(user, name) for name in PROFILE_FIELDS}])


def _memberships(user: User, org: int) -> Section:
    rows = [{"unit": m.unit.name, "role": m.get_role_display(), "created_at": m.created_at}
            for m in Membership.objects.filter(user=user, unit__organisation_id=org).select_related("unit")
            .order_by("unit__name", "role")]
    return Section("memberships", _("Roller (medlemskaber)"),
                   _columns(Membership, ("unit", "role", "created_at"), unit=_("enhed"), created_at=_("oprettet")),
                   rows)


def employee_incidents(user: User, org: int):
    through = Incident.targets.through
    return (Incident.objects.filter(unit__organisation_id=org)
            .annotate(subject_is_target=Exists(through.objects.filter(incident_id=OuterRef("pk"), user_id=user.pk)))
            .filter(Q(subject_is_target=True) | Q(reporter=user))
            .select_related("unit").order_by("-registered_at", "-id"))


def _relation(incident: Incident, user: User) -> str:
    parts = []
    if incident.subject_is_target:
        parts.append(_("berørt"))
    if incident.reporter_id == user.pk:
        parts.append(_("anmeldt af"))
    return ", ".join(parts)


INCIDENT_FIELDS = ("reference", "title", "status", "unit", "relation", "registered_at", "closed_at", "legal_hold",
                   "description")


def _employee_incidents(user: User, incidents: list[Incident]) -> Section:
    rows = [{"reference": i.reference, "title": i.title, "status": i.get_status_display(), "unit": i.unit.name,
             "relation": _relation(i, user), "registered_at": i.registered_at, "closed_at": i.closed_at,
             "legal_hold": i.legal_hold, "description": i.description} for i in incidents]
    return Section("incidents", _("Hændelser, hvor medarbejderen er berørt eller har anmeldt"),
                   _columns(Incident, INCIDENT_FIELDS, relation=_("forhold til sagen")), rows)


def _notes(user: User, org: int) -> Section:
    rows = [{"incident": n.incident.reference, "visibility": n.get_visibility_display(), "created_at": n.created_at,
             "body": n.body}
            for n in Note.objects.filter(author=user, incident__unit__organisation_id=org)
            .select_related("incident").order_by("created_at", "id")]
    return Section("notes", _("Noter skrevet af medarbejderen"),
                   _columns(Note, ("incident", "visibility", "created_at", "body"), incident=_("sag"),
                            created_at=_("skrevet")), rows)


def _messages(user: User, org: int) -> Section:
    """Messages the user wrote in a case thread (issue 17)."""
    rows = [{"incident": m.incident.reference, "created_at": m.created_at, "body": m.body}
            for m in CaseMessage.objects.filter(author=user, incident__unit__organisation_id=org)
            .select_related("incident").order_by("created_at", "id")]
    return Section("messages", _("Beskeder skrevet af medarbejderen"),
                   _columns(CaseMessage, ("incident", "created_at", "body"), incident=_("sag")), rows)


def _evidence(user: User, org: int) -> Section:
    names = ("incident", "original_name", "kind", "size", "sha256", "uploaded_at", "removed_at")
    rows = [{"incident": e.incident.reference, "original_name": e.original_name, "kind": e.get_kind_display(),
             "size": e.size, "sha256": e.sha256, "uploaded_at": e.uploaded_at, "removed_at": e.removed_at}
            for e in Evidence.objects.filter(uploaded_by=user, incident__unit__organisation_id=org)
            .select_related("incident").order_by("uploaded_at", "id")]
    return Section("evidence", _("Dokumentation uploadet af medarbejderen"),
                   _columns(Evidence, names, incident=_("sag")), rows,
                   note=_("Filerne selv udleveres ikke her; de ligger uændret i sagerne."))


def _shares(user: User, org: int) -> Section:
    rows = [{"incident": s.incident.reference, "union_rep": str(s.union_rep), "shared_by": str(s.shared_by or "–"),
             "created_at": s.created_at, "withdrawn_at": s.withdrawn_at}
            for s in IncidentShare.objects.filter(Q(union_rep=user) | Q(shared_by=user),
                                                  incident__unit__organisation_id=org)
            .select_related("incident", "union_rep", "shared_by").order_by("created_at", "id")]
    return Section("shares", _("Delinger med tillidsrepræsentanter"),
                   _columns(IncidentShare, ("incident", "union_rep", "shared_by", "created_at", "withdrawn_at"),
                            incident=_("sag")), rows)


def _notifications(user: User, org: int) -> Section:
    names = ("created_at", "kind", "channel", "subject", "state", "read_at")
    rows = [{"created_at": n.created_at, "kind": n.get_kind_display(), "channel": n.get_channel_display(),
             "subject": n.subject, "state": n.get_state_display(), "read_at": n.read_at}
            for n in Notification.objects.filter(recipient=user, organisation_id=org)
            .only(*names).order_by("created_at", "id")]
    return Section("notifications", _("Notifikationer til medarbejderen"), _columns(Notification, names), rows)


def _preferences(user: User) -> Section:
    rows = [{"kind": p.get_kind_display(), "email": p.email}
            for p in Preference.objects.filter(user=user).order_by("kind")]
    return Section("preferences", _("Valg af e-mail pr. notifikation"), _columns(Preference, ("kind", "email")), rows)


def _recordings(user: User, org: int) -> Section:
    names = ("reference", "request_date", "unit", "media", "setting", "decision", "registered_at")
    rows = [{"reference": r.reference, "request_date": r.request_date, "unit": r.unit.name,
             "media": r.get_media_display(), "setting": r.get_setting_display(),
             "decision": r.get_decision_display(), "registered_at": r.registered_at}
            for r in RecordingRequest.objects.filter(registered_by=user, unit__organisation_id=org)
            .select_related("unit").order_by("request_date", "id")]
    return Section("recording_requests", _("Anmodninger om optagelse registreret af medarbejderen"),
                   _columns(RecordingRequest, names, reference=_("nummer")), rows)


AUDIT_FIELDS = ("at", "actor_label", "action", "object_type", "incident_reference", "summary")


def _audit_rows(events) -> list[dict]:
    return [{"at": e.at, "actor_label": e.actor_label, "action": e.get_action_display(),
             "object_type": e.object_type, "incident_reference": e.incident_reference, "summary": e.summary}
            for e in events]


def _audit_about(user: User, org: int) -> Section:
    events = (AuditEvent.objects.filter(organisation_id=org, object_type=User._meta.label_lower,
                                        object_id=str(user.pk))
              .only(*AUDIT_FIELDS).order_by("id"))
    return Section("audit_about", _("Revisionslog: hændelser om medarbejderens bruger"),
                   _columns(AuditEvent, AUDIT_FIELDS), _audit_rows(events))


def _audit_by(user: User, org: int, limit: int | None) -> Section:
    events = AuditEvent.objects.filter(organisation_id=org, actor=user).only(*AUDIT_FIELDS).order_by("-id")
    total = None
    if limit is not None:
        total = events.count()
        events = events[:limit]
    rows = _audit_rows(events)
    section = Section("audit_by", _("Revisionslog: medarbejderens egne handlinger"),
                      _columns(AuditEvent, AUDIT_FIELDS), rows, total=total)
    if section.truncated:
        section.note = _("De nyeste %(shown)s af %(total)s hændelser vises; JSON-udtrækket indeholder dem alle.") % {
            "shown": len(rows), "total": total}
    return section


def _employee_findings(dsr: DataSubjectRequest, audit_limit: int | None) -> Findings:
    user, org = dsr.subject_user, dsr.organisation_id
    if user is None:
        return Findings(dsr, [])
    incidents = list(employee_incidents(user, org))
    return Findings(dsr, [
        _profile(user), _memberships(user, org), _employee_incidents(user, incidents), _notes(user, org),
        _messages(user, org), _evidence(user, org), _shares(user, org), _notifications(user, org), _preferences(user),
        _recordings(user, org), _audit_about(user, org), _audit_by(user, org, audit_limit),
    ], incidents=incidents, user=user)


# --- Perpetrator ---------------------------------------------------------------------------

def perpetrator_incident_ids(name: str, organisation_id: int) -> list[int]:
    candidates = (Incident.objects.filter(unit__organisation_id=organisation_id).exclude(perpetrator_name="")
                  .values_list("pk", "perpetrator_name"))
    return [pk for pk, stored in candidates.iterator(chunk_size=5000) if name_matches(name, stored)]


PERPETRATOR_INCIDENT_FIELDS = ("reference", "title", "status", "unit", "perpetrator_name", "perpetrator_profile_url",
                               "perpetrator_relation", "discovered_at", "registered_at", "closed_at", "legal_hold")


def _perpetrator_findings(dsr: DataSubjectRequest) -> Findings:
    ids = perpetrator_incident_ids(dsr.subject_name, dsr.organisation_id)
    incidents = list(Incident.objects.filter(pk__in=ids).select_related("unit").order_by("-registered_at", "-id"))
    incident_rows = [{
        "reference": i.reference, "title": i.title, "status": i.get_status_display(), "unit": i.unit.name,
        "perpetrator_name": i.perpetrator_name, "perpetrator_profile_url": i.perpetrator_profile_url,
        "perpetrator_relation": i.get_perpetrator_relation_display(), "discovered_at": i.discovered_at,
        "registered_at": i.registered_at, "closed_at": i.closed_at, "legal_hold": i.legal_hold,
    } for i in incidents]
    pub_names = ("incident", "platform", "url", "title", "published_at", "quote")
    publications = [{"incident": p.incident.reference, "platform": p.get_platform_display(), "url": p.url,
                     "title": p.title, "published_at": p.published_at, "quote": p.quote}
                    for p in Publication.objects.filter(incident_id__in=ids).select_related("incident")
                    .order_by("incident__registered_at", "published_at", "id")]
    report_names = ("incident", "kind", "version", "requested_at", "sha256")
    reports = [{"incident": r.incident.reference, "kind": r.get_kind_display(), "version": r.version,
                "requested_at": r.requested_at, "sha256": r.sha256}
               for r in Report.objects.filter(incident_id__in=ids).select_related("incident")
               .order_by("incident__registered_at", "requested_at", "id")]
    return Findings(dsr, [
        Section("incidents", _("Hændelser, hvor afsenderens navn svarer til navnet"),
                _columns(Incident, PERPETRATOR_INCIDENT_FIELDS), incident_rows,
                note=_("Et navn svarer til, når hvert ord i det oplyste navn står i det registrerede navn "
                       "(uden forskel på store og små bogstaver).")),
        Section("publications", _("Offentliggørelser i de hændelser"),
                _columns(Publication, pub_names, incident=_("sag")), publications),
        Section("reports", _("Rapporter dannet i de hændelser (indeholder navnet)"),
                _columns(Report, report_names, incident=_("sag")), reports),
    ], incidents=incidents)


def findings_for(dsr: DataSubjectRequest, *, audit_limit: int | None = OWN_AUDIT_EVENTS_SHOWN) -> Findings:
    """What is stored about the request's subject in its organisation (see the module docstring)."""
    if dsr.is_employee:
        return _employee_findings(dsr, audit_limit)
    return _perpetrator_findings(dsr)

