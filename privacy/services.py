"""Data subject requests: register, open, export (JSON, PDF), decide, and erase where the law allows.

Erasure (GDPR art. 17) is carried out only as far as no exception in art. 17(3) applies. The
plan (`erasure_plan`) lists what will be erased and what is kept and why; the page shows it
before the admin confirms, and the same plan is carried out and stored on the request.

Perpetrator (a person named as the one who published):
  - an incident that is still open is kept whole: the case is being handled, and the data are
    needed to establish, exercise or defend legal claims (police report, restraining order,
    compensation) and for the employer's duty to protect the employee (art. 17(3)(b) and (e));
  - an incident under a legal hold is kept whole (art. 17(3)(e));
  - a closed incident whose request for prosecution or private case can still be brought
    (the 6 months of straffeloven § 96, stk. 1: `request_6_months`, before rules 2026.2
    `private_prosecution_6_months`) is kept
    whole until that deadline has passed (art. 17(3)(e));
  - in every other matched incident (closed, no hold, no running deadline) the perpetrator's
    name and profile link are removed; the name is replaced by «[navn slettet]» where it is
    written out in the title, description, publications (title, quote), notes, timeline and
    evidence descriptions (links to the posts stay: they point at the evidence);
    the reports generated from the incident (and their evidence bundles) are deleted, because
    they carry the name; the rest of the case stays for the employee and the statistics until
    retention deletes it. Evidence files (screenshots, recordings) cannot be edited without
    losing their value as evidence (their SHA-256), so they are kept until retention deletes
    the incident; the plan says so.

Employee (a user):
  - the account is deactivated (no sign-in, password unusable), e-mail and phone are cleared,
    sign-in data (e-mail addresses, two-factor keys, API tokens) and the user's roles in the
    organisation are deleted, and so are their notifications and e-mail preferences;
  - incidents where they are a target or the reporter are kept until retention deletes them
    (or the legal hold ends): the employer's duties and possible legal claims (art. 17(3)(b)
    and (e)); so are their name and job title, which those cases and their reports use; only
    when no such incident exists are name and job title cleared and the username replaced;
  - notes they wrote and evidence they uploaded are part of those case files and stay with them;
    recording requests they registered are the authority's record of a decision (art. 17(3)(b));
  - the audit log is append-only and chained (art. 5(2), 32 and 17(3)(b)); it is never changed.

Every step writes audit events (the request, each incident changed, the user changed), and the
request keeps the result. The request itself is kept as the documentation that it was answered.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Membership, User
from audit.models import AuditEvent
from audit.services import audit_record
from common.dates import add_months
from incidents.assessment import Assessment
from incidents.models import Evidence, Incident, Note, Publication, TimelineEntry
from incidents.storage import files_delete_after_commit
from notifications.models import Notification, Preference
from reports.models import EvidenceBundle, Report

from .models import AccessItem, DataSubjectRequest, Exception22
from .selectors import Findings, findings_for

logger = logging.getLogger(__name__)

NAME_REPLACEMENT = "[navn slettet]"

# Sign-in data kept by installed third-party apps, deleted with an employee's account.
SIGN_IN_MODELS = (
    "account.EmailAddress",
    "mfa.Authenticator",
    "authtoken.Token",
    "accounts.ApiToken",
    "socialaccount.SocialAccount",
)


class RequestClosed(ValueError):
    """The request is already completed; nothing more is done to it."""


class ErasureBlocked(ValueError):
    """The erasure cannot be carried out (the message says why, in Danish)."""


# --- Register, open, decide ----------------------------------------------------------------------


@transaction.atomic
def dsr_register(
    *,
    actor,
    organisation,
    kind: str,
    subject_type: str,
    subject_user=None,
    subject_name: str = "",
    received_on: date,
    requester: str,
    request=None,
) -> DataSubjectRequest:
    if subject_type == DataSubjectRequest.SubjectType.EMPLOYEE:
        subject_name = subject_user.get_full_name() or subject_user.get_username()
    else:
        subject_user = None
    dsr = DataSubjectRequest.objects.create(
        organisation=organisation,
        kind=kind,
        subject_type=subject_type,
        subject_user=subject_user,
        subject_name=subject_name.strip(),
        received_on=received_on,
        requester=requester.strip(),
        registered_by=actor,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=dsr,
        summary=_("Anmodning fra en registreret oprettet"),
        details={
            "reference": dsr.reference,
            "kind": kind,
            "subject_type": subject_type,
            "subject_user": subject_user.pk if subject_user else None,
        },
    )
    return dsr


def take_on(dsr: DataSubjectRequest, actor) -> list[str]:
    """The first admin to work on a received request handles it."""
    changed = []
    if dsr.status == DataSubjectRequest.Status.RECEIVED:
        dsr.status = DataSubjectRequest.Status.IN_PROGRESS
        changed.append("status")
    if dsr.handled_by_id is None:
        dsr.handled_by = actor
        changed.append("handled_by")
    return changed


@transaction.atomic
def dsr_open(*, actor, dsr: DataSubjectRequest, findings: Findings, request=None) -> None:
    """The admin opened the request and saw what is stored about the subject: audited, and the
    request moves from received to in progress."""
    changed = take_on(dsr, actor)
    if changed:
        dsr.save(update_fields=[*changed, "updated_at"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.VIEW,
        obj=dsr,
        summary=_("Oplysninger om en registreret vist"),
        details={
            "reference": dsr.reference,
            "found": findings.counts,
            "incidents": [i.reference for i in findings.incidents],
        },
    )


@transaction.atomic
def dsr_decide(
    *, actor, dsr: DataSubjectRequest, decision: str, justification: str, request=None
) -> DataSubjectRequest:
    """Record the decision and close the request (an erasure is granted by carrying it out)."""
    dsr = DataSubjectRequest.objects.select_for_update().get(pk=dsr.pk)
    if dsr.is_completed:
        raise RequestClosed(_("Anmodningen er allerede afsluttet."))
    if dsr.is_erasure and decision != DataSubjectRequest.Decision.REFUSED:
        raise ValueError("an erasure is granted by carrying it out (dsr_erase)")
    changed = take_on(dsr, actor)
    dsr.decision = decision
    dsr.justification = justification.strip()
    dsr.status = DataSubjectRequest.Status.COMPLETED
    dsr.completed_at = timezone.now()
    dsr.save(update_fields=[*changed, "decision", "justification", "status", "completed_at", "updated_at"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=dsr,
        summary=_("Afgørelse om anmodning fra en registreret"),
        details={"reference": dsr.reference, "decision": decision},
    )
    return dsr


# --- The erasure plan ----------------------------------------------------------------------------


@dataclass
class PlanItem:
    what: str
    detail: str = ""
    reason: str = ""


@dataclass
class ErasurePlan:
    erase: list[PlanItem] = field(default_factory=list)
    keep: list[PlanItem] = field(default_factory=list)
    blocked: str = ""
    incident_ids: list[int] = field(default_factory=list)  # perpetrator: incidents to change

    def as_dict(self) -> dict:
        return {"erase": [asdict(i) for i in self.erase], "keep": [asdict(i) for i in self.keep]}


def _reasons() -> dict[str, str]:
    return {
        "open": _(
            "Sagen er åben: oplysningerne bruges til at fastlægge, gøre gældende eller forsvare retskrav og til "
            "arbejdsgiverens pligt til at beskytte medarbejderen (art. 17, stk. 3, litra b og e)."
        ),
        "legal_hold": _(
            "Sagen er under retligt hold (fx en verserende straffesag eller retssag) og må ikke slettes "
            "(art. 17, stk. 3, litra e)."
        ),
        "private_prosecution": _(
            "Fristen for påtalebegæring eller privat straffesag (6 måneder, straffeloven "
            "§ 96, stk. 1) er ikke udløbet (art. 17, stk. 3, litra e)."
        ),
        "evidence": _(
            "Dokumentationsfiler (skærmbilleder, optagelser) gemmes uændret med deres SHA-256 og kan ikke "
            "redigeres uden at miste deres værdi som bevis; de slettes med sagen, når opbevaringsperioden "
            "udløber."
        ),
        "case_file": _(
            "Hændelser, hvor medarbejderen er berørt eller har anmeldt, beholdes, til opbevaringsperioden "
            "efter afslutning udløber eller det retlige hold ophæves: arbejdsgiverens pligter og mulige "
            "retskrav (art. 17, stk. 3, litra b og e)."
        ),
        "name_in_cases": _(
            "Navn og stilling bruges i de hændelser og rapporter, der beholdes; de slettes, når hændelserne er slettet."
        ),
        "case_parts": _("Noter og dokumentation er en del af sagerne og følger dem."),
        "recordings": _(
            "Anmodningen om optagelse er forvaltningens dokumentation af en afgørelse over for en borger "
            "(art. 17, stk. 3, litra b)."
        ),
        "audit": _(
            "Revisionsloggen kan kun tilføjes og er kædet med SHA-256; den dokumenterer, hvem der har set og "
            "ændret hvad, og ændres aldrig (art. 5, stk. 2, art. 32 og art. 17, stk. 3, litra b)."
        ),
    }


def _private_prosecution_due(incident: Incident) -> datetime | None:
    for item in Assessment.from_dict(incident.assessment).deadlines:
        if item.code in ("request_6_months", "private_prosecution_6_months"):  # 2026.2, 2026.1
            return item.due
    return None


def _kept_until(incident: Incident, retention_months: int) -> str:
    if incident.legal_hold:
        return _("beholdes, så længe det retlige hold gælder")
    if incident.is_open or incident.closed_at is None:
        return _("beholdes, mens sagen er åben")
    until = add_months(timezone.localtime(incident.closed_at).date(), retention_months)
    return _("slettes af opbevaringsreglen efter %(date)s") % {"date": until.strftime("%d.%m.%Y")}


def _perpetrator_plan(findings: Findings, now: datetime) -> ErasurePlan:
    reasons = _reasons()
    plan = ErasurePlan()
    reports = findings.section("reports")
    reports_by_incident: dict[str, int] = {}
    for row in reports.rows if reports else ():
        reports_by_incident[row["incident"]] = reports_by_incident.get(row["incident"], 0) + 1
    for incident in findings.incidents:
        due = _private_prosecution_due(incident)
        if incident.is_open:
            plan.keep.append(PlanItem(incident.reference, incident.get_status_display(), reasons["open"]))
        elif incident.legal_hold:
            plan.keep.append(PlanItem(incident.reference, _("Retligt hold"), reasons["legal_hold"]))
        elif due is not None and due > now:
            plan.keep.append(
                PlanItem(
                    incident.reference,
                    _("Frist %(date)s") % {"date": timezone.localtime(due).strftime("%d.%m.%Y")},
                    reasons["private_prosecution"],
                )
            )
        else:
            plan.incident_ids.append(incident.pk)
            count = reports_by_incident.get(incident.reference, 0)
            detail = _(
                "Afsenderens navn og profil-link fjernes; navnet erstattes med «%(replacement)s», hvor det "
                "står i overskrift, beskrivelse, offentliggørelser, noter, tidslinje og beskrivelser af "
                "dokumentation."
            ) % {"replacement": NAME_REPLACEMENT}
            if count:
                detail += " " + _("%(count)s rapport(er) med navnet slettes.") % {"count": count}
            plan.erase.append(PlanItem(incident.reference, detail))
    if plan.incident_ids:
        plan.keep.append(PlanItem(_("Dokumentationsfiler i de ændrede sager"), "", reasons["evidence"]))
    return plan


def _employee_plan(findings: Findings, actor) -> ErasurePlan:
    reasons = _reasons()
    dsr, user = findings.request, findings.user
    plan = ErasurePlan()
    if user is None:
        plan.blocked = _("Medarbejderens bruger findes ikke længere.")
        return plan
    if actor is not None and user.pk == actor.pk:
        plan.blocked = _("Du kan ikke slette oplysningerne om din egen bruger. Bed en anden administrator om det.")
    counts = findings.counts
    plan.erase.append(
        PlanItem(
            _("Brugerkontoen deaktiveres"), _("Medarbejderen kan ikke længere logge ind; adgangskoden gøres ubrugelig.")
        )
    )
    plan.erase.append(PlanItem(_("E-mail og telefon"), _("Slettes fra brugerprofilen.")))
    plan.erase.append(PlanItem(_("Log-ind-oplysninger"), _("E-mailadresser, tofaktornøgler og API-nøgler slettes.")))
    if counts.get("memberships"):
        plan.erase.append(
            PlanItem(_("Roller"), _("%(n)s medlemskab(er) i organisationen slettes.") % {"n": counts["memberships"]})
        )
    if counts.get("notifications") or counts.get("preferences"):
        plan.erase.append(
            PlanItem(
                _("Notifikationer"),
                _("%(n)s notifikation(er) og %(p)s e-mail-valg slettes.")
                % {"n": counts.get("notifications", 0), "p": counts.get("preferences", 0)},
            )
        )
    if findings.incidents:
        for incident in findings.incidents:
            plan.keep.append(
                PlanItem(
                    incident.reference,
                    f"{incident.get_status_display()}; {_kept_until(incident, dsr.organisation.retention_months)}",
                    reasons["case_file"],
                )
            )
        plan.keep.append(PlanItem(_("Navn og stilling"), "", reasons["name_in_cases"]))
    else:
        plan.erase.append(
            PlanItem(
                _("Navn og stilling"), _("Slettes, og brugernavnet erstattes med «slettet-%(id)s».") % {"id": user.pk}
            )
        )
    if counts.get("notes") or counts.get("evidence"):
        plan.keep.append(
            PlanItem(
                _("Noter og dokumentation"),
                _("%(n)s note(r), %(e)s fil(er)") % {"n": counts.get("notes", 0), "e": counts.get("evidence", 0)},
                reasons["case_parts"],
            )
        )
    if counts.get("recording_requests"):
        plan.keep.append(
            PlanItem(_("Anmodninger om optagelse"), str(counts["recording_requests"]), reasons["recordings"])
        )
    plan.keep.append(PlanItem(_("Revisionsloggen"), "", reasons["audit"]))
    return plan


def erasure_plan(findings: Findings, *, actor=None, now: datetime | None = None) -> ErasurePlan:
    """What an erasure for the request's subject would erase, and what it keeps and why."""
    if findings.request.is_employee:
        return _employee_plan(findings, actor)
    return _perpetrator_plan(findings, now or timezone.now())


# --- Carrying out the erasure ----------------------------------------------------------------------


def _replace_names(pattern: re.Pattern, obj, fields: tuple[str, ...]) -> bool:
    changed = []
    for name in fields:
        value = getattr(obj, name)
        new = pattern.sub(NAME_REPLACEMENT, value) if value else value
        if new != value:
            setattr(obj, name, new)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def _erase_perpetrator(*, actor, dsr: DataSubjectRequest, plan: ErasurePlan, request=None) -> list[str]:
    files: list[str] = []
    for incident in Incident.objects.select_for_update().filter(pk__in=plan.incident_ids).order_by("pk"):
        names = sorted({dsr.subject_name.strip(), incident.perpetrator_name.strip()} - {""}, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
        texts = 0
        for obj, fields in (
            [(incident, ("title", "description"))]
            + [(p, ("title", "quote")) for p in Publication.objects.filter(incident=incident)]
            + [(n, ("body",)) for n in Note.objects.filter(incident=incident)]
            + [(t, ("text",)) for t in TimelineEntry.objects.filter(incident=incident)]
            + [(e, ("description",)) for e in Evidence.objects.filter(incident=incident)]
        ):
            texts += _replace_names(pattern, obj, fields)
        incident.perpetrator_name = ""
        incident.perpetrator_profile_url = ""
        incident.save(update_fields=["perpetrator_name", "perpetrator_profile_url", "updated_at"])
        reports = list(Report.objects.filter(incident=incident))
        files += [r.file.name for r in reports if r.file.name]
        files += [b.file.name for b in EvidenceBundle.objects.filter(report__in=reports) if b.file.name]
        Report.objects.filter(pk__in=[r.pk for r in reports]).delete()
        TimelineEntry.objects.create(
            incident=incident,
            actor=actor,
            kind=TimelineEntry.Kind.EDITED,
            visible_to_employee=False,
            occurred_on=timezone.localdate(),
            text=_("Afsenderens navn og profil-link slettet efter anmodning %(reference)s")
            % {"reference": dsr.reference},
        )
        audit_record(
            request=request,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=incident,
            summary=_("Afsenderens navn slettet efter anmodning fra den registrerede"),
            details={
                "request": dsr.reference,
                "texts_changed": texts,
                "reports_deleted": [{"kind": r.kind, "version": r.version, "sha256": r.sha256} for r in reports],
            },
        )
    files_delete_after_commit(files)  # retried by the nightly retention run if it fails
    return files


def _erase_employee(*, actor, dsr: DataSubjectRequest, findings: Findings, request=None) -> None:
    assert findings.user is not None, "the findings of an employee request name the employee"
    user = User.objects.select_for_update().get(pk=findings.user.pk)
    org = dsr.organisation_id
    user.is_active = False
    user.email = ""
    user.phone = ""
    user.set_unusable_password()
    fields = ["is_active", "email", "phone", "password"]
    if not findings.incidents:
        user.first_name = user.last_name = user.job_title = ""
        user.username = f"slettet-{user.pk}"
        fields += ["first_name", "last_name", "job_title", "username"]
    user.save(update_fields=fields)
    deleted = {
        "memberships": Membership.objects.filter(user=user, unit__organisation_id=org).delete()[0],
        "notifications": Notification.objects.filter(recipient=user, organisation_id=org).delete()[0],
        "preferences": Preference.objects.filter(user=user).delete()[0],
    }
    for label in SIGN_IN_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        deleted[label] = model.objects.filter(user=user).delete()[0]
    permissions.forget(user)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        organisation_id=org,
        summary=_("Medarbejderens oplysninger slettet efter anmodning"),
        details={"request": dsr.reference, "fields_cleared": fields, "deleted": deleted},
    )


@transaction.atomic
def dsr_erase(*, actor, dsr: DataSubjectRequest, justification: str = "", request=None) -> DataSubjectRequest:
    """Carry out the erasure plan and store the result on the request (see the module docstring)."""
    dsr = (
        DataSubjectRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "subject_user")
        .get(pk=dsr.pk)
    )
    if not dsr.is_erasure:
        raise ErasureBlocked(_("Kun en anmodning om sletning kan føre til sletning."))
    if dsr.is_completed:
        raise RequestClosed(_("Anmodningen er allerede afsluttet."))
    findings = findings_for(dsr, audit_limit=0)
    plan = erasure_plan(findings, actor=actor)
    if plan.blocked:
        raise ErasureBlocked(plan.blocked)
    if dsr.is_employee:
        _erase_employee(actor=actor, dsr=dsr, findings=findings, request=request)
        files: list[str] = []
    else:
        files = _erase_perpetrator(actor=actor, dsr=dsr, plan=plan, request=request)
    now = timezone.now()
    changed = take_on(dsr, actor)
    dsr.erasure_result = {
        "executed_at": now.isoformat(),
        "executed_by": actor.get_username(),
        **plan.as_dict(),
        "files_deleted": len(files),
    }
    dsr.decision = DataSubjectRequest.Decision.PARTLY_GRANTED if plan.keep else DataSubjectRequest.Decision.GRANTED
    summary = _("Slettet: %(erased)s punkt(er). Beholdt: %(kept)s punkt(er), se begrundelserne.") % {
        "erased": len(plan.erase),
        "kept": len(plan.keep),
    }
    dsr.justification = "\n\n".join(part for part in (justification.strip(), summary) if part)
    dsr.status = DataSubjectRequest.Status.COMPLETED
    dsr.completed_at = now
    dsr.save(
        update_fields=[*changed, "erasure_result", "decision", "justification", "status", "completed_at", "updated_at"]
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=dsr,
        summary=_("Sletning efter anmodning fra en registreret udført"),
        details={
            "reference": dsr.reference,
            "erased": len(plan.erase),
            "kept": len(plan.keep),
            "incidents_changed": len(plan.incident_ids),
            "files_deleted": len(files),
        },
    )
    return dsr


# --- Identity check, near matches, withholding --------------------------------------------------------


@transaction.atomic
def dsr_identity_record(
    *, actor, dsr: DataSubjectRequest, check: str, profile_url: str = "", request=None
) -> DataSubjectRequest:
    """Record how the requester's identity was checked (and the profile link the request gives)."""
    dsr.identity_check = check.strip()
    dsr.identity_checked_at, dsr.identity_checked_by = timezone.now(), actor
    fields = ["identity_check", "identity_checked_at", "identity_checked_by", "updated_at"]
    if not dsr.is_employee:
        dsr.subject_profile_url = profile_url.strip()
        fields.append("subject_profile_url")
    dsr.save(update_fields=fields)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=dsr,
        summary=_("Identitetskontrol registreret"),
        details={
            "reference": dsr.reference,
            "identity_check": dsr.identity_check,
            "profile_url": dsr.subject_profile_url,
        },
    )
    return dsr


@transaction.atomic
def access_item_decide(
    *,
    actor,
    dsr: DataSubjectRequest,
    key: str,
    included: bool | None = None,
    withheld: bool = False,
    exception: str = "",
    reason: str = "",
    request=None,
) -> AccessItem:
    """Include or leave out a near match, or withhold an item under § 22 with its exception and reason."""
    if withheld and (exception not in Exception22.values or not reason.strip()):
        raise ValueError("a withheld item names its exception and reason")
    item, _created = AccessItem.objects.get_or_create(request=dsr, key=key, defaults={"decided_by": actor})
    if included is not None:
        item.included = included
    item.withheld = withheld
    item.exception = exception if withheld else ""
    item.reason = reason.strip() if withheld else ""
    item.decided_by = actor
    item.save()
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=dsr,
        summary=_("Punkt i indsigt vurderet"),
        details={
            "reference": dsr.reference,
            "key": key,
            "included": item.included,
            "withheld": item.withheld,
            "exception": item.exception,
            "reason": item.reason,
        },
    )
    return item


# The exports of what is held about a person (their own module; part of this interface).
from .exports import (  # noqa: E402, F401
    EXPORT_FORMAT,
    Export,
    access_export_download,
    access_export_fail,
    access_export_render,
    access_export_request,
    dsr_export,
    export_data,
    render_json,
    render_pdf,
    render_pdf_html,
    withheld_statement,
)
