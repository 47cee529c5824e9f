"""What each report kind says: the facts of an incident, chosen and shaped for one recipient.

`report_context(report)` loads everything the PDF template needs in a fixed number of
queries (however many publications or files there are) and applies the manager's
options: which publications, whether the perpetrator is named, whether internal notes
are included. The lists of what is missing (`missing_information`, shown before
generating) and what makes a kind impossible (`blocking_problems`, refused with the
reason) live here too, so the form, the API and the worker agree.

DOMAIN.md section 6 is the specification of the contents; the templates in
templates/reports/pdf/ lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents import policy
from incidents.assessment import FEATURE_LABELS, LEVEL_LABELS, RELATED_PHENOMENA_LABELS
from incidents.assessment.texts import LEGAL_REFERENCE_TEXTS
from incidents.models import FEATURE_FIELDS, PHENOMENON_FIELDS, Evidence, Incident, Note, TimelineEntry
from incidents.selectors import assessment_summary

from .models import Report

Kind = Report.Kind

# Legal references the police prosecute only at the employee's request (straffeloven § 275).
REQUEST_ONLY_CODES = ("strfl_263", "strfl_264a", "strfl_264d", "strfl_267_268")


def _needs_request(ref) -> bool:
    """Prosecuted only on the victim's request: the stored `prosecution` (2026.2), else the code (2026.1)."""
    if ref.prosecution is not None or ref.code.startswith("gdpr"):
        return ref.prosecution == "request"
    return ref.code in REQUEST_ONLY_CODES

PURPOSES: dict[str, str] = {
    "prosecution": gettext_lazy("Strafforfølgning af gerningspersonen"),
    "restraining_order": gettext_lazy("Tilhold, så gerningspersonen ikke må kontakte eller omtale medarbejderen"),
    "compensation": gettext_lazy("Erstatning til medarbejderen, herunder offererstatning"),
}
DEFAULT_PURPOSES = ("prosecution", "compensation")

# Datatilsynet takes screenshots, PDFs and transcripts, not audio, video or links.
DATATILSYNET_ATTACHABLE = frozenset({Evidence.Kind.IMAGE, Evidence.Kind.PDF, Evidence.Kind.TEXT})

# The personal data a feature says was published (Datatilsynet: "what personal data").
PERSONAL_DATA_BY_FEATURE: dict[str, str] = {
    "named": gettext_lazy("Medarbejderens navn eller oplysninger, der gør medarbejderen let genkendelig"),
    "photo": gettext_lazy("Billeder af medarbejderen"),
    "workplace_details": gettext_lazy("Oplysninger om arbejdspladsen, fx adresse, mødetider eller kontor"),
    "private_details": gettext_lazy("Oplysninger om private forhold, fx bopæl, familie, børn eller telefonnummer"),
    "lawbreaking_accusation": gettext_lazy(
        "Beskyldninger om strafbare forhold (oplysninger om strafbare forhold, databeskyttelseslovens § 8)"),
    "audio_published": gettext_lazy("En lydoptagelse af en samtale med medarbejderen"),
    "video_published": gettext_lazy("En videooptagelse af en samtale med medarbejderen"),
    "third_party_confidential": gettext_lazy("Fortrolige oplysninger om andre end borgeren selv"),
}

MAX_TEXT_OPTION = 5000


# --- Options ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    """The manager's choices, read defensively from the stored JSON."""

    publication_ids: frozenset[int] | None = None  # None: every publication
    name_perpetrator: bool = True
    include_internal_notes: bool = False
    employee_id: int | None = None
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    takedown_answer: str = ""
    explanation: str = ""
    sender_name: str = ""
    sender_email: str = ""

    @classmethod
    def from_json(cls, kind: str, data: dict | None) -> Options:
        data = data if isinstance(data, dict) else {}

        def text(key: str) -> str:
            value = data.get(key)
            return value.strip()[:MAX_TEXT_OPTION] if isinstance(value, str) else ""

        ids = data.get("publication_ids")
        publication_ids = (frozenset(int(i) for i in ids if isinstance(i, int) or str(i).isdigit())
                           if isinstance(ids, list) else None)
        employee = data.get("employee_id")
        purposes = data.get("purposes")
        return cls(
            publication_ids=publication_ids,
            name_perpetrator=bool(data.get("name_perpetrator", True)),
            include_internal_notes=kind == Kind.INTERNAL and bool(data.get("include_internal_notes", False)),
            employee_id=int(employee) if isinstance(employee, int) or str(employee or "").isdigit() else None,
            purposes=(tuple(p for p in PURPOSES if p in purposes) if isinstance(purposes, list)
                      else DEFAULT_PURPOSES),
            takedown_answer=text("takedown_answer"),
            explanation=text("explanation"),
            sender_name=text("sender_name"),
            sender_email=text("sender_email"),
        )


# --- People ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    job_title: str = ""
    email: str = ""
    phone: str = ""


def _person(user) -> Person:
    return Person(name=user.get_full_name() or user.get_username(), job_title=user.job_title or "",
                  email=user.email or "", phone=getattr(user, "phone", "") or "")


def choose_employee(targets: list, employee_id: int | None, target_names: str) -> Person | None:
    """The employee the report is about: the chosen target, else the first one, else the
    names typed for people without a user; None when nobody is named."""
    if targets:
        chosen = next((t for t in targets if t.pk == employee_id), targets[0])
        return _person(chosen)
    if target_names.strip():
        return Person(name=target_names.strip())
    return None


def employer_contact(organisation, requested_by) -> Person:
    """The organisation's contact for reports, else the manager who asked for the report."""
    if organisation.contact_name:
        return Person(name=organisation.contact_name, email=organisation.contact_email,
                      phone=organisation.contact_phone)
    if requested_by is not None:
        person = _person(requested_by)
        return Person(name=person.name, job_title=person.job_title,
                      email=person.email or organisation.contact_email,
                      phone=person.phone or organisation.contact_phone)
    return Person(name="", email=organisation.contact_email, phone=organisation.contact_phone)


# --- Checks before generating ----------------------------------------------------------------

def missing_information(kind: str, incident: Incident, *, targets: list, publications: list,
                        evidence: list) -> list[str]:
    """What the report will show as "ikke oplyst": the manager may generate anyway."""
    organisation = incident.unit.organisation
    missing: list[str] = []
    if kind in (Kind.POLICE, Kind.DATATILSYNET):
        if not organisation.address.strip():
            missing.append(_("Organisationens adresse mangler; den står som «ikke oplyst». "
                             "En administrator kan udfylde den under organisationens indstillinger."))
        if not organisation.cvr:
            missing.append(_("Organisationens CVR-nummer mangler; det står som «ikke oplyst»."))
    if kind != Kind.INTERNAL and not targets and not incident.target_names.strip():
        missing.append(_("Der er ingen berørt medarbejder på sagen; navnet står som «ikke oplyst»."))
    if not publications:
        missing.append(_("Der er ikke registreret nogen offentliggørelser på sagen."))
    active = [e for e in evidence if not e.is_removed]
    if kind in (Kind.POLICE, Kind.DATATILSYNET) and not active:
        missing.append(_("Der er ingen dokumentation (skærmbilleder, filer) på sagen."))
    elif kind == Kind.DATATILSYNET and not any(e.kind in DATATILSYNET_ATTACHABLE for e in active):
        missing.append(_("Der er ingen skærmbilleder, PDF- eller tekstfiler at vedlægge. Datatilsynet modtager "
                         "ikke lyd, video eller links, så læg et skærmbillede eller en udskrift på sagen."))
    return missing


def blocking_problems(kind: str, options: Options, publications: list) -> list[str]:
    """Why this kind cannot be made with these choices (empty when it can)."""
    problems: list[str] = []
    if kind == Kind.DSA_NOTICE:
        chosen = _chosen(publications, options)
        if not any(p.url for p in chosen):
            problems.append(_("En DSA-anmeldelse skal pege på det præcise indhold: vælg mindst én "
                              "offentliggørelse, der har et link."))
        if not options.sender_name:
            problems.append(_("En DSA-anmeldelse skal have afsenderens navn."))
        if not options.sender_email:
            problems.append(_("En DSA-anmeldelse skal have afsenderens e-mailadresse."))
    return problems


def _chosen(publications: list, options: Options) -> list:
    if options.publication_ids is None:
        return list(publications)
    return [p for p in publications if p.pk in options.publication_ids]


def safe_link(url: str) -> str:
    """Only http(s) links become clickable in the PDF; anything else stays text."""
    return url if url.lower().startswith(("http://", "https://")) else ""


# --- The context of a report -------------------------------------------------------------------

@dataclass
class LegalReference:
    """A legal reference as the reports print it. ``summary`` is the neutral text (rules
    2026.2); ``guidance`` is internal and ``note`` stays empty so external reports never
    print it (the per-recipient reports are the reports issue's work)."""

    code: str
    title: str
    summary: str
    note: str
    source: str
    guidance: str = ""
    prosecution: str | None = None
    victim: tuple[str, ...] = ()


@dataclass
class EvidenceRow:
    number: int
    item: Evidence
    publication_number: int | None = None


def _legal_references(assessment: dict) -> list[LegalReference]:
    result = []
    for item in assessment.get("legal_references") or ():
        code = item.get("code", "")
        text = LEGAL_REFERENCE_TEXTS.get(code)
        result.append(LegalReference(
            code=code, title=item.get("title") or (text.title if text else code),
            summary=item.get("summary") or (text.summary if text else "") or item.get("reason", ""), note="",
            source=item.get("source") or (text.source if text else ""),
            guidance=item.get("guidance") or (text.guidance if text else ""),
            prosecution=item.get("prosecution"), victim=tuple(item.get("victim") or ()),
        ))
    return result


def _earlier_incidents(incident: Incident, requested_by) -> list[Incident]:
    """Other incidents of the organisation with the same perpetrator (name or profile link)
    that the manager who asked may see; only references and dates are shown."""
    name = incident.perpetrator_name.strip()
    url = incident.perpetrator_profile_url.strip()
    if requested_by is None or not (name or url):
        return []
    same = Q()
    if name:
        same |= Q(perpetrator_name__iexact=name)
    if url:
        same |= Q(perpetrator_profile_url=url)
    return list(
        policy.managed_incidents(requested_by)
        .filter(same, unit__organisation_id=incident.unit.organisation_id)
        .exclude(pk=incident.pk)
        .only("id", "reference", "registered_at", "discovered_at")
        .order_by("discovered_at", "id")
    )


def load_incident(incident_id: int) -> Incident:
    return Incident.objects.select_related("unit", "unit__organisation", "reporter", "confirmed_by").get(
        pk=incident_id)


def report_context(report: Report, *, now=None) -> dict:
    """Everything the kind's PDF template shows, in a fixed number of queries."""
    incident = load_incident(report.incident_id)
    organisation = incident.unit.organisation
    options = Options.from_json(report.kind, report.options)
    requested_by = report.requested_by
    kind = report.kind

    targets = list(incident.targets.order_by("first_name", "last_name", "id"))
    all_publications = list(incident.publications.all())
    publications = _chosen(all_publications, options)
    numbers = {p.pk: n for n, p in enumerate(publications, start=1)}
    for publication in publications:
        publication.number = numbers[publication.pk]
        publication.link = safe_link(publication.url)
    chosen_ids = set(numbers)
    excluded_ids = {p.pk for p in all_publications} - chosen_ids

    evidence = list(Evidence.objects.filter(incident=incident).select_related("publication")
                    .order_by("uploaded_at", "id"))
    # Files of a publication left out of the report are left out too.
    evidence = [e for e in evidence if e.publication_id not in excluded_ids]
    active = [e for e in evidence if not e.is_removed]
    removed = [e for e in evidence if e.is_removed]
    if kind == Kind.DATATILSYNET:
        attached = [e for e in active if e.kind in DATATILSYNET_ATTACHABLE]
        not_attached = [e for e in active if e.kind not in DATATILSYNET_ATTACHABLE]
    else:
        attached, not_attached = active, []
    evidence_rows = [EvidenceRow(n, e, numbers.get(e.publication_id)) for n, e in enumerate(attached, start=1)]

    timeline_qs = TimelineEntry.objects.filter(incident=incident).select_related("actor").order_by("created_at", "id")
    notes_qs = Note.objects.filter(incident=incident).select_related("author").order_by("created_at", "id")
    internal_view = kind != Kind.INTERNAL or options.include_internal_notes
    if not internal_view:
        timeline_qs = timeline_qs.filter(visible_to_employee=True)
    timeline = list(timeline_qs)
    status_labels = dict(Incident.Status.choices)
    for entry in timeline:
        entry.from_label = status_labels.get(entry.from_status, entry.from_status)
        entry.to_label = status_labels.get(entry.to_status, entry.to_status)
    takedowns = [e for e in timeline if e.kind == TimelineEntry.Kind.ACTION and e.action_code == "platform_takedown"]

    assessment = incident.assessment or {}
    legal_references = _legal_references(assessment)
    codes = {ref.code for ref in legal_references}
    features = [FEATURE_LABELS[code] for code in FEATURE_FIELDS if getattr(incident, code)]
    phenomena = [RELATED_PHENOMENA_LABELS[code] for code, name in PHENOMENON_FIELDS.items()
                 if getattr(incident, name)]

    perpetrator_known = bool(incident.perpetrator_name.strip() or incident.perpetrator_profile_url.strip())
    context = {
        "report": report,
        "kind": kind,
        "kind_label": report.get_kind_display(),
        "incident": incident,
        "organisation": organisation,
        "options": options,
        "generated_at": now or timezone.now(),
        "requested_by": _person(requested_by) if requested_by is not None else None,
        "contact": employer_contact(organisation, requested_by),
        "employee": choose_employee(targets, options.employee_id, incident.target_names),
        "targets": [_person(t) for t in targets],
        "publications": publications,
        "publications_left_out": len(excluded_ids),
        "platform_labels": sorted({p.get_platform_display() for p in publications if p.url}),
        "quotes": [p for p in publications if p.quote.strip()],
        "features": features,
        "phenomena": phenomena,
        "legal_references": legal_references,
        "request_for_prosecution": any(_needs_request(ref) for ref in legal_references),
        "request_only_references": [ref for ref in legal_references if _needs_request(ref)],
        "public_prosecution": any(ref.prosecution == "public" for ref in legal_references)
        or bool(codes & {"strfl_119", "strfl_119a", "strfl_266"}),
        "name_perpetrator": options.name_perpetrator,
        "perpetrator_known": perpetrator_known,
        "perpetrator_link": safe_link(incident.perpetrator_profile_url) if options.name_perpetrator else "",
        # Never in a report the employee concerned may download (an internal one without internal
        # notes, reports/policy.py): other people's cases would cross to her (issue 26 item 2).
        "earlier_incidents": (_earlier_incidents(incident, requested_by)
                              if options.name_perpetrator and internal_view else []),
        "evidence_rows": evidence_rows,
        "evidence_not_attached": not_attached,
        "evidence_removed": removed,
        "evidence_ids": [e.pk for e in attached],
        "purposes": [PURPOSES[p] for p in options.purposes],
        "deadlines": assessment_summary(incident, timeline)["deadlines"],
        "takedowns": takedowns,
        "personal_data": [PERSONAL_DATA_BY_FEATURE[code] for code in PERSONAL_DATA_BY_FEATURE
                          if getattr(incident, code)],
        "gdpr_reference": next((ref for ref in legal_references if ref.code == "gdpr"), None),
        "missing": missing_information(kind, incident, targets=targets, publications=all_publications,
                                       evidence=evidence),
        "internal_view": internal_view,
    }
    if kind == Kind.INTERNAL:
        summary = assessment_summary(incident, timeline)
        severity = assessment.get("severity") or {}
        notes = list(notes_qs if internal_view else notes_qs.filter(visibility=Note.Visibility.SHARED))
        context.update(
            assessment=summary,
            computed_level_label=LEVEL_LABELS.get(incident.assessed_level, ""),
            severity_reasons=[FEATURE_LABELS.get(c, c) for c in severity.get("reasons") or ()],
            confirmed_level_label=LEVEL_LABELS.get(incident.confirmed_level, "") if incident.confirmed_level else "",
            overridden=bool(incident.confirmed_level and incident.confirmed_level != incident.assessed_level),
            timeline=timeline,
            shared_notes=[n for n in notes if n.visibility == Note.Visibility.SHARED],
            internal_notes=[n for n in notes if n.visibility == Note.Visibility.INTERNAL] if internal_view else [],
        )
    return context
