"""Reads of recording requests and guidelines, through the access policy (recordings.policy:
who sees which request and guideline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.models import Unit
from incidents import policy as incident_policy

from .codes import DECISIONS, GENERAL, MEDIA_LABELS, REASON_LABELS, REASONS
from .models import REASON_FIELDS, GuidelinePassage, RecordingGuideline, RecordingRequest
from .policy import reader_organisation_ids, visible_requests

LIST_PAGE_SIZE = 25


def request_list(
    user,
    *,
    unit_ids=None,
    decision: str = "",
    reason: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    only_unreviewed: bool = False,
) -> QuerySet:
    """The requests the user sees, filtered (filters are already validated by the form)."""
    qs = visible_requests(user).select_related("unit", "registered_by")
    if unit_ids:
        qs = qs.filter(unit_id__in=unit_ids)
    if decision:
        qs = qs.filter(decision=decision)
    if reason:
        qs = qs.filter(**{REASON_FIELDS[reason]: True})
    if date_from:
        qs = qs.filter(request_date__gte=date_from)
    if date_to:
        qs = qs.filter(request_date__lte=date_to)
    if only_unreviewed:
        qs = qs.filter(reviewed_at__isnull=True)
    return qs.order_by("-request_date", "-id")


def incident_candidates(user, limit: int = 50) -> list[str]:
    """References the incident link suggests: the user's newest incidents about a recording."""
    return list(
        incident_policy.visible_incidents(user)
        .filter(Q(audio_published=True) | Q(video_published=True) | Q(hidden_recording=True))
        .order_by("-registered_at", "-id")
        .values_list("reference", flat=True)[:limit]
    )


# --- Guidelines -----------------------------------------------------------------------------


def current_guideline(organisation_id: int, on: date | None = None) -> RecordingGuideline | None:
    """The version in force on the day (today by default): the newest that has taken effect."""
    on = on or timezone.localdate()
    return (
        RecordingGuideline.objects.filter(organisation_id=organisation_id, effective_from__lte=on)
        .select_related("created_by")
        .order_by("-effective_from", "-id")
        .first()
    )


def guideline_versions(organisation_id: int) -> list[RecordingGuideline]:
    """Every version, newest first (future ones included: they are marked)."""
    return list(
        RecordingGuideline.objects.filter(organisation_id=organisation_id)
        .only("id", "title", "effective_from", "organisation_id")
        .order_by("-effective_from", "-id")
    )


def get_guideline_or_404(user, pk: int) -> RecordingGuideline:
    guideline = (
        RecordingGuideline.objects.filter(pk=pk, organisation_id__in=reader_organisation_ids(user))
        .select_related("created_by", "organisation")
        .first()
    )
    if guideline is None:
        raise Http404
    return guideline


def guideline_passages(guideline: RecordingGuideline | None) -> list[GuidelinePassage]:
    if guideline is None:
        return []
    return sorted(GuidelinePassage.objects.filter(guideline=guideline), key=lambda p: p.order)


def relevant_passages(guideline: RecordingGuideline | None, keys: tuple[str, ...]) -> list[GuidelinePassage]:
    """The passages for the suggestion's keys, in that order; the general one when none fits."""
    if guideline is None:
        return []
    by_key = {p.key: p for p in GuidelinePassage.objects.filter(guideline=guideline, key__in=[*keys, GENERAL])}
    found = [by_key[key] for key in keys if key in by_key]
    if not found and GENERAL in by_key:
        found = [by_key[GENERAL]]
    return found


# --- Counting ---------------------------------------------------------------------------------


def _period(qs: QuerySet, start: date | None, end: date | None) -> QuerySet:
    if start:
        qs = qs.filter(request_date__gte=start)
    if end:
        qs = qs.filter(request_date__lte=end)
    return qs


def _month_key(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def request_counts(unit_ids, start: date | None = None, end: date | None = None) -> dict:
    """Counts of the requests of the units in the period, for statistics (union reps included).

    Only numbers: no free text, no names, no single request. The caller applies the
    disclosure control of DOMAIN.md section 7 (small numbers shown as "< k"). Returns::

        {"total": int,
         "by_month": [{"month": date(YYYY, MM, 1), "count": int, "by_decision": {decision: int}}, …],
         "by_decision": {decision: int}, "by_reason": {reason: int}, "by_media": {media: int},
         "hidden_recordings": int, "linked_to_incident": int}

    Months without requests are left out; every decision, reason and media code is present.
    """
    qs = _period(RecordingRequest.objects.filter(unit_id__in=list(unit_ids)), start, end)
    months: dict[date, dict] = {}
    for month, decision, count in (
        qs.annotate(month=TruncMonth("request_date"))
        .values("month", "decision")
        .annotate(n=Count("id"))
        .values_list("month", "decision", "n")
        .order_by("month")
    ):
        key = _month_key(month)
        entry = months.setdefault(key, {"month": key, "count": 0, "by_decision": dict.fromkeys(DECISIONS, 0)})
        entry["count"] += count
        entry["by_decision"][decision] = count
    by_decision = dict.fromkeys(DECISIONS, 0)
    for entry in months.values():
        for decision, count in entry["by_decision"].items():
            by_decision[decision] += count
    totals = qs.aggregate(
        hidden=Count("id", filter=Q(hidden_recording_discovered=True)),
        # A request whose incident was purged after the retention period still counts as linked.
        linked=Count("id", filter=Q(incident__isnull=False) | Q(linked_incident_purged_on__isnull=False)),
        **{f"media_{code}": Count("id", filter=Q(media=code)) for code in MEDIA_LABELS},
        **{f"reason_{code}": Count("id", filter=Q(**{REASON_FIELDS[code]: True})) for code in REASONS},
    )
    return {
        "total": sum(by_decision.values()),
        "by_month": [months[key] for key in sorted(months)],
        "by_decision": by_decision,
        "by_reason": {code: totals[f"reason_{code}"] for code in REASONS},
        "by_media": {code: totals[f"media_{code}"] for code in MEDIA_LABELS},
        "hidden_recordings": totals["hidden"],
        "linked_to_incident": totals["linked"],
    }


@dataclass
class OverviewRow:
    label: str
    total: int
    by_decision: list[int]  # in DECISIONS order
    hidden: int = 0  # hidden recordings discovered (months and units)


def _row(label, counts: dict[str, int], hidden: int = 0) -> OverviewRow:
    return OverviewRow(
        label=label, total=sum(counts.values()), by_decision=[counts.get(d, 0) for d in DECISIONS], hidden=hidden
    )


def overview(unit_ids, start: date | None, end: date | None) -> dict:
    """The manager's overview: per month, per unit and per reason, each split by decision.

    Four grouped queries in the database, whatever the number of requests.
    """
    qs = _period(RecordingRequest.objects.filter(unit_id__in=list(unit_ids)), start, end)
    per_month: dict[date, dict[str, int]] = {}
    hidden_month: dict[date, int] = {}
    for month, decision, count, hidden in (
        qs.annotate(month=TruncMonth("request_date"))
        .values("month", "decision")
        .annotate(n=Count("id"), hidden=Count("id", filter=Q(hidden_recording_discovered=True)))
        .values_list("month", "decision", "n", "hidden")
        .order_by("month")
    ):
        key = _month_key(month)
        per_month.setdefault(key, {})[decision] = count
        hidden_month[key] = hidden_month.get(key, 0) + hidden

    per_unit: dict[int, dict[str, int]] = {}
    hidden_unit: dict[int, int] = {}
    for unit_id, decision, count, hidden in (
        qs.values("unit_id", "decision")
        .annotate(n=Count("id"), hidden=Count("id", filter=Q(hidden_recording_discovered=True)))
        .values_list("unit_id", "decision", "n", "hidden")
    ):
        per_unit.setdefault(unit_id, {})[decision] = count
        hidden_unit[unit_id] = hidden_unit.get(unit_id, 0) + hidden
    unit_names = dict(Unit.objects.filter(pk__in=per_unit).values_list("id", "name"))

    reason_rows = []
    per_reason = (
        qs.values("decision")
        .annotate(**{code: Count("id", filter=Q(**{REASON_FIELDS[code]: True})) for code in REASONS})
        .values("decision", *REASONS)
    )
    by_reason: dict[str, dict[str, int]] = {code: {} for code in REASONS}
    for row in per_reason:
        for code in REASONS:
            by_reason[code][row["decision"]] = row[code]
    for code in REASONS:
        reason_rows.append(_row(REASON_LABELS[code], by_reason[code]))

    months = [_row(key, per_month[key], hidden_month.get(key, 0)) for key in sorted(per_month)]
    units = sorted(
        (_row(unit_names.get(uid, "?"), per_unit[uid], hidden_unit.get(uid, 0)) for uid in per_unit),
        key=lambda r: str(r.label),
    )
    totals = {d: sum(r.by_decision[i] for r in months) for i, d in enumerate(DECISIONS)}
    return {
        "months": months,
        "units": units,
        "reasons": reason_rows,
        "total": _row("", totals, sum(hidden_month.values())),
        "unreviewed": qs.filter(reviewed_at__isnull=True).count(),
    }
