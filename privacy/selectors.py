"""Everything stored about the subject of a request, within the request's organisation.

`findings_for` returns `Findings`: sections of rows that the page, the PDF and the JSON
export all show (one query per section, whatever the number of rows). Values stay Python
values in `rows` (for JSON); `display_rows()` formats them for people, in Danish.

Employee (a user): the user profile, memberships, incidents where they are a target or the
reporter, notes they wrote, evidence they uploaded, shares with union reps, notifications and
e-mail preferences, recording requests they registered, audit events about their user and
audit events of their own actions.

Perpetrator (a name, and a profile link where the request gives one): the incidents whose
perpetrator is the person asked about, their publications and the reports generated from them
(the reports carry the name). A name matches when it is the same whole name: compared after
Unicode normalisation (NFKC), casefolding (so Æ/æ, Ø/ø and Å/å match on every database) and
collapsing spaces, so "Jens Hansen" finds "jens  HANSEN" but not "Jens Peter Hansen". A profile
link matches when it is the same address (scheme, "www." and a trailing slash ignored). Near
matches (every word of one name is a word of the other: "Jens Peter Hansen" for "Jens Hansen")
are listed for the admin to include or leave out (`AccessItem.included`); they are left out until
included. Each found item can be withheld under databeskyttelsesloven § 22 (`AccessItem`), with
its exception and reason: `findings_for(..., for_subject=True)` (the export) leaves withheld
items out and says how many were withheld under which exception, never what they are.
Matching is done in Python over the organisation's incidents that have a perpetrator name or
link (one query of three columns).

Only rows of the request's organisation are read: incidents by their unit, notifications by
their organisation, audit events by their organisation id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from incidents.models import Incident, Publication
from reports.models import Report

from .models import AccessItem, DataSubjectRequest, Exception22

# Audit events of the subject's own actions can run to thousands: the page and the PDF show
# the newest ones and the count; the JSON export holds them all.
OWN_AUDIT_EVENTS_SHOWN = 200

_WORD = re.compile(r"\w+")


def name_words(name: str) -> frozenset[str]:
    return frozenset(_WORD.findall(name.casefold()))


def name_key(name: str) -> str:
    """The whole name, normalised for comparison: NFKC, casefolded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_matches(given: str, stored: str) -> bool:
    """The same whole name (not: the same words somewhere in a longer name)."""
    key = name_key(given)
    return bool(key) and key == name_key(stored)


def name_is_near(given: str, stored: str) -> bool:
    """Not the same name, but every word of one is a word of the other ("Jens Hansen" and
    "Jens Peter Hansen"): listed for the admin to include or leave out."""
    a = name_words(unicodedata.normalize("NFKC", given))
    b = name_words(unicodedata.normalize("NFKC", stored))
    return bool(a) and bool(b) and not name_matches(given, stored) and (a <= b or b <= a)


def profile_key(url: str) -> str:
    """A profile address for comparison: no scheme, no "www.", no trailing slash, host casefolded."""
    url = url.strip()
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE)
    host, _slash, path = url.partition("/")
    host = host.casefold().removeprefix("www.")
    path = path.split("#", 1)[0].rstrip("/")
    return f"{host}/{path}" if path else host


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
    total: int | None = None  # when more rows exist than `rows` holds
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
    incidents: Sequence[Incident] = field(default_factory=list)
    user: User | None = None
    # Perpetrator only: near matches for the admin, items withheld (counts per § 22 exception).
    near: list = field(default_factory=list)
    withheld: list = field(default_factory=list)
    decisions: dict = field(default_factory=dict)

    @property
    def withheld_count(self) -> int:
        return sum(item.count for item in self.withheld)

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


# --- Perpetrator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    incident_id: int
    stored_name: str
    stored_url: str
    exact: bool  # the same whole name, or the same profile link
    how: str  # "name", "profile", "near"


def perpetrator_matches(name: str, organisation_id: int, profile_url: str = "") -> list[Match]:
    """Exact matches (name or profile link) and near matches (names only) in the organisation."""
    wanted_url = profile_key(profile_url) if profile_url else ""
    candidates = (
        Incident.objects.filter(unit__organisation_id=organisation_id)
        .exclude(perpetrator_name="", perpetrator_profile_url="")
        .values_list("pk", "perpetrator_name", "perpetrator_profile_url")
    )
    found = []
    for pk, stored, url in candidates.iterator(chunk_size=5000):
        if name_matches(name, stored):
            found.append(Match(pk, stored, url, True, "name"))
        elif wanted_url and url and profile_key(url) == wanted_url:
            found.append(Match(pk, stored, url, True, "profile"))
        elif name_is_near(name, stored):
            found.append(Match(pk, stored, url, False, "near"))
    return found


def perpetrator_incident_ids(name: str, organisation_id: int, profile_url: str = "") -> list[int]:
    """The incidents of exact matches (the erasure and the default export)."""
    return [m.incident_id for m in perpetrator_matches(name, organisation_id, profile_url) if m.exact]


PERPETRATOR_INCIDENT_FIELDS = (
    "reference",
    "title",
    "status",
    "unit",
    "perpetrator_name",
    "perpetrator_profile_url",
    "perpetrator_relation",
    "discovered_at",
    "registered_at",
    "closed_at",
    "legal_hold",
)


@dataclass
class NearMatch:
    """A near match shown to the admin: include it in the answer or leave it out."""

    key: str
    reference: str
    stored_name: str
    included: bool


@dataclass
class Withheld:
    """Items withheld from the answer under one exception (the export shows counts only)."""

    exception: str
    label: str
    count: int


def _decisions(dsr: DataSubjectRequest) -> dict[str, AccessItem]:
    return {item.key: item for item in AccessItem.objects.filter(request=dsr)}


def _perpetrator_findings(dsr: DataSubjectRequest, *, for_subject: bool = False) -> Findings:
    matches = perpetrator_matches(dsr.subject_name, dsr.organisation_id, dsr.subject_profile_url)
    decisions = _decisions(dsr)
    by_id = {m.incident_id: m for m in matches}
    chosen = [
        m.incident_id
        for m in matches
        if m.exact or getattr(decisions.get(f"incident:{m.incident_id}"), "included", None)
    ]
    near_incidents = {
        i.pk: i.reference for i in Incident.objects.filter(pk__in=[m.incident_id for m in matches if not m.exact])
    }
    near = [
        NearMatch(
            f"incident:{m.incident_id}",
            near_incidents.get(m.incident_id, ""),
            m.stored_name,
            bool(getattr(decisions.get(f"incident:{m.incident_id}"), "included", None)),
        )
        for m in matches
        if not m.exact
    ]

    def withheld(key: str) -> AccessItem | None:
        item = decisions.get(key)
        return item if item is not None and item.withheld else None

    withheld_counts: dict[str, int] = {}

    def keep(key: str, parent: str | None = None) -> bool:
        """For the subject's copy: False (and counted) when the item or its incident is withheld."""
        item = withheld(key) or (withheld(parent) if parent else None)
        if item is None or not for_subject:
            return True
        if withheld(key) is not None:
            withheld_counts[item.exception] = withheld_counts.get(item.exception, 0) + 1
        return False

    incidents = list(Incident.objects.filter(pk__in=chosen).select_related("unit").order_by("-registered_at", "-id"))
    incident_rows = []
    for i in incidents:
        key = f"incident:{i.pk}"
        if not keep(key):
            continue
        incident_rows.append(
            {
                "key": key,
                "reference": i.reference,
                "title": i.title,
                "status": i.get_status_display(),
                "unit": i.unit.name,
                "perpetrator_name": i.perpetrator_name,
                "perpetrator_profile_url": i.perpetrator_profile_url,
                "perpetrator_relation": i.get_perpetrator_relation_display(),
                "discovered_at": i.discovered_at,
                "registered_at": i.registered_at,
                "closed_at": i.closed_at,
                "legal_hold": i.legal_hold,
                "match": {
                    "name": _("samme navn"),
                    "profile": _("samme profil-link"),
                    "near": _("nært match, medtaget"),
                }[by_id[i.pk].how],
            }
        )
    pub_names = ("incident", "platform", "url", "title", "published_at", "quote")
    publications = [
        {
            "key": f"publication:{p.pk}",
            "incident": p.incident.reference,
            "platform": p.get_platform_display(),
            "url": p.url,
            "title": p.title,
            "published_at": p.published_at,
            "quote": p.quote,
        }
        for p in Publication.objects.filter(incident_id__in=chosen)
        .select_related("incident")
        .order_by("incident__registered_at", "published_at", "id")
        if keep(f"publication:{p.pk}", f"incident:{p.incident_id}")
    ]
    report_names = ("incident", "kind", "version", "requested_at", "sha256")
    # The filter below names incidents, so each report has one (only a statistics report has none).
    reports = [
        {
            "key": f"report:{r.pk}",
            "incident": r.incident.reference if r.incident else "",
            "kind": r.get_kind_display(),
            "version": r.version,
            "requested_at": r.requested_at,
            "sha256": r.sha256,
        }
        for r in Report.objects.filter(incident_id__in=chosen)
        .select_related("incident")
        .order_by("incident__registered_at", "requested_at", "id")
        if keep(f"report:{r.pk}", f"incident:{r.incident_id}")
    ]
    labels = dict(Exception22.choices)
    findings = Findings(
        dsr,
        [
            Section(
                "incidents",
                _("Hændelser, hvor afsenderen er den registrerede"),
                _columns(Incident, PERPETRATOR_INCIDENT_FIELDS),
                incident_rows,
                note=_(
                    "Fundet ved samme fulde navn (uden forskel på store og små bogstaver) eller samme "
                    "profil-link. Navne, der kun ligner, er kun medtaget, hvis de er vurderet at være den "
                    "samme person."
                ),
            ),
            Section(
                "publications",
                _("Offentliggørelser i de hændelser"),
                _columns(Publication, pub_names, incident=_("sag")),
                publications,
            ),
            Section(
                "reports",
                _("Rapporter dannet i de hændelser (indeholder navnet)"),
                _columns(Report, report_names, incident=_("sag")),
                reports,
            ),
        ],
        incidents=incidents,
    )
    if for_subject:
        for section in findings.sections:
            for row in section.rows:
                row.pop("key", None)
                row.pop("match", None)
    else:
        findings.sections[0].columns.append(Column("match", str(_("fundet ved"))))
    findings.near = near
    findings.withheld = [Withheld(code, str(labels.get(code, code)), n) for code, n in sorted(withheld_counts.items())]
    findings.decisions = decisions
    return findings


def findings_for(
    dsr: DataSubjectRequest, *, audit_limit: int | None = OWN_AUDIT_EVENTS_SHOWN, for_subject: bool = False
) -> Findings:
    """What is stored about the request's subject in its organisation (see the module docstring).
    `for_subject`: the copy handed out, without the items withheld under § 22."""
    if dsr.is_employee:
        from .employee_findings import employee_findings  # that module builds on this one's sections

        return employee_findings(dsr, audit_limit)
    return _perpetrator_findings(dsr, for_subject=for_subject)
