"""Landing pages per role. Each asks the access policy first; a page the user's roles do
not cover answers 404, like any object they may not see."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.due import RETENTION_WARNING_DAYS, retention_last_runs, retention_overview
from incidents.policy import own_incidents

from . import permissions
from .models import Organisation, Role, Unit


def _units(ids) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=ids).select_related("parent").order_by("name"))


CASEWORKER_CASES_SHOWN = 50


@login_required
def caseworker_home(request):
    unit_ids = permissions.units_for(request.user, Role.CASEWORKER)
    if not unit_ids:
        raise Http404
    cases = list(
        own_incidents(request.user)
        .only("reference", "title", "status", "registered_at")
        .order_by("-registered_at", "-id")[:CASEWORKER_CASES_SHOWN]
    )
    if cases:
        audit_record(request=request, action=AuditEvent.Action.VIEW, object_type="incidents.incident",
                     summary=_("Egne sager vist"), details={"references": [case.reference for case in cases]})
    return render(request, "dashboard/caseworker.html", {
        "units": _units(unit_ids),
        "cases": cases,
        "self_report_url": reverse("incidents:self_report"),
    })


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
    return render(request, "dashboard/admin.html", {
        "organisations": [(org, overview[org.pk], runs.get(org.pk)) for org in organisations],
        "warning_days": RETENTION_WARNING_DAYS,
    })


@login_required
def no_role(request):
    return render(request, "dashboard/no_role.html")
