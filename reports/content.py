"""What each report kind says: the facts of an incident, chosen and shaped for one recipient.

`report_context(report)` loads everything the PDF template needs in a fixed number of
queries (however many publications or files there are) and applies the manager's
options: which publications, whether the perpetrator is named, whether internal notes
are included. The lists of what is missing and what makes a kind impossible are in
`reports.checks`, so the form, the API and the worker agree.

DOMAIN.md section 6 is the specification of the contents (what each recipient must and
must not get); the templates in templates/reports/pdf/ lay them out. Documents that leave
the organisation (`Report.EXTERNAL_KINDS`) print the neutral summaries of the provisions,
never the internal guidance, no health data and no internal notes, and every span the
manager redacted shows as "[udeladt]" (incidents.redactions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models.functions import Trim, Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents import policy
from incidents.assessment import FEATURE_LABELS, LEVEL_LABELS, RELATED_PHENOMENA_LABELS, Assessment
from incidents.models import FEATURE_FIELDS, PHENOMENON_FIELDS, Evidence, Incident, Note, Redaction, TimelineEntry
from incidents.redactions import redactions_for
from incidents.selectors import assessment_summary

from . import legal
from .checks import DATATILSYNET_ATTACHABLE, chosen_publications, missing_information
from .models import Report
from .platforms import entity_for

Kind = Report.Kind

PURPOSES: dict[str, str] = {
    "prosecution": gettext_lazy("Strafforfølgning af gerningspersonen"),
    "restraining_order": gettext_lazy(
        "Tilhold, så gerningspersonen ikke må kontakte, følge eller på anden måde "
        "chikanere medarbejderen, også elektronisk"
    ),
    "compensation": gettext_lazy("Erstatning til medarbejderen, herunder offererstatning"),
}
DEFAULT_PURPOSES = ("prosecution", "compensation")

# The police get only these deadlines (DOMAIN.md 6); the old code of the 6 months is read too.
POLICE_DEADLINES = ("police_report_72h", "request_6_months", "private_prosecution_6_months")

# Earlier incidents with the same perpetrator: the latest few by reference, with the total.
EARLIER_INCIDENTS_SHOWN = 5

# The employee's own personal data a feature says was published (Datatilsynet: "what personal data").
# Third-party data never go to Datatilsynet as a complaint (that is the breach record).
PERSONAL_DATA_BY_FEATURE: dict[str, str] = {
    "named": gettext_lazy("Medarbejderens navn eller oplysninger, der gør medarbejderen let genkendelig"),
    "photo": gettext_lazy("Billeder af medarbejderen"),
    "workplace_details": gettext_lazy("Oplysninger om arbejdspladsen, fx adresse, mødetider eller kontor"),
    "private_details": gettext_lazy("Oplysninger om medarbejderens private forhold, fx bopæl eller telefonnummer"),
    "lawbreaking_accusation": gettext_lazy(
        "Beskyldninger om strafbare forhold (oplysninger om strafbare forhold, databeskyttelseslovens § 8)"
    ),
    "audio_published": gettext_lazy("En lydoptagelse af en samtale med medarbejderen"),
    "video_published": gettext_lazy("En videooptagelse af en samtale med medarbejderen"),
}

# Features that say something about private life: a quote of such a case goes to a platform
# only after the manager has looked at it and redacted the private parts.
PRIVATE_FEATURES = ("private_details", "family_exposed", "third_party_confidential")

# The action each kind ticks on the checklist when it is marked as sent (DOMAIN.md 4.3).
SENT_ACTIONS: dict[str, str] = {
    Kind.POLICE: "police_report",
    Kind.DSA_NOTICE: "platform_takedown",
    Kind.DATATILSYNET: "datatilsynet_report",
    Kind.BREACH_RECORD: "breach_assessment",
}

# Internal HR report: the deadline that says by when an open action is due.
ACTION_DEADLINES = {
    "police_report": "police_report_72h",
    "occupational_injury": "easy_14_days",
    "breach_assessment": "breach_72h",
    "support_conversation": "follow_up_14_days",
}

INJURY_ACTIONS = frozenset({"occupational_injury", "occupational_disease"})

BREACH_INFORMED = {
    "yes": gettext_lazy("Ja, de berørte er underrettet"),
    "planned": gettext_lazy("Nej, men de berørte underrettes"),
    "no": gettext_lazy("Nej; underretning vurderes ikke nødvendig (se begrundelsen)"),
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
    employee_address: str = ""
    platform: str = ""
    explanations: dict = field(default_factory=dict)  # publication id (str) → text
    sender_name: str = ""
    sender_email: str = ""
    breach: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, kind: str, data: dict | None) -> Options:
        data = data if isinstance(data, dict) else {}

        def text(value) -> str:
            return value.strip()[:MAX_TEXT_OPTION] if isinstance(value, str) else ""

        ids = data.get("publication_ids")
        publication_ids = (
            frozenset(int(i) for i in ids if isinstance(i, int) or str(i).isdigit()) if isinstance(ids, list) else None
        )
        employee = data.get("employee_id")
        purposes = data.get("purposes")
        explanations = data.get("explanations")
        breach = data.get("breach")
        return cls(
            publication_ids=publication_ids,
            name_perpetrator=bool(data.get("name_perpetrator", True)),
            include_internal_notes=kind == Kind.INTERNAL_HR and bool(data.get("include_internal_notes", False)),
            employee_id=int(employee) if isinstance(employee, int) or str(employee or "").isdigit() else None,
            purposes=(tuple(p for p in PURPOSES if p in purposes) if isinstance(purposes, list) else DEFAULT_PURPOSES),
            employee_address=text(data.get("employee_address")),
            platform=text(data.get("platform")),
            explanations=({str(k): text(v) for k, v in explanations.items()} if isinstance(explanations, dict) else {}),
            sender_name=text(data.get("sender_name")),
            sender_email=text(data.get("sender_email")),
            breach=({k: text(v) for k, v in breach.items()} if isinstance(breach, dict) else {}),
        )


# --- People ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    job_title: str = ""
    email: str = ""
    phone: str = ""


def _person(user) -> Person:
    return Person(
        name=user.get_full_name() or user.get_username(),
        job_title=user.job_title or "",
        email=user.email or "",
        phone=getattr(user, "phone", "") or "",
    )


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
        return Person(
            name=organisation.contact_name, email=organisation.contact_email, phone=organisation.contact_phone
        )
    if requested_by is not None:
        person = _person(requested_by)
        return Person(
            name=person.name,
            job_title=person.job_title,
            email=person.email or organisation.contact_email,
            phone=person.phone or organisation.contact_phone,
        )
    return Person(name="", email=organisation.contact_email, phone=organisation.contact_phone)


def safe_link(url: str) -> str:
    """Only http(s) links become clickable in the PDF; anything else stays text."""
    return url if url.lower().startswith(("http://", "https://")) else ""


# --- Pieces of the context -------------------------------------------------------------------


@dataclass
class EvidenceRow:
    number: int
    item: Evidence
    publication_number: int | None = None

    @property
    def captured_by(self) -> str:
        user = self.item.uploaded_by
        return (user.get_full_name() or user.get_username()) if user else ""

    @property
    def captured_at(self):
        return self.item.captured_at or self.item.uploaded_at

    @property
    def captured_at_typed(self) -> bool:
        """True when a person typed the capture time; False when it is the system's time of upload."""
        return self.item.captured_at is not None


def normalised_name(name: str) -> str:
    return " ".join(name.split())


def earlier_incidents(
    incident: Incident, requested_by, *, limit: int = EARLIER_INCIDENTS_SHOWN
) -> tuple[list[Incident], int]:
    """The latest `limit` other incidents of the organisation with the same perpetrator (the
    name, case and spacing aside, or the profile link) that the manager who asked may see
    (the access policy), newest first, and how many there are in all. References and dates only."""
    name = normalised_name(incident.perpetrator_name)
    url = incident.perpetrator_profile_url.strip()
    if requested_by is None or not (name or url):
        return [], 0
    from accounts.models import Unit

    # What the manager may see (the access policy) in the incident's organisation, with the
    # organisation as a list of unit ids read first, so the queries below need no join: as a
    # subquery the planner joined the units and sorted every match of a frequent name per unit
    # (0.57 s for 84,000 matches at a million incidents) instead of walking the index in order.
    org_units = list(
        Unit.objects.filter(organisation_id=incident.unit.organisation_id).order_by().values_list("pk", flat=True)
    )
    base = policy.managed_incidents(requested_by).filter(unit_id__in=org_units).exclude(pk=incident.pk)
    # Each match walks its own index (incident_perpetrator_name_latest_idx, …_url_latest_idx):
    # the latest `limit` in index order, the count from the index alone; an OR of the two would
    # read every matching row from the table (84,000 for a frequent name at a million incidents).
    # (The "not empty" conditions are the indexes' own, so the planner may use them.)
    by_name = (
        (
            base.exclude(perpetrator_name="")
            .annotate(perpetrator_key=Upper(Trim("perpetrator_name")))
            .filter(perpetrator_key=name.upper())
        )
        if name
        else None
    )
    by_url = base.exclude(perpetrator_profile_url="").filter(perpetrator_profile_url=url) if url else None
    ordered = ("-discovered_at", "-id")
    found: dict[int, Incident] = {}
    total = 0
    for matches in (by_name, by_url):
        if matches is None:
            continue
        total += matches.count()
        for row in matches.only("id", "reference", "discovered_at").order_by(*ordered)[:limit]:
            found[row.pk] = row
    if by_name is not None and by_url is not None:
        total -= by_name.filter(perpetrator_profile_url=url).count()  # counted twice above
    latest = sorted(found.values(), key=lambda row: (row.discovered_at, row.pk), reverse=True)[:limit]
    return latest, total


def load_incident(incident_id: int) -> Incident:
    return Incident.objects.select_related("unit", "unit__organisation", "reporter", "confirmed_by").get(pk=incident_id)


def _offence_time(publications: list):
    """The time of the offence: the earliest `published_at` (DOMAIN.md 4.4)."""
    times = [p.published_at for p in publications if p.published_at]
    return min(times) if times else None


def _next_steps(summary: dict, requested_by) -> list[dict]:
    """Open recommended actions with who and by when (internal HR report)."""
    deadlines = {d.code: d for d in summary["deadlines"]}
    who = _person(requested_by).name if requested_by is not None else ""
    steps = []
    for action in summary["actions"]:
        if action["done"]:
            continue
        deadline = deadlines.get(ACTION_DEADLINES.get(action.get("code", ""), ""))
        steps.append({"title": action.get("title", ""), "who": who, "due": deadline.due if deadline else None})
    return sorted(steps, key=lambda s: (s["due"] is None, s["due"] or timezone.now()))


def _datatilsynet_argument(incident: Incident, publications: list, references: list) -> dict:
    """The legal argument of the complaint, built only from facts that are given."""
    articles = [
        _("art. 5, stk. 1, litra a (lovlig, rimelig og gennemsigtig behandling)"),
        _("art. 6, stk. 1 (behandlingen skal have et retligt grundlag)"),
    ]
    if incident.lawbreaking_accusation:
        articles.append(_("art. 10 og databeskyttelseslovens § 8 (oplysninger om strafbare forhold)"))
    reaches = {p.reach for p in publications}
    audiences = [p.audience_size for p in publications if p.audience_size]
    return {
        "public": "public" in reaches or not publications,
        "audience": max(audiences) if audiences else None,
        "articles": articles,
        "video_without_consent": incident.video_published and not incident.video_consent,
        "video_with_consent": incident.video_published and incident.video_consent,
    }


def _breach(incident: Incident, options: Options, publications: list, assessment: Assessment) -> dict:
    deadline = assessment.deadline("breach_72h")
    return {
        "deadline": deadline.due if deadline else (incident.discovered_at + timedelta(hours=72)),
        "recording": [p for p in publications if p.platform],
        "what": options.breach.get("what", ""),
        "categories": options.breach.get("categories", ""),
        "persons": options.breach.get("persons", ""),
        "records": options.breach.get("records", ""),
        "consequences": options.breach.get("consequences", ""),
        "measures_taken": options.breach.get("measures_taken", ""),
        "measures_proposed": options.breach.get("measures_proposed", ""),
        "informed": str(BREACH_INFORMED.get(options.breach.get("informed", ""), "")),
        "informed_reason": options.breach.get("informed_reason", ""),
    }


# --- The context of a report -------------------------------------------------------------------


def report_context(report: Report, *, now=None) -> dict:
    """Everything the kind's PDF template shows, in a fixed number of queries."""
    incident = load_incident(report.incident_id)
    organisation = incident.unit.organisation
    options = Options.from_json(report.kind, report.options)
    requested_by = report.requested_by
    kind = report.kind
    external = kind in Report.EXTERNAL_KINDS

    targets = list(incident.targets.order_by("first_name", "last_name", "id"))
    all_publications = list(incident.publications.all())
    publications = chosen_publications(all_publications, options)
    if kind == Kind.DSA_NOTICE:
        publications = [p for p in publications if p.url and p.platform == options.platform]
    numbers = {p.pk: n for n, p in enumerate(publications, start=1)}

    redactions = redactions_for(incident) if external else None
    private_case = any(getattr(incident, code, False) for code in PRIVATE_FEATURES)
    for publication in publications:
        publication.number = numbers[publication.pk]
        publication.link = safe_link(publication.url)
        if redactions is None:
            publication.shown_quote, publication.shown_title = publication.quote, publication.title
        else:
            publication.shown_quote = redactions.publication_text(
                publication.pk, Redaction.Field.QUOTE, publication.quote
            )
            publication.shown_title = redactions.publication_text(
                publication.pk, Redaction.Field.PUBLICATION_TITLE, publication.title
            )
        # A platform never gets a quote of a case with private details that nobody has redacted.
        publication.quote_withheld = bool(
            kind == Kind.DSA_NOTICE
            and publication.quote.strip()
            and private_case
            and not redactions.has_publication(publication.pk, Redaction.Field.QUOTE)
        )
        explanation = options.explanations.get(str(publication.pk), "")
        publication.explanation = redactions.everywhere(explanation) if redactions is not None else explanation
    chosen_ids = set(numbers)
    excluded_ids = {p.pk for p in all_publications} - chosen_ids

    evidence = list(
        Evidence.objects.filter(incident=incident)
        .select_related("publication", "uploaded_by")
        .order_by("uploaded_at", "id")
    )
    # Files of a publication left out of the report are left out too.
    evidence = [e for e in evidence if e.publication_id not in excluded_ids]
    active = [e for e in evidence if not e.is_removed]
    removed = [e for e in evidence if e.is_removed]
    if kind == Kind.DATATILSYNET:
        attached = [e for e in active if e.kind in DATATILSYNET_ATTACHABLE]
        not_attached = [e for e in active if e.kind not in DATATILSYNET_ATTACHABLE]
    elif kind in (Kind.POLICE, Kind.INTERNAL_HR, Kind.BREACH_RECORD):
        attached, not_attached = active, []
    else:
        attached, not_attached = [], []
    evidence_rows = [EvidenceRow(n, e, numbers.get(e.publication_id)) for n, e in enumerate(attached, start=1)]

    timeline_qs = TimelineEntry.objects.filter(incident=incident).select_related("actor").order_by("created_at", "id")
    internal_view = kind != Kind.INTERNAL_HR or options.include_internal_notes
    if not internal_view:
        timeline_qs = timeline_qs.filter(visible_to_employee=True)
    timeline = list(timeline_qs)
    status_labels = dict(Incident.Status.choices)
    for entry in timeline:
        entry.from_label = status_labels.get(entry.from_status, entry.from_status)
        entry.to_label = status_labels.get(entry.to_status, entry.to_status)
    takedowns = [e for e in timeline if e.kind == TimelineEntry.Kind.ACTION and e.action_code == "platform_takedown"]

    assessment = Assessment.from_dict(incident.assessment)
    provisions = legal.provisions(incident)
    features = [FEATURE_LABELS[code] for code in FEATURE_FIELDS if getattr(incident, code)]
    phenomena = [RELATED_PHENOMENA_LABELS[code] for code, name in PHENOMENON_FIELDS.items() if getattr(incident, name)]
    employee = choose_employee(targets, options.employee_id, incident.target_names)
    summary = assessment_summary(incident, timeline)

    title_text, description_text = incident.title, incident.description.strip()
    if redactions is not None:
        title_text = redactions.incident_text(Redaction.Field.TITLE, title_text)
        description_text = redactions.incident_text(Redaction.Field.DESCRIPTION, description_text)

    perpetrator_known = bool(incident.perpetrator_name.strip() or incident.perpetrator_profile_url.strip())
    # Earlier incidents: only to the police and in the HR report with internal notes (never in a
    # document the employee receives), and only those the manager who asked may see.
    shows_earlier = options.name_perpetrator and (kind == Kind.POLICE or (kind == Kind.INTERNAL_HR and internal_view))
    earlier, earlier_total = earlier_incidents(incident, requested_by) if shows_earlier else ([], 0)

    context = {
        "report": report,
        "kind": kind,
        "kind_label": report.get_kind_display(),
        "external": external,
        "incident": incident,
        "title_text": title_text,
        "description_text": description_text,
        "organisation": organisation,
        "options": options,
        "generated_at": now or timezone.now(),
        "requested_by": _person(requested_by) if requested_by is not None else None,
        "contact": employer_contact(organisation, requested_by),
        "employee": employee,
        "targets": [_person(t) for t in targets],
        "publications": publications,
        "publications_left_out": len(excluded_ids),
        "platform_labels": sorted({p.get_platform_display() for p in publications if p.url}),
        "quotes": [p for p in publications if p.quote.strip()],
        "features": features,
        "phenomena": phenomena,
        "provisions": provisions,
        "name_perpetrator": options.name_perpetrator,
        "perpetrator_known": perpetrator_known,
        "perpetrator_link": safe_link(incident.perpetrator_profile_url) if options.name_perpetrator else "",
        "earlier_incidents": earlier,
        "earlier_incidents_total": earlier_total,
        "evidence_rows": evidence_rows,
        "evidence_not_attached": not_attached,
        "evidence_removed": removed,
        "evidence_ids": [e.pk for e in attached],
        "takedowns": takedowns,
        "missing": missing_information(
            kind, incident, targets=targets, publications=all_publications, evidence=evidence
        ),
        "internal_view": internal_view,
    }
    if kind == Kind.POLICE:
        criminal = legal.criminal(provisions)
        context.update(
            recipient=organisation.police_district or _("Politiet"),
            criminal_provisions=criminal,
            requests=legal.requests_for_prosecution(criminal, employee_name=employee.name if employee else ""),
            private_provisions=legal.private_provisions(criminal),
            public_prosecution=any(p.prosecution == legal.PUBLIC for p in criminal),
            offence_time=_offence_time(all_publications),
            purposes=[PURPOSES[p] for p in options.purposes],
            deadlines=[d for d in summary["deadlines"] if d.code in POLICE_DEADLINES],
        )
    elif kind == Kind.DATATILSYNET:
        gdpr = next((p for p in provisions if p.code == "gdpr"), None)
        context.update(
            gdpr_provision=gdpr,
            personal_data=[
                PERSONAL_DATA_BY_FEATURE[code] for code in PERSONAL_DATA_BY_FEATURE if getattr(incident, code)
            ],
            argument=_datatilsynet_argument(incident, publications, provisions),
        )
    elif kind == Kind.DSA_NOTICE:
        first = publications[0] if publications else None
        context.update(
            entity=entity_for(options.platform, first.url if first else ""),
            # Every provision the content may break; the employer's own breach is no matter for the platform.
            criminal_provisions=[p for p in provisions if p.code != "gdpr_breach"],
        )
    elif kind == Kind.BREACH_RECORD:
        context.update(
            breach=_breach(incident, options, all_publications, assessment),
            breach_provision=next((p for p in provisions if p.code == "gdpr_breach"), None),
        )
    elif kind == Kind.INTERNAL_HR:
        notes_qs = Note.objects.filter(incident=incident).select_related("author").order_by("created_at", "id")
        notes = list(notes_qs if internal_view else notes_qs.filter(visibility=Note.Visibility.SHARED))
        context.update(
            assessment=summary,
            computed_level_label=LEVEL_LABELS.get(incident.assessed_level, ""),
            severity_reasons=[FEATURE_LABELS.get(c, c) for c in assessment.severity.reasons],
            confirmed_level_label=LEVEL_LABELS.get(incident.confirmed_level, "") if incident.confirmed_level else "",
            overridden=bool(incident.confirmed_level and incident.confirmed_level != incident.assessed_level),
            # The events in the order they happened (their own dates), not the order they were typed in.
            timeline=sorted(timeline, key=lambda e: (e.occurred_on, e.created_at, e.pk)),
            shared_notes=[n for n in notes if n.visibility == Note.Visibility.SHARED],
            internal_notes=[n for n in notes if n.visibility == Note.Visibility.INTERNAL] if internal_view else [],
            next_steps=_next_steps(summary, requested_by),
            offence_time=_offence_time(all_publications),
        )
    elif kind == Kind.INTERNAL_AMO:
        done = {a.get("code") for a in summary["actions"] if a["done"]} | {a["code"] for a in summary["other_actions"]}
        recording = any(
            getattr(incident, c)
            for c in ("audio_published", "video_published", "hidden_recording", "recorder_not_party")
        )
        context.update(
            amo_employee_name=employee.name if (employee and incident.consent_name_to_amo) else "",
            level_label=incident.level_label,
            platform_labels=sorted({p.get_platform_display() for p in all_publications}),
            # The injury report has its own neutral section; its action titles stay out of the lists.
            measures_done=[
                a
                for a in summary["actions"] + summary["other_actions"]
                if (a["done"] or a in summary["other_actions"]) and a.get("code") not in INJURY_ACTIONS
            ],
            measures_planned=[a for a in summary["actions"] if not a["done"] and a.get("code") not in INJURY_ACTIONS],
            apv_review=incident.level >= 3 or incident.repeated or bool(incident.related_stalking),
            guidelines_review=recording,
            injury_recommended=bool(INJURY_ACTIONS & assessment.action_codes),
            injury_reported=bool(INJURY_ACTIONS & done),
            injury_copy_to_amo=incident.injury_copy_to_amo,
        )
    return context
