"""Recording requests at the desk: register (with the live suggestion), list, detail,
manager review, hidden recording, link to an incident.

Caseworkers see the requests they registered; managers see those of their units and
below; everyone else gets 404. Every read and change is audited (codes only, no text).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Unit
from audit.models import AuditEvent
from audit.services import audit_record
from common.pagination import page_links_of
from incidents import policy as incident_policy

from .. import markup, policy, selectors, services
from ..codes import DECISION_LABELS, MEDIA_LABELS, PASSAGE_LABELS, REASON_LABELS
from ..cpr import MESSAGE as CPR_MESSAGE
from ..forms import HiddenRecordingForm, IncidentLinkForm, RecordingRequestForm, RequestFilterForm, ReviewForm
from ..models import RecordingRequest
from ..suggest import InvalidRequestFacts, RequestFacts, Suggestion, suggest


def _registering_units_or_404(user) -> list[Unit]:
    unit_ids = policy.registering_units(user)
    if not unit_ids:
        raise Http404
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))


def _suggestion_for(organisation_id: int | None, reasons, media) -> tuple[Suggestion, object, list]:
    """The suggestion under the organisation's guideline in force, and its relevant passages."""
    guideline = selectors.current_guideline(organisation_id) if organisation_id else None
    suggestion = suggest(RequestFacts.of(reasons, media), guideline.policy if guideline else None)
    return suggestion, guideline, selectors.relevant_passages(guideline, suggestion.passage_keys)


def _chosen_organisation(form: RecordingRequestForm, units: list[Unit]) -> int:
    chosen = form.data.get(form.add_prefix("unit")) if form.is_bound else None
    for unit in units:
        if str(unit.pk) == chosen:
            return unit.organisation_id
    return units[0].organisation_id


# --- Register -------------------------------------------------------------------------------


def _form_page(
    request,
    form: RecordingRequestForm,
    units: list[Unit],
    *,
    reasons=None,
    media=None,
    cpr_removed: bool = False,
    previewed: bool = False,
):
    suggestion = guideline = None
    passages: list = []
    if reasons is not None:
        suggestion, guideline, passages = _suggestion_for(_chosen_organisation(form, units), reasons, media)
    return render(
        request,
        "recordings/form.html",
        {
            "form": form,
            "single_unit": form.single_unit,
            "suggestion": suggestion,
            "guideline": guideline,
            "passages": passages,
            "cpr_removed": cpr_removed,
            "previewed": previewed,
            "suggestion_label": DECISION_LABELS.get(suggestion.decision) if suggestion else "",
            "reason_labels": [REASON_LABELS[c] for c in suggestion.reasons] if suggestion else [],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_create(request):
    units = _registering_units_or_404(request.user)
    if request.method != "POST":
        return _form_page(request, RecordingRequestForm(units=units), units)

    form = RecordingRequestForm(request.POST, units=units)
    if "preview" in request.POST:
        reasons, media, masked = form.preview_facts()
        return _form_page(request, form, units, reasons=reasons, media=media, cpr_removed=masked, previewed=True)
    if not form.is_valid():
        reasons = form.cleaned_data.get("reasons")
        media = form.cleaned_data.get("media")
        return _form_page(request, form, units, reasons=reasons if reasons else None, media=media or "audio")
    recording_request = services.recording_request_register(
        actor=request.user,
        unit=form.cleaned_data["unit"],
        reasons=form.cleaned_data["reasons"],
        fields=form.fields_for_service(),
        request=request,
    )
    messages.success(request, _("Anmodningen er gemt."))
    return redirect("recordings:detail", pk=recording_request.pk)


@login_required
@require_POST
def request_suggest(request):
    """JSON for the live suggestion: {"reasons": [codes], "media": "audio"|"video", "unit": id?}."""
    units = _registering_units_or_404(request.user)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _bad_request("body", "", _("Forespørgslen er ikke gyldig JSON."))
    if not isinstance(body, dict):
        return _bad_request("body", "", _("Forespørgslen skal være et JSON-objekt."))
    reasons = body.get("reasons", [])
    media = body.get("media", "audio")
    if not isinstance(reasons, list) or not all(isinstance(code, str) for code in reasons):
        return _bad_request("reasons", reasons, _("«reasons» skal være en liste af koder."))
    unit_id = body.get("unit")
    organisation_id = units[0].organisation_id
    if unit_id not in (None, ""):
        match = [u for u in units if str(u.pk) == str(unit_id)]
        if not match:
            return _bad_request("unit", unit_id, _("Du kan ikke registrere anmodninger i den enhed."))
        organisation_id = match[0].organisation_id
    try:
        suggestion, guideline, passages = _suggestion_for(organisation_id, reasons, media)
    except InvalidRequestFacts as exc:
        return _bad_request(exc.field, exc.value, _("Ukendt kode."))
    return JsonResponse(
        {
            "decision": suggestion.decision,
            "label": str(DECISION_LABELS[suggestion.decision]),
            "rule": suggestion.rule,
            "explanation": str(suggestion.explanation),
            "reasons": [{"code": code, "label": str(REASON_LABELS[code])} for code in suggestion.reasons],
            "advice": [str(item) for item in suggestion.advice],
            "guideline": (
                {
                    "title": guideline.title,
                    "effective_from": guideline.effective_from.isoformat(),
                    "url": reverse("recordings:guideline_version", args=[guideline.pk]),
                }
                if guideline
                else None
            ),
            "passages": [
                {"key": p.key, "title": str(PASSAGE_LABELS.get(p.key, p.key)), "blocks": markup.to_data(p.text)}
                for p in passages
            ],
        }
    )


def _bad_request(field: str, value, message: str) -> JsonResponse:
    return JsonResponse({"field": field, "value": value, "message": message}, status=400)


# --- List -------------------------------------------------------------------------------------


@login_required
@require_safe
def request_list(request):
    if not policy.may_use_requests(request.user):
        raise Http404
    managed = policy.managed_units(request.user)
    units = list(Unit.objects.filter(pk__in=managed).order_by("name")) if managed else []
    filter_form = RequestFilterForm(request.GET or None, units=units) if units else None
    filters: dict = {}
    if filter_form is not None and filter_form.is_bound and filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = {
            "decision": data["decision"],
            "reason": data["reason"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "only_unreviewed": data["unreviewed"],
        }
        if data["unit"]:
            filters["unit_ids"] = [data["unit"]]
    paginator = Paginator(selectors.request_list(request.user, **filters), selectors.LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.links = page_links_of(page)
    rows = list(page.object_list)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="recordings.recordingrequest",
        summary=_("Liste over anmodninger om optagelse vist"),
        organisation_id=request.user.organisation_id,
        details={
            "ids": [row.pk for row in rows],
            "page": page.number,
            "count": paginator.count,
            "filters": {k: v for k, v in request.GET.items() if v and k != "page"},
        },
    )
    return render(
        request,
        "recordings/list.html",
        {
            "page": page,
            "rows": rows,
            "filter_form": filter_form,
            "is_manager": bool(managed),
            "may_register": policy.may_register(request.user),
            "has_filters": bool(filters and any(filters.values())),
        },
    )


# --- Detail and changes -------------------------------------------------------------------------


def render_detail(
    request,
    recording_request: RecordingRequest,
    *,
    review_form=None,
    hidden_form=None,
    link_form=None,
    status: int = 200,
):
    user = request.user
    suggestion = recording_request.compute_suggestion()
    may_update = policy.may_update(user, recording_request)
    incident = recording_request.incident
    incident_visible = bool(incident and incident_policy.visible_incidents(user).filter(pk=incident.pk).exists())
    audit_record(
        request=request, action=AuditEvent.Action.VIEW, obj=recording_request, summary=_("Anmodning om optagelse vist")
    )
    return render(
        request,
        "recordings/detail.html",
        {
            "rr": recording_request,
            "suggestion": suggestion,
            "suggestion_label": DECISION_LABELS[suggestion.decision],
            "suggestion_reason_labels": [REASON_LABELS[c] for c in suggestion.reasons],
            "passages": selectors.relevant_passages(recording_request.guideline, suggestion.passage_keys),
            "media_label": MEDIA_LABELS.get(recording_request.media, ""),
            "may_review": policy.may_review(user, recording_request),
            "may_update": may_update,
            "review_form": review_form or ReviewForm(initial={"review_note": recording_request.review_note}),
            "hidden_form": hidden_form or HiddenRecordingForm(),
            "link_form": link_form or IncidentLinkForm(user=user),
            "incident_visible": incident_visible,
            "candidates": selectors.incident_candidates(user) if may_update else [],
        },
        status=status,
    )


@login_required
@require_safe
def request_detail(request, pk: int):
    return render_detail(request, policy.get_request_or_404(request.user, pk))


def _changeable_or_404(request, pk: int, *, review: bool = False) -> RecordingRequest:
    recording_request = policy.get_request_or_404(request.user, pk)
    allowed = (policy.may_review if review else policy.may_update)(request.user, recording_request)
    if not allowed:
        raise Http404
    return recording_request


def _cpr_message(request, form) -> None:
    if any(e.code == "cpr" for errors in form.errors.as_data().values() for e in errors):
        messages.error(request, CPR_MESSAGE)


@login_required
@require_POST
def request_review(request, pk: int):
    recording_request = _changeable_or_404(request, pk, review=True)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _cpr_message(request, form)
        return render_detail(request, recording_request, review_form=form)
    services.recording_request_review(
        actor=request.user, recording_request=recording_request, note=form.cleaned_data["review_note"], request=request
    )
    messages.success(request, _("Din gennemgang er gemt."))
    return redirect(reverse("recordings:detail", args=[pk]) + "#gennemgang")


@login_required
@require_POST
def request_hidden(request, pk: int):
    recording_request = _changeable_or_404(request, pk)
    form = HiddenRecordingForm(request.POST)
    if not form.is_valid():
        _cpr_message(request, form)
        return render_detail(request, recording_request, hidden_form=form)
    services.recording_request_mark_hidden(
        actor=request.user, recording_request=recording_request, note=form.cleaned_data["note"], request=request
    )
    messages.success(request, _("Den skjulte optagelse er registreret."))
    return redirect(reverse("recordings:detail", args=[pk]) + "#skjult")


@login_required
@require_POST
def request_link_incident(request, pk: int):
    recording_request = _changeable_or_404(request, pk)
    if "remove" in request.POST:
        if (
            recording_request.incident_id
            and not incident_policy.visible_incidents(request.user).filter(pk=recording_request.incident_id).exists()
        ):
            raise Http404
        services.recording_request_link_incident(
            actor=request.user, recording_request=recording_request, incident=None, request=request
        )
        messages.success(request, _("Koblingen til hændelsen er fjernet."))
        return redirect(reverse("recordings:detail", args=[pk]) + "#haendelse")
    form = IncidentLinkForm(request.POST, user=request.user)
    if not form.is_valid():
        return render_detail(request, recording_request, link_form=form)
    incident = form.cleaned_data["reference"]
    services.recording_request_link_incident(
        actor=request.user, recording_request=recording_request, incident=incident, request=request
    )
    messages.success(
        request, _("Anmodningen er knyttet til hændelse %(reference)s.") % {"reference": incident.reference}
    )
    return redirect(reverse("recordings:detail", args=[pk]) + "#haendelse")
