"""Sharing an incident with a union rep, and withdrawing it: the employee concerned only.

Both are POST forms on the employee's case page (templates/incidents/includes/
share_card.html); anyone else gets 404. The work is done by `incidents.sharing`, which
audits and notifies. The form is a single choice, so on an error the page is shown again
with the message and nothing typed is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import policy, sharing
from ..models import IncidentShare


def _back_to_case(incident):
    return redirect(reverse("incidents:detail", args=[incident.reference]) + "#deling")


@login_required
@require_POST
def incident_share_create(request, reference):
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_share(request.user, incident):
        raise Http404
    form = sharing.IncidentShareForm(request.POST, user=request.user, incident=incident)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("union_rep", [])) or _("Sagen er ikke delt."))
        return _back_to_case(incident)
    rep = form.cleaned_data["union_rep"]
    try:
        sharing.incident_share(actor=request.user, incident=incident, union_rep=rep, request=request)
    except sharing.ShareRefused as exc:
        messages.error(request, str(exc))
        return _back_to_case(incident)
    messages.success(
        request,
        _(
            "Sagen er delt med %(name)s, som nu kan læse den, men ikke ændre noget. "
            "Du kan trække delingen tilbage når som helst."
        )
        % {"name": rep.get_full_name() or rep.get_username()},
    )
    return _back_to_case(incident)


@login_required
@require_POST
def incident_share_withdraw(request, reference, share_id):
    incident = policy.get_incident_or_404(request.user, reference)
    if not policy.may_share(request.user, incident):
        raise Http404
    share = IncidentShare.objects.filter(incident=incident, pk=share_id).select_related("union_rep").first()
    if share is None:
        raise Http404
    sharing.incident_share_withdraw(actor=request.user, share=share, request=request)
    messages.success(
        request,
        _("%(name)s kan ikke længere se sagen.")
        % {"name": share.union_rep.get_full_name() or share.union_rep.get_username()},
    )
    return _back_to_case(incident)
