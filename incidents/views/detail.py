"""The incident page, for managers and for the employee concerned.

A manager sees the whole case with the forms to move it on; the employee concerned sees
their own case without internal notes or internal timeline entries; a union rep the
employee shared the case with reads it without any notes and without forms. Anyone else: 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import audit_record

from .. import art14, casework, policy, selectors, sharing
from .. import due as retention
from ..assessment import ACTION_CODES
from ..capture import policy as capture_policy
from ..capture import selectors as capture_selectors
from ..forms.art14 import Art14Form
from ..forms.casework import ExclusionForm, MessageForm, OwnerForm
from ..forms.workflow import ActionForm, ConfirmLevelForm, LegalHoldForm, NoteForm, StatusForm
from ..models import CaseExclusion, Incident, TimelineEntry, WatchListEntry
from ..next_steps import next_steps


def _audit_view(request, incident: Incident, summary: str) -> None:
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=summary)


def render_manager_detail(
    request,
    incident: Incident,
    *,
    status_form=None,
    action_form=None,
    note_form=None,
    assess_form=None,
    legal_hold_form=None,
    deadline_form=None,
    art14_form=None,
    owner_form=None,
    exclusion_form=None,
    message_form=None,
    status: int = 200,
):
    """The manager's page; the workflow views re-render it with their bound form on errors."""
    context = selectors.incident_detail_context(request.user, incident)
    may_change = policy.may_change(request.user, incident)
    context.update(
        next_steps=next_steps(context["assessment"], is_open=incident.is_open),
        thread=casework.thread_of(incident),
        message_form=message_form or MessageForm(),
        may_write_message=policy.may_write_message(request.user, incident),
        owner_form=owner_form or (OwnerForm(incident=incident) if may_change else None),
        exclusion_form=exclusion_form or (ExclusionForm(incident=incident, user=request.user) if may_change else None),
        exclusions=list(CaseExclusion.objects.filter(incident=incident).select_related("manager", "excluded_by")),
        watching=WatchListEntry.objects.filter(user=request.user, incident=incident).exists(),
        may_watch=policy.may_watch(request.user, incident),
    )
    context.update(
        status_form=status_form or StatusForm(incident=incident),
        action_form=action_form or ActionForm(initial=_action_initial(request)),
        assess_form=assess_form or ConfirmLevelForm(incident=incident),
        may_assess=policy.may_assess(request.user, incident),
        note_form=note_form or NoteForm(),
        may_add_evidence=policy.may_add_evidence(request.user, incident),
        may_remove_evidence=policy.may_remove_evidence(request.user, incident),
        may_change=policy.may_change(request.user, incident),
        may_set_legal_hold=policy.may_set_legal_hold(request.user, incident),
        may_journalise=policy.may_journalise(request.user, incident),
        legal_hold_form=legal_hold_form or LegalHoldForm(incident=incident),
        deadline_form=deadline_form,
        may_dismiss_deadline=policy.may_dismiss_deadline(request.user, incident),
        retention_months=incident.unit.organisation.retention_months,
        retention_due=retention.retention_due(incident),
        may_capture=capture_policy.may_capture(request.user, incident),
        art14_form=art14_form or Art14Form(incident=incident),
        art14_needed=art14.has_perpetrator(incident),
        art14_missing=art14.blocks_closing(incident),
        art14_summary=art14.describe(incident),
    )
    if context["may_capture"]:
        context["capture_card"] = capture_selectors.capture_card(incident)
    _audit_view(request, incident, _("Hændelse vist"))
    return render(request, "incidents/detail.html", context, status=status)


def _action_initial(request) -> dict:
    """A checklist item's "Markér som udført" link preselects its action (?handling=code)."""
    code = request.GET.get("handling", "")
    return {"action_code": code} if code in ACTION_CODES else {}


def render_shared_detail(request, incident: Incident):
    """The union rep's read-only page of a case shared with them: no notes, no forms."""
    full = selectors.incident_detail_context(request.user, incident)
    share = (
        incident.shares.filter(union_rep=request.user, withdrawn_at__isnull=True).select_related("shared_by").first()
    )
    context = {
        "incident": incident,
        "share": share,
        "publications": full["publications"],
        "timeline": [entry for entry in full["timeline"] if entry.kind != TimelineEntry.Kind.NOTE],
        "evidence_list": full["evidence_list"],
        "targets": full["targets"],
        "feature_labels": full["feature_labels"],
        "phenomena_labels": full["phenomena_labels"],
        "may_add_evidence": False,
        "may_remove_evidence": False,
    }
    _audit_view(request, incident, _("Delt hændelse vist af tillidsrepræsentant"))
    return render(request, "incidents/detail_shared.html", context)


def render_employee_detail(request, incident: Incident, *, message_form=None, status: int = 200):
    """The employee's page of their own case: shared notes, the message thread, no internal notes."""
    full = selectors.incident_detail_context(request.user, incident)
    context = {
        "incident": incident,
        "publications": full["publications"],
        "shared_notes": full["shared_notes"],
        "timeline": full["timeline"],
        "evidence_list": full["evidence_list"],
        "targets": full["targets"],
        "perpetrator_link": full["perpetrator_link"],
        "may_add_evidence": True,
        "may_remove_evidence": False,
        "thread": casework.thread_of(incident),
        "message_form": message_form or MessageForm(),
        "may_write_message": True,
        **sharing.share_card_context(request.user, incident),
    }
    _audit_view(request, incident, _("Hændelse vist af medarbejderen"))
    return render(request, "incidents/detail_employee.html", context, status=status)


@login_required
@require_safe
def incident_detail(request, reference):
    incident = policy.get_incident_or_404(request.user, reference)
    if policy.is_manager_of(request.user, incident):
        return render_manager_detail(request, incident)
    if not policy.is_employee_of(request.user, incident):
        return render_shared_detail(request, incident)  # visible, so shared with this union rep
    return render_employee_detail(request, incident)
