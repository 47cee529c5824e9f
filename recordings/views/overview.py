"""The managers' overview of recording requests: per month, unit and reason, by decision.
Counting happens in the database (recordings.selectors.overview)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Unit
from accounts.tree import UnitTree
from audit.models import AuditEvent
from audit.services import audit_record

from .. import policy, selectors
from ..codes import DECISION_LABELS, DECISIONS
from ..forms import OverviewForm, default_period


@login_required
@require_safe
def overview(request):
    managed = policy.managed_units(request.user)
    if not managed:
        raise Http404
    units = list(Unit.objects.filter(pk__in=managed).order_by("name").only("id", "name", "parent_id"))
    form = OverviewForm(request.GET or None, units=units)
    start, end = default_period()
    unit_ids = managed
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        if form.cleaned_data["unit"]:
            unit_ids = UnitTree.of_units(units).descendants([form.cleaned_data["unit"]]) & managed
    data = selectors.overview(unit_ids, start, end)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="recordings.overview",
        summary=_("Overblik over anmodninger om optagelse vist"),
        organisation_id=request.user.organisation_id,
        details={"from": start.isoformat(), "to": end.isoformat(), "units": sorted(unit_ids)},
    )
    return render(
        request,
        "recordings/overview.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "data": data,
            "decision_labels": [DECISION_LABELS[d] for d in DECISIONS],
        },
    )
