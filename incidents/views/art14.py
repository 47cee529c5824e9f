"""Recording the information to the perpetrator (art. 14) from the incident page (managers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from idempotency.views import idempotent_form

from .. import art14
from ..forms.art14 import Art14Form
from .detail import render_manager_detail
from .manager import _managed_incident_or_404


@login_required
@require_POST
@idempotent_form
def incident_art14(request, reference):
    incident = _managed_incident_or_404(request.user, reference)
    form = Art14Form(request.POST, incident=incident)
    if not form.is_valid():
        return render_manager_detail(request, incident, art14_form=form, status=400)
    data = form.cleaned_data
    changed = art14.art14_record(
        actor=request.user,
        incident=incident,
        informed_on=data["art14_informed_on"],
        exception=data["art14_exception"],
        reason=data["art14_reason"],
        request=request,
    )
    messages.success(
        request, _("Oplysningen til afsenderen er registreret.") if changed else _("Der var ingen ændringer at gemme.")
    )
    return redirect(reverse("incidents:detail", args=[incident.reference]) + "#afsender")
