"""Landing pages per role (moved here from accounts and incidents, issue 15 item 1). Each asks
the access policy first; a page the user's roles do not cover answers 404, like any object
they may not see. The union rep's landing page is the statistics page (stats.views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.models import Organisation, Unit
from audit.models import AuditEvent
from audit.services import audit_record
from incidents.due import RETENTION_WARNING_DAYS, retention_last_runs, retention_overview
from incidents.policy import own_incidents

from . import selectors


def _units(ids) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=ids).select_related("parent").order_by("name"))


CASEWORKER_CASES_SHOWN = 50


@login_required
@require_safe
def manager_dashboard(request):
    """Open incidents by level, the overdue deadlines by case (newest first, filterable, "vis
    alle"), the coming week, incidents waiting for assessment and the personal watch list."""
    if not permissions.manages_units(request.user):
        raise Http404
    now = timezone.now()
    form = selectors.DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.values()
    open_qs = selectors.open_incidents(request.user, filters)
    overdue, coming = selectors.deadlines_of_dashboard(open_qs, now)
    show_all = filters.get("vis") == "alle"
    shown_overdue = overdue if show_all else overdue[: selectors.OVERDUE_CASES_SHOWN]
    waiting, waiting_count = selectors.waiting_for_assessment(open_qs)
    watched = selectors.watch_list(request.user)
    query = request.GET.copy()
    query.pop("vis", None)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="incidents.dashboard",
        summary=_("Overblik for ledere vist"),
        details={
            "waiting": [i.reference for i in waiting],
            "deadlines": sorted(
                {case.incident.reference for case in shown_overdue}
                | {r.incident.reference for r in coming[: selectors.LIST_LIMIT]}
            ),
            "watched": [i.reference for i in watched],
            "filters": {k: v for k, v in request.GET.items() if v},
        },
    )
    return render(
        request,
        "dashboard/manager.html",
        {
            **selectors.counts(open_qs),
            "filter_form": form,
            "filtered": any(filters.get(name) for name in ("ejer", "enhed", "niveau")),
            "waiting": waiting,
            "waiting_count": waiting_count,
            "overdue": shown_overdue,
            "overdue_cases": len(overdue),
            "overdue_count": sum(len(case.deadlines) for case in overdue),
            "show_all": show_all,
            "show_all_query": query.urlencode(),
            "coming": coming[: selectors.LIST_LIMIT],
            "coming_count": len(coming),
            "watched": watched,
            "owned_count": selectors.owned_count(request.user),
            "here": request.get_full_path(),
        },
    )


@login_required
def caseworker_home(request):
    unit_ids = permissions.self_report_units(request.user)
    if not unit_ids:
        raise Http404
    cases = list(
        own_incidents(request.user)
        .only("reference", "title", "status", "registered_at")
        .order_by("-registered_at", "-id")[:CASEWORKER_CASES_SHOWN]
    )
    if cases:
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            object_type="incidents.incident",
            summary=_("Egne sager vist"),
            details={"references": [case.reference for case in cases]},
        )
    return render(
        request,
        "dashboard/caseworker.html",
        {
            "units": _units(unit_ids),
            "cases": cases,
            "self_report_url": reverse("incidents:self_report"),
        },
    )


@login_required
def admin_home(request):
    if not permissions.may_administer(request.user):
        raise Http404
    org_ids = permissions.administered_organisation_ids(request.user)
    organisations = Organisation.objects.order_by("name")
    if org_ids is not None:
        organisations = organisations.filter(pk__in=org_ids)
    organisations = list(organisations)
    # Counts only: an admin sees no incident (DOMAIN.md section 2).
    overview = retention_overview(timezone.now(), organisation_ids=[org.pk for org in organisations])
    runs = retention_last_runs(organisation_ids=[org.pk for org in organisations])
    return render(
        request,
        "dashboard/admin.html",
        {
            "organisations": [(org, overview[org.pk], runs.get(org.pk)) for org in organisations],
            "warning_days": RETENTION_WARNING_DAYS,
        },
    )


@login_required
def no_role(request):
    return render(request, "dashboard/no_role.html")
