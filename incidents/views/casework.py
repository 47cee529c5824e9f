"""The case workspace forms on the incident page (issue 17): the case owner, managers kept out
of the case, the message thread and the watch list. Each looks the case up through the access
policy (404 when it may not be seen or used), validates, calls one function of
`incidents.casework` and redirects; a refused form is shown again with its error."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from idempotency.views import idempotent_form

from .. import casework, policy
from ..forms.casework import ExclusionForm, MessageForm, OwnerForm
from .detail import render_employee_detail, render_manager_detail


def _detail_url(incident, anchor: str = "") -> str:
    url = reverse("incidents:detail", args=[incident.reference])
    return f"{url}#{anchor}" if anchor else url


def _case_for_manager_or_404(user, reference: str):
    incident = policy.get_incident_or_404(user, reference)
    if not policy.may_take_case(user, incident):
        raise Http404
    return incident


@login_required
@require_POST
@idempotent_form
def incident_owner(request, reference):
    """Take the case ("Tag sagen"), give it to a colleague, or leave it without an owner."""
    incident = _case_for_manager_or_404(request.user, reference)
    data = request.POST.copy()
    if data.get("take"):
        data[OwnerForm(incident=incident).add_prefix("owner")] = str(request.user.pk)
    form = OwnerForm(data, incident=incident)
    if not form.is_valid():
        return render_manager_detail(request, incident, owner_form=form, status=400)
    try:
        changed = casework.case_assign(
            actor=request.user, incident=incident, owner=form.cleaned_data["owner"], request=request
        )
    except casework.CaseworkRefused as exc:
        form.add_error("owner", str(exc))
        return render_manager_detail(request, incident, owner_form=form, status=400)
    owner = form.cleaned_data["owner"]
    if not changed:
        messages.info(request, _("Sagsansvarlig er uændret."))
    elif owner is None:
        messages.success(request, _("Sagen har ikke længere en sagsansvarlig."))
    elif owner.pk == request.user.pk:
        messages.success(request, _("Du er nu sagsansvarlig."))
    else:
        messages.success(
            request,
            _("%(name)s er nu sagsansvarlig og har fået besked.")
            % {"name": owner.get_full_name() or owner.get_username()},
        )
    return redirect(_detail_url(incident, "sagsansvar"))


@login_required
@require_POST
@idempotent_form
def incident_exclusion(request, reference):
    """Keep a manager out of the case with a reason, or let them in again (`include`)."""
    incident = _case_for_manager_or_404(request.user, reference)
    include = request.POST.get("include", "")
    if include:
        exclusion = (
            incident.exclusions.filter(manager_id=include if include.isdigit() else 0).select_related("manager").first()
        )
        if exclusion is None:
            messages.info(request, _("Lederen var ikke holdt ude af sagen."))
        else:
            casework.case_include(actor=request.user, incident=incident, manager=exclusion.manager, request=request)
            messages.success(request, _("Lederen har adgang til sagen igen."))
        return redirect(_detail_url(incident, "sagsansvar"))
    form = ExclusionForm(request.POST, incident=incident, user=request.user)
    if not form.is_valid():
        return render_manager_detail(request, incident, exclusion_form=form, status=400)
    try:
        casework.case_exclude(
            actor=request.user,
            incident=incident,
            manager=form.cleaned_data["manager"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except casework.CaseworkRefused as exc:
        form.add_error(None, str(exc))
        return render_manager_detail(request, incident, exclusion_form=form, status=400)
    messages.success(request, _("Lederen er holdt ude af sagen og kan ikke længere se den."))
    return redirect(_detail_url(incident, "sagsansvar"))


@login_required
@require_POST
@idempotent_form
def incident_message(request, reference):
    """A message in the thread between the employee and the managers on the case."""
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_write_message(request.user, incident):
        raise Http404
    as_manager = policy.is_manager_of(request.user, incident)
    form = MessageForm(request.POST)
    error = None
    if form.is_valid():
        try:
            casework.case_message_post(
                actor=request.user, incident=incident, body=form.cleaned_data["body"], request=request
            )
        except casework.CaseworkRefused as exc:
            error = str(exc)
        else:
            messages.success(request, _("Beskeden er sendt."))
            return redirect(_detail_url(incident, "beskeder"))
    if error:
        form.add_error("body", error)
    if as_manager:
        return render_manager_detail(request, incident, message_form=form, status=400)
    return render_employee_detail(request, incident, message_form=form, status=400)


@login_required
@require_POST
@idempotent_form
def incident_watch(request, reference):
    """Put the case on the user's watch list, or take it off (`watch` = "1" or "0")."""
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_watch(request.user, incident):
        raise Http404
    watching = request.POST.get("watch") == "1"
    casework.watch_set(user=request.user, incident=incident, watching=watching, request=request)
    messages.success(
        request,
        _("Sagen er på din overvågningsliste.") if watching else _("Sagen er fjernet fra din overvågningsliste."),
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_detail_url(incident))
