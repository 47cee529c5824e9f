"""Reads of the manager's dashboard (issue 4, issue 17).

Open incidents by level and status, incidents waiting for assessment, deadlines of the coming
week, and the overdue deadlines grouped by case (newest first, the ones just missed before the
ones long forgotten), filterable by owner, unit and level; the personal watch list. Everything
goes through the access policy (`incidents.policy.managed_incidents`), so a case the manager is
kept out of never shows. A fixed number of queries whatever the number of incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents import policy
from incidents.assessment import LEVEL_LABELS
from incidents.deadlines import MET_BY_ACTION, deadline_met, incidents_with_content_removed
from incidents.forms.manager import managed_units, translated_choices
from incidents.models import LEVEL_CHOICES, DeadlineDismissal, Incident, IncidentDeadline, TimelineEntry, WatchListEntry

HORIZON = timedelta(days=7)
LIST_LIMIT = 15
OVERDUE_CASES_SHOWN = 10
CANDIDATE_CAP = 5000


class DashboardFilterForm(forms.Form):
    """The dashboard's filters (GET): whose cases, which unit, which level; "vis alle"."""

    OWNER_CHOICES = (("", _("Alle sager")), ("mine", _("Mine sager")), ("ingen", _("Uden sagsansvarlig")))

    ejer = forms.ChoiceField(label=_("Sagsansvarlig"), choices=OWNER_CHOICES, required=False)
    enhed = forms.ModelChoiceField(label=_("Enhed"), queryset=None, required=False, empty_label=_("Alle enheder"))
    niveau = forms.TypedChoiceField(
        label=_("Alvorlighed"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Alle"))] + translated_choices(LEVEL_CHOICES),
    )
    vis = forms.ChoiceField(choices=(("", ""), ("alle", "alle")), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enhed"].queryset = managed_units(user)

    def values(self) -> dict:
        return self.cleaned_data if self.is_valid() else {"ejer": "", "enhed": None, "niveau": None, "vis": ""}


def open_incidents(user, filters: dict) -> QuerySet:
    qs = policy.managed_incidents(user).exclude(status=Incident.Status.CLOSED)
    if filters.get("ejer") == "mine":
        qs = qs.filter(owner=user)
    elif filters.get("ejer") == "ingen":
        qs = qs.filter(owner__isnull=True)
    if filters.get("enhed") is not None:
        qs = qs.filter(unit=filters["enhed"])
    if filters.get("niveau"):
        level = filters["niveau"]
        qs = qs.filter(Q(confirmed_level=level) | Q(confirmed_level__isnull=True, assessed_level=level))
    return qs


@dataclass
class OverdueCase:
    incident: Incident
    deadlines: list = field(default_factory=list)  # IncidentDeadline rows with days_ago

    @property
    def latest_due(self) -> datetime:
        return max(row.due for row in self.deadlines)


def deadlines_of_dashboard(open_qs: QuerySet, now: datetime) -> tuple[list[OverdueCase], list]:
    """(overdue grouped by case, newest first; deadlines of the coming week, earliest first).
    A deadline met by its action, or marked as not relevant (DOMAIN.md 4.4), is left out."""
    candidates = list(
        IncidentDeadline.objects.filter(incident__in=open_qs, due__lte=now + HORIZON)
        .exclude(Exists(DeadlineDismissal.objects.filter(incident_id=OuterRef("incident_id"), code=OuterRef("code"))))
        .select_related("incident", "incident__unit", "incident__owner")
        .order_by("-due")[:CANDIDATE_CAP]
    )
    incident_ids = {row.incident_id for row in candidates}
    done = set(
        TimelineEntry.objects.filter(
            incident_id__in=incident_ids, kind=TimelineEntry.Kind.ACTION, action_code__in=list(MET_BY_ACTION.values())
        ).values_list("incident_id", "action_code")
    ) | {(pk, "content_removed") for pk in incidents_with_content_removed(incident_ids)}
    by_case: dict[int, OverdueCase] = {}
    coming = []
    today = timezone.localdate(now)
    for row in candidates:
        actions = {code for incident_id, code in done if incident_id == row.incident_id}
        if deadline_met(row.incident, row.code, actions):
            continue
        row.days_left = (timezone.localdate(row.due) - today).days
        row.days_ago = -row.days_left
        if row.due < now:
            by_case.setdefault(row.incident_id, OverdueCase(incident=row.incident)).deadlines.append(row)
        else:
            coming.append(row)
    overdue = sorted(by_case.values(), key=lambda case: case.latest_due, reverse=True)
    coming.sort(key=lambda row: row.due)
    return overdue, coming


def counts(open_qs: QuerySet) -> dict:
    by_level = dict(
        open_qs.annotate(lvl=Coalesce("confirmed_level", "assessed_level"))
        .values("lvl")
        .annotate(n=Count("id"))
        .values_list("lvl", "n")
    )
    by_status = dict(open_qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "levels": [{"level": lvl, "label": LEVEL_LABELS[lvl], "count": by_level.get(lvl, 0)} for lvl in (4, 3, 2, 1)],
        "statuses": [
            {"code": code, "label": label, "count": by_status.get(code, 0)}
            for code, label in Incident.Status.choices
            if code != Incident.Status.CLOSED
        ],
        "open_total": sum(by_level.values()),
    }


def waiting_for_assessment(open_qs: QuerySet) -> tuple[list[Incident], int]:
    qs = (
        open_qs.filter(Q(confirmed_at__isnull=True) | ~Q(confirmed_facts_hash=F("facts_hash")))
        .select_related("unit", "owner")
        .order_by("registered_at")
    )
    return list(qs[:LIST_LIMIT]), qs.count()


def watch_list(user) -> list[Incident]:
    """The user's watched cases that they may still see as manager, newest addition first."""
    watched = WatchListEntry.objects.filter(user=user, incident_id=OuterRef("pk"))
    return list(
        policy.managed_incidents(user)
        .filter(Exists(watched))
        .select_related("unit", "owner")
        .annotate(level_in_force=Coalesce("confirmed_level", "assessed_level"))
        .order_by("-registered_at")[:50]
    )


def owned_count(user) -> int:
    return policy.managed_incidents(user).exclude(status=Incident.Status.CLOSED).filter(owner=user).count()
