"""The manager's dashboard: open incidents by level, deadlines of the coming week and
overdue ones, and incidents waiting for assessment (issue 4). A fixed number of queries
whatever the number of incidents; counting happens in the database."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.models import Role
from audit.models import AuditEvent
from audit.services import audit_record

from ..assessment import LEVEL_LABELS
from ..deadlines import MET_BY_ACTION, deadline_met
from ..models import DeadlineDismissal, Incident, IncidentDeadline, TimelineEntry

HORIZON = timedelta(days=7)
LIST_LIMIT = 15


@login_required
@require_safe
def manager_dashboard(request):
    unit_ids = permissions.units_for(request.user, Role.MANAGER)
    if not unit_ids:
        raise Http404
    now = timezone.now()
    open_qs = Incident.objects.filter(unit_id__in=unit_ids).exclude(status=Incident.Status.CLOSED)

    by_level = dict(
        open_qs.annotate(lvl=Coalesce("confirmed_level", "assessed_level"))
        .values("lvl").annotate(n=Count("id")).values_list("lvl", "n")
    )
    levels = [{"level": lvl, "label": LEVEL_LABELS[lvl], "count": by_level.get(lvl, 0)} for lvl in (4, 3, 2, 1)]
    by_status = dict(open_qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
    statuses = [{"code": code, "label": label, "count": by_status.get(code, 0)}
                for code, label in Incident.Status.choices if code != Incident.Status.CLOSED]

    waiting_qs = open_qs.filter(
        Q(confirmed_at__isnull=True) | ~Q(confirmed_facts_hash=F("facts_hash"))
    ).select_related("unit").order_by("registered_at")
    waiting = list(waiting_qs[:LIST_LIMIT])
    waiting_count = waiting_qs.count()

    # A deadline a manager marked as not relevant (DOMAIN.md 4.4) is left out in the same query.
    candidates = list(
        IncidentDeadline.objects.filter(
            incident__in=open_qs, due__lte=now + HORIZON,
        ).exclude(
            Exists(DeadlineDismissal.objects.filter(incident_id=OuterRef("incident_id"), code=OuterRef("code")))
        ).select_related("incident", "incident__unit").order_by("due")[:200]
    )
    done = set(
        TimelineEntry.objects.filter(
            incident_id__in={d.incident_id for d in candidates}, kind=TimelineEntry.Kind.ACTION,
            action_code__in=list(MET_BY_ACTION.values()),
        ).values_list("incident_id", "action_code")
    )
    overdue, coming = [], []
    for row in candidates:
        actions = {code for incident_id, code in done if incident_id == row.incident_id}
        if deadline_met(row.incident, row.code, actions):
            continue
        row.days_left = (timezone.localdate(row.due) - timezone.localdate(now)).days
        row.days_ago = -row.days_left
        (overdue if row.due < now else coming).append(row)

    audit_record(request=request, action=AuditEvent.Action.VIEW, object_type="incidents.dashboard",
                 summary=_("Overblik for ledere vist"),
                 details={"waiting": [i.reference for i in waiting],
                          "deadlines": sorted({r.incident.reference for r in overdue + coming})})
    return render(request, "dashboard/manager.html", {
        "levels": levels, "statuses": statuses, "open_total": sum(by_level.values()),
        "waiting": waiting, "waiting_count": waiting_count,
        "overdue": overdue[:LIST_LIMIT], "overdue_count": len(overdue),
        "coming": coming[:LIST_LIMIT], "coming_count": len(coming),
    })
