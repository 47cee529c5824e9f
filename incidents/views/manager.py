"""Manager screens: list, register, edit, status, actions and notes.

Every view asks the access policy first: a user who does not manage any unit, or does not
manage the incident's unit, gets 404. Changes go through `incidents.services`, which
writes the timeline entry and the audit event.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import permissions
from audit.models import AuditEvent
from audit.services import audit_record, audit_record_read
from idempotency.views import idempotent_form

from .. import concurrency, policy, selectors, services
from .. import evidence as evidence_service
from ..evidence import EvidenceRejected
from ..forms.manager import PUBLICATION_PREFIX, IncidentForm, PublicationEditFormSet, PublicationFormSet
from ..forms.workflow import ActionForm, ConfirmLevelForm, DeadlineDismissForm, LegalHoldForm, NoteForm, StatusForm
from ..models import FEATURE_FIELDS, PHENOMENON_FIELDS, Incident
from .detail import render_manager_detail

SORTABLE_COLUMNS = (
    ("reference", gettext_lazy("Sagsnummer")),
    ("level", gettext_lazy("Alvorlighed")),
    ("status", gettext_lazy("Status")),
    ("registered_at", gettext_lazy("Registreret")),
)


def _require_manager(user) -> None:
    if not permissions.manages_units(user):
        raise Http404


def _managed_incident_or_404(user, reference: str) -> Incident:
    incident = policy.get_incident_or_404(user, reference)
    if not policy.may_change(user, incident):
        raise Http404
    return incident


def _detail_url(incident: Incident, anchor: str = "") -> str:
    url = reverse("incidents:detail", args=[incident.reference])
    return f"{url}#{anchor}" if anchor else url


# --- List -------------------------------------------------------------------------------


def _sort_columns(current: str) -> dict[str, dict]:
    """Per column: the ordering a click asks for and the aria-sort state now."""
    columns = {}
    for key, label in SORTABLE_COLUMNS:
        if current == key:
            state, next_value = "ascending", f"-{key}"
        elif current == f"-{key}" or (not current and key == "registered_at"):
            state, next_value = "descending", key
        else:
            state, next_value = "none", f"-{key}" if key in ("registered_at", "level") else key
        columns[key] = {"label": label, "state": state, "next": next_value}
    return columns


@login_required
@require_safe
def incident_list(request):
    _require_manager(request.user)
    filterset = selectors.incident_filter_for_manager(request.user, request.GET)
    page = selectors.list_page(filterset, request.GET.get("page"))
    paginator = page.paginator
    incidents = page.object_list = selectors.list_rows(page.object_list)
    audit_record_read(
        request=request,
        object_type="incidents.incident",
        summary=_("Liste over hændelser vist"),
        organisation_id=request.user.organisation_id,
        details={
            "filters": {k: v for k, v in request.GET.items() if v and k != "page"},
            "page": page.number,
            "count": paginator.count,
            "more": not paginator.exact,
        },
    )
    current = request.GET.get("ordering", "") if filterset.is_valid() else ""
    return render(
        request,
        "incidents/list.html",
        {
            "filter": filterset,
            "page": page,
            "incidents": incidents,
            "rows_html": selectors.list_body_html(incidents, _("(bekræftet)")),
            "columns": _sort_columns(current),
        },
    )


# --- Register and edit ------------------------------------------------------------------


def _store_evidence(request, incident: Incident) -> int:
    """Store each uploaded file; a refused file is named in a warning, the rest are kept."""
    stored = 0
    for uploaded in request.FILES.getlist("evidence_files"):
        try:
            evidence_service.evidence_store(
                actor=request.user, incident=incident, uploaded_file=uploaded, request=request
            )
        except EvidenceRejected as exc:
            messages.warning(
                request, _("Filen «%(name)s» blev ikke gemt: %(reason)s") % {"name": uploaded.name, "reason": exc}
            )
        else:
            stored += 1
    return stored


def _valid(form, formset) -> bool:
    """Both valid, and no publication dated after the discovery (all errors shown at once)."""
    form_valid, formset_valid = form.is_valid(), formset.is_valid()
    if formset_valid and "discovered_at" in form.cleaned_data:
        formset_valid = formset.check_published_before(form.cleaned_data["discovered_at"])
    return form_valid and formset_valid


def _form_page(request, *, form, formset, incident=None, status=200, version=None, conflicts=None):
    files_lost = request.method == "POST" and bool(request.FILES.getlist("evidence_files"))
    if version is None and incident is not None:
        version = request.POST.get(concurrency.VERSION_FIELD) or incident.version
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "formset": formset,
            "incident": incident,
            "editing": incident is not None,
            "version": version,
            "conflicts": conflicts,
            "files_lost": files_lost,
            "publication_prefix": PUBLICATION_PREFIX,
            "preview_features": ",".join(FEATURE_FIELDS),
            "preview_phenomena": ",".join(PHENOMENON_FIELDS),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent_form
def incident_create(request):
    _require_manager(request.user)
    if request.method != "POST":
        form = IncidentForm(user=request.user)
        formset = PublicationFormSet(instance=Incident(), prefix=PUBLICATION_PREFIX)
        return _form_page(request, form=form, formset=formset)

    form = IncidentForm(request.POST, user=request.user)
    formset = PublicationFormSet(request.POST, instance=Incident(), prefix=PUBLICATION_PREFIX)
    if not _valid(form, formset):
        return _form_page(request, form=form, formset=formset)
    incident = services.incident_register(
        actor=request.user,
        unit=form.cleaned_data["unit"],
        channel=Incident.Channel.MANAGER,
        fields=form.fields_for_service(),
        targets=form.cleaned_data["targets"],
        publications=formset.publications_for_service(),
        request=request,
    )
    stored = _store_evidence(request, incident)
    text = _("Hændelsen %(reference)s er registreret.") % {"reference": incident.reference}
    if stored:
        text += " " + ngettext(
            "%(count)d fil er gemt som dokumentation.", "%(count)d filer er gemt som dokumentation.", stored
        ) % {"count": stored}
    messages.success(request, text)
    return redirect(_detail_url(incident))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent_form
def incident_edit(request, reference):
    incident = _managed_incident_or_404(request.user, reference)
    if request.method != "POST":
        form = IncidentForm(instance=incident, user=request.user)
        formset = PublicationEditFormSet(instance=incident, prefix=PUBLICATION_PREFIX)
        audit_record(
            request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=_("Hændelse åbnet til redigering")
        )
        return _form_page(request, form=form, formset=formset, incident=incident)

    # The form validates a copy, so the service sees which facts really changed.
    form = IncidentForm(request.POST, instance=copy.copy(incident), user=request.user)
    formset = PublicationEditFormSet(request.POST, instance=incident, prefix=PUBLICATION_PREFIX)
    if not _valid(form, formset):
        return _form_page(request, form=form, formset=formset, incident=incident)

    def save_publications(saved: Incident) -> bool:
        formset.instance = saved
        formset.save()
        return bool(formset.new_objects or formset.changed_objects or formset.deleted_objects)

    try:
        changed = services.incident_update(
            actor=request.user,
            incident=incident,
            fields={**form.fields_for_service(), "unit": form.cleaned_data["unit"]},
            targets=form.cleaned_data["targets"],
            save_related=save_publications,
            expected_version=concurrency.posted_version(request),
            request=request,
        )
    except services.StaleVersion as stale:
        # A colleague saved first: nothing is written; show both versions, keep what was typed.
        return _form_page(
            request,
            form=form,
            formset=formset,
            incident=stale.current,
            status=409,
            version=stale.current.version,
            conflicts=concurrency.conflicts(form, stale.current),
        )
    if changed:
        messages.success(request, _("Ændringerne er gemt, og vurderingen er beregnet igen."))
    else:
        messages.info(request, _("Der var ingen ændringer at gemme."))
    return redirect(_detail_url(incident))


# --- Workflow (forms on the detail page) ---------------------------------------------------


@login_required
@require_POST
@idempotent_form
def incident_status(request, reference):
    incident = _managed_incident_or_404(request.user, reference)
    form = StatusForm(request.POST, incident=incident)
    if request.POST.get(form.add_prefix("to_status")) == incident.status:
        # Pressed twice, or a colleague got there first: a no-op, said plainly.
        messages.info(request, str(services.AlreadyInStatus(incident)))
        return redirect(_detail_url(incident, "tidslinje"))
    if form.is_valid():
        try:
            services.incident_change_status(
                actor=request.user,
                incident=incident,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.AlreadyInStatus as exc:
            messages.info(request, str(exc))
            return redirect(_detail_url(incident, "tidslinje"))
        except services.TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Sagen har nu status «%(status)s».") % {"status": incident.get_status_display()}
            )
            return redirect(_detail_url(incident, "tidslinje"))
    return render_manager_detail(request, incident, status_form=form)


@login_required
@require_POST
@idempotent_form
def incident_action(request, reference):
    incident = _managed_incident_or_404(request.user, reference)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_manager_detail(request, incident, action_form=form)
    services.incident_record_action(
        actor=request.user,
        incident=incident,
        action_code=form.cleaned_data["action_code"],
        occurred_on=form.cleaned_data["occurred_on"],
        note=form.cleaned_data["note"],
        external_reference=form.cleaned_data["external_reference"],
        request=request,
    )
    messages.success(request, _("Handlingen er registreret på tidslinjen."))
    return redirect(_detail_url(incident, "tidslinje"))


@login_required
@require_POST
@idempotent_form
def incident_note(request, reference):
    incident = _managed_incident_or_404(request.user, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_manager_detail(request, incident, note_form=form)
    services.note_add(
        actor=request.user,
        incident=incident,
        body=form.cleaned_data["body"],
        visibility=form.cleaned_data["visibility"],
        request=request,
    )
    messages.success(request, _("Noten er gemt."))
    return redirect(_detail_url(incident, "noter"))


@login_required
@require_POST
@idempotent_form
def incident_assess(request, reference):
    """Confirm the computed level, or override it with a written reason."""
    incident = _managed_incident_or_404(request.user, reference)
    if not policy.may_assess(request.user, incident):
        raise Http404
    form = ConfirmLevelForm(request.POST, incident=incident)
    if not form.is_valid():
        return render_manager_detail(request, incident, assess_form=form)
    services.incident_confirm_level(
        actor=request.user,
        incident=incident,
        level=form.cleaned_data["level"],
        justification=form.cleaned_data["justification"],
        request=request,
    )
    messages.success(request, _("Vurderingen er gemt."))
    return redirect(_detail_url(incident, "vurdering"))


@login_required
@require_POST
@idempotent_form
def incident_legal_hold(request, reference):
    """Set or clear legal hold, with a reason (keeps a closed incident past its retention period)."""
    incident = _managed_incident_or_404(request.user, reference)
    if not policy.may_set_legal_hold(request.user, incident):
        raise Http404
    form = LegalHoldForm(request.POST, incident=incident)
    if not form.is_valid():
        return render_manager_detail(request, incident, legal_hold_form=form)
    hold = form.cleaned_data["hold"]
    changed = services.incident_set_legal_hold(
        actor=request.user, incident=incident, hold=hold, reason=form.cleaned_data["reason"], request=request
    )
    if not changed:
        messages.info(request, _("Retligt hold var allerede sat.") if hold else _("Sagen havde ikke retligt hold."))
    elif hold:
        messages.success(request, _("Retligt hold er sat. Sagen slettes ikke, før det er ophævet."))
    else:
        messages.success(request, _("Retligt hold er ophævet. Sagen slettes, når opbevaringsperioden er udløbet."))
    return redirect(_detail_url(incident, "opbevaring"))


@login_required
@require_POST
@idempotent_form
def incident_deadline_dismiss(request, reference):
    """Mark a deadline as not relevant with a reason, or take the mark back (DOMAIN.md 4.4)."""
    incident = _managed_incident_or_404(request.user, reference)
    if not policy.may_dismiss_deadline(request.user, incident):
        raise Http404
    form = DeadlineDismissForm(request.POST, incident=incident)
    if not form.is_valid():
        return render_manager_detail(request, incident, deadline_form=form, status=400)
    code = form.cleaned_data["code"]
    if form.cleaned_data["restore"]:
        services.deadline_restore(actor=request.user, incident=incident, code=code, request=request)
        messages.success(request, _("Fristen gælder igen."))
    else:
        services.deadline_dismiss(
            actor=request.user, incident=incident, code=code, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("Fristen er markeret som ikke relevant og vises ikke længere som overskredet."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)  # the dashboard's overdue list sends the manager back there
    return redirect(_detail_url(incident, "frister"))
