"""Reads the incident pages share, with their joins and prefetches.

Each function returns everything its page shows in a fixed number of queries, however
many rows there are, so templates never query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from django.db.models import F, Model, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from accounts import permissions
from accounts.models import Role, User, full_name
from common.pagination import BoundedPage, BoundedPaginator
from common.prepared import IdsQuery, KeptSQL

from . import policy
from .assessment import (
    FEATURE_LABELS,
    LEVEL_LABELS,
    RELATED_PHENOMENA_LABELS,
    RULES_VERSION,
    VICTIMS,
    Assessment,
    assess,
)
from .deadlines import content_removed, deadlines_of
from .filters import IncidentFilter
from .models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    PLATFORM_CHOICES,
    Evidence,
    Incident,
    Note,
    Publication,
    TimelineEntry,
)

LIST_PAGE_SIZE = 25
# The list counts its rows up to this many; beyond it the page says "more than 1,000".
LIST_COUNT_LIMIT = 1000


def _people() -> QuerySet:
    return User.objects.only("id", "username", "first_name", "last_name", "job_title")


def manager_incidents(user) -> QuerySet:
    """The manager's incidents, with `level_in_force` for sorting (the list's filters narrow it)."""
    return policy.managed_incidents(user).annotate(level_in_force=Coalesce("confirmed_level", "assessed_level"))


def _show(obj: Model, **texts: object) -> None:
    """Give a model instance the texts its template prints: attributes for the page only, which
    the model does not declare (so they are set by name, not as typed attributes)."""
    for name, text in texts.items():
        setattr(obj, name, text)


# The columns a list row shows (the other 60, the stored assessment JSON among them, stay in
# the database: loading them was most of the page's time spent in the ORM).
LIST_COLUMNS = (
    "id",
    "reference",
    "unit__name",
    "status",
    "target_names",
    "title",
    "confirmed_level",
    "assessed_level",
    "registered_at",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of the manager's list, with the texts it prints computed (the template only prints)."""

    pk: int
    reference: str
    title: str
    unit_name: str
    status: str
    status_text: str
    level: int
    confirmed_level: int | None
    level_text: str
    registered_at: datetime
    targets_text: str
    platforms_text: str
    owner_text: str
    detail_url: str


@functools.cache
def _list_labels(language: str | None) -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    """The platform, status and level labels of the list in `language` (the active one), translated
    once per process and language rather than on every page."""
    return (
        {code: gettext(str(label)) for code, label in PLATFORM_CHOICES},
        {code: str(label) for code, label in Incident.Status.choices},
        {level: gettext(label) for level, label in LEVEL_LABELS.items()},
    )


def _people_and_platforms(ids: list[int]) -> QuerySet:
    """One query for both: the employees of the incidents `ids` (kind "t", in name order) and
    their platforms ("p")."""
    columns = ("incident_id", "kind", "first", "last", "username")
    employees = (
        Incident.targets.through.objects.filter(incident_id__in=ids)
        .annotate(kind=Value("t"), first=F("user__first_name"), last=F("user__last_name"), username=F("user__username"))
        .order_by()
        .values_list(*columns)
    )
    platforms_of = (
        Publication.objects.filter(incident_id__in=ids)
        .annotate(kind=Value("p"), first=F("platform"), last=Value(""), username=Value(""))
        .order_by()
        .values_list(*columns)
    )
    # (The stubs' plugin does not see the union's annotated columns.)
    return employees.union(platforms_of, all=True).order_by("kind", "first", "last")  # type: ignore[misc]


# Built and compiled once per page length, not on every page (it cost twice its run).
_PEOPLE_AND_PLATFORMS = IdsQuery(_people_and_platforms)


def list_rows(rows: list[dict]) -> list[ListRow]:
    """The rows of a list page (`LIST_COLUMNS` values of the page's incidents) with their
    employees and platforms: one more query for the page, plain rows instead of model
    instances (building 25 incidents with their prefetched people and publications was a
    quarter of the page's time)."""
    people: dict[int, list[str]] = {}
    platform_labels, status_labels, level_labels = _list_labels(get_language())
    platforms: dict[int, set[str]] = {}
    for incident_id, kind, first, last, username in _PEOPLE_AND_PLATFORMS.rows([row["id"] for row in rows]):
        if kind == "t":
            people.setdefault(incident_id, []).append(full_name(first, last, username))
        else:
            platforms.setdefault(incident_id, set()).add(platform_labels.get(first, first))
    detail = reverse("incidents:detail", args=["REFERENCE"])
    result = []
    for row in rows:
        named = people.get(row["id"], [])
        if row["target_names"]:
            named = [*named, row["target_names"]]
        level = row["confirmed_level"] or row["assessed_level"]
        has_owner = row["owner__username"] is not None
        result.append(
            ListRow(
                pk=row["id"],
                reference=row["reference"],
                title=row["title"],
                unit_name=row["unit__name"],
                status=row["status"],
                status_text=status_labels.get(row["status"], row["status"]),
                level=level,
                confirmed_level=row["confirmed_level"],
                level_text=level_labels[level],
                registered_at=row["registered_at"],
                targets_text=", ".join(named),
                platforms_text=", ".join(sorted(platforms.get(row["id"], ()))),
                owner_text=(
                    full_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"])
                    if has_owner
                    else "–"
                ),
                detail_url=detail.replace("REFERENCE", row["reference"]),
            )
        )
    return result


def list_body_html(rows: list[ListRow], confirmed_text: str) -> SafeString:
    """The list table's body rows, written here rather than by a template loop (25 rows of nine
    cells were most of the page's rendering); every text is escaped, by the standard library's
    `html.escape` (what Django's `escape` calls, without its check for lazy texts on each of
    the 250 cells). `confirmed_text` is the hidden note after a confirmed level, for screen readers."""
    confirmed = f' <span class="visually-hidden">{escape(confirmed_text)}</span>'
    html = []
    dates: dict[date, str] = {}  # a day's text once per page
    for row in rows:
        day = timezone.localtime(row.registered_at).date()
        if day not in dates:
            dates[day] = date_format(day, "SHORT_DATE_FORMAT")
        registered = dates[day]
        html.append(
            f'<tr><th scope="row" class="text-nowrap">'
            f'<a href="{escape(row.detail_url)}">{escape(row.reference)}</a></th>'
            f"<td>{escape(row.title)}</td><td>{escape(row.unit_name)}</td><td>{escape(row.targets_text)}</td>"
            f"<td>{escape(row.platforms_text)}</td><td>{escape(row.owner_text)}</td>"
            f'<td><span class="badge level-badge level-{row.level:d}">{escape(row.level_text)}</span>'
            f"{confirmed if row.confirmed_level else ''}</td>"
            f'<td><span class="badge status-badge status-{escape(row.status)}">{escape(row.status_text)}</span></td>'
            f"<td>{escape(registered)}</td></tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


def incident_filter_for_manager(user, params=None) -> IncidentFilter:
    """The filter set of the list page (its form and its filtered queryset). Unbound when
    nothing but a page number was asked for: the list as it opens."""
    bound = params if params and any(name != "page" for name in params) else None
    return IncidentFilter(bound, queryset=lambda: manager_incidents(user), user=user)


# The list as it opens (no filter) is longer than the count limit for most managers of a large
# municipality, and counting to 1,001 was a tenth of the page. Once a count found more, the same
# list says «more than 1,000» again for LONG_LIST_SECONDS without counting. It can only fall
# below the limit when hundreds of incidents go at once (a retention purge; a unit or a case
# taken away from the manager moves the choices build on, and with it the key); then the text
# is a minute late, while the page and its next link are read as always.
LONG_LIST_SECONDS = 60


# The pages of the list as it opens, as the SQL the ORM made of them (policy.managed_incidents),
# kept per manager, the units they manage now (the SQL's parameters: a unit gained or lost is
# a new key) and page: building and compiling the query took as long as running it. The case
# exclusions are read by the SQL itself. Filtered lists are built every time.
_OPENING_PAGES = KeptSQL(size=2000)


def list_page(filterset: IncidentFilter, number) -> BoundedPage:
    """Page `number` of the filtered list, counted up to `LIST_COUNT_LIMIT` + 1."""
    known_longer = filterset.known_longer()
    read: Callable[[int, int], list] | None = None
    if not filterset.is_bound:
        units = permissions.units_for(filterset.user, Role.MANAGER)

        def opening_page(offset: int, limit: int) -> list:
            return _OPENING_PAGES.rows(
                (filterset.user.pk, units, offset, limit),
                lambda: filterset.qs.values(*LIST_COLUMNS)[offset : offset + limit],
            )

        read = opening_page

    paginator = BoundedPaginator(
        lambda: filterset.qs,
        LIST_PAGE_SIZE,
        count_limit=LIST_COUNT_LIMIT,
        sample=filterset.count_sample() if filterset.is_bound else None,
        rows=None if read is not None else filterset.qs.values(*LIST_COLUMNS),
        known_longer=known_longer,
        read=read,
    )
    page = paginator.get_page(number)
    if not known_longer and not paginator.exact:
        filterset.remember_longer(LONG_LIST_SECONDS)
    return page


def incident_list_for_manager(user, params=None) -> QuerySet:
    """The manager's incidents, filtered, searched and sorted by `params` (a QueryDict)."""
    return incident_filter_for_manager(user, params).qs


def _safe_link(url: str) -> str:
    """Only http(s) links become clickable; anything else is shown as text."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def incident_detail_context(user, incident: Incident) -> dict:
    """What the incident page shows; the employee never gets internal notes or entries."""
    as_manager = policy.is_manager_of(user, incident)
    publications = list(incident.publications.all())
    for publication in publications:
        _show(publication, link=_safe_link(publication.url))
    evidence_list = list(
        Evidence.objects.filter(incident=incident)
        .select_related("uploaded_by", "removed_by", "publication")
        .order_by("uploaded_at", "id")
    )
    timeline_rows = TimelineEntry.objects.filter(incident=incident).select_related("actor").order_by("created_at", "id")
    note_rows = Note.objects.filter(incident=incident).select_related("author").order_by("created_at", "id")
    if not as_manager:
        timeline_rows = timeline_rows.filter(visible_to_employee=True)
        note_rows = note_rows.filter(visibility=Note.Visibility.SHARED)
    notes = list(note_rows)
    timeline = list(timeline_rows)
    status_labels = dict(Incident.Status.choices)
    for entry in timeline:
        _show(
            entry,
            from_label=status_labels.get(entry.from_status, entry.from_status),
            to_label=status_labels.get(entry.to_status, entry.to_status),
        )
    context = {
        "incident": incident,
        "targets": list(incident.targets.order_by("first_name", "last_name")),
        "publications": publications,
        "evidence_list": evidence_list,
        "timeline": timeline,
        "feature_labels": [gettext(FEATURE_LABELS[code]) for code in FEATURE_FIELDS if getattr(incident, code)],
        "phenomena_labels": [
            gettext(RELATED_PHENOMENA_LABELS[code])
            for code, field in PHENOMENON_FIELDS.items()
            if getattr(incident, field)
        ],
        "shared_notes": [note for note in notes if note.visibility == Note.Visibility.SHARED],
        "perpetrator_link": _safe_link(incident.perpetrator_profile_url),
        "as_manager": as_manager,
    }
    if as_manager:
        context["internal_notes"] = [note for note in notes if note.visibility == Note.Visibility.INTERNAL]
        context["assessment"] = assessment_summary(incident, timeline)
    return context


def assessment_summary(incident: Incident, timeline: list[TimelineEntry]) -> dict:
    """The stored assessment, shaped for the incident page.

    Actions become a checklist: each recommended action carries the timeline entries
    that recorded it (date, who, external reference). Deadlines carry days left and
    whether they are met. No queries: everything comes from the rows already loaded.
    """
    assessment = localised_assessment(incident)
    stored = Assessment.from_dict(assessment)
    severity = stored.severity
    done: dict[str, list[TimelineEntry]] = {}
    for entry in timeline:
        if entry.kind == TimelineEntry.Kind.ACTION and entry.action_code:
            done.setdefault(entry.action_code, []).append(entry)
    actions = [{**item.to_dict(), "done": done.get(item.code, [])} for item in stored.actions]
    recommended = {item.get("code") for item in actions}
    other_actions = [
        {"code": code, "title": entries[0].get_action_code_display(), "done": entries}
        for code, entries in done.items()
        if code not in recommended
    ]
    return {
        "severity_label": severity.label,
        "severity_level": severity.level or None,
        "severity_reasons": [
            gettext(FEATURE_LABELS.get(code) or RELATED_PHENOMENA_LABELS.get(code, code)) for code in severity.reasons
        ],
        "legal_references": [
            {**item.to_dict(), "victim_labels": [str(VICTIM_LABELS.get(code, code)) for code in item.victim]}
            for item in stored.legal_references
        ],
        "scope": stored.scope or "udhaengning",
        "actions": actions,
        "other_actions": other_actions,
        "actions_done": sum(1 for item in actions if item["done"]),
        "deadlines": deadlines_of(
            incident,
            set(done) | ({"content_removed"} if content_removed(timeline) else set()),
            assessment=assessment,
            dismissals={d.code: d for d in incident.deadline_dismissals.select_related("dismissed_by")},
        ),
        "rules_version": stored.rules_version,
    }


VICTIM_LABELS = {
    "employee": gettext_lazy("medarbejderen"),
    "family": gettext_lazy("familiemedlemmerne (for børn: forældremyndighedens indehavere)"),
    "third_party": gettext_lazy("de personer, oplysningerne handler om"),
    "everyone_recorded": gettext_lazy("alle, der blev optaget"),
}
assert set(VICTIM_LABELS) == set(VICTIMS)


def localised_assessment(incident: Incident) -> dict:
    """The stored assessment in the active language.

    The stored JSON is Danish. In another language, when it was computed under the
    rules in force from the incident's current facts (the facts hash matches), the same
    assessment is composed again with ``gettext`` (reasons included); an assessment from
    an older rules version is shown as it was stored.
    """
    stored = incident.assessment or {}
    if (get_language() or "da").startswith("da") or Assessment.from_dict(stored).rules_version != RULES_VERSION:
        return stored
    from .services import facts_hash_of, incident_facts

    facts = incident_facts(incident)
    if facts_hash_of(facts) != incident.facts_hash:
        return stored
    return assess(facts, translate=gettext).to_dict()
