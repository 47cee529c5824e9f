"""Pages for data subject requests (admins) and the record of processing (admins and managers).

Every view asks `privacy.policy` first; a request of another organisation, or a page the
user's roles do not cover, answers 404. Each showing of the requests, of what is stored about a
subject, each export and each erasure is written to the audit log (`privacy.services`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from common.pagination import page_links_of

from . import policy, services
from .forms import DecisionForm, ErasureForm, IdentityForm, RequestForm, WithholdForm
from .models import AccessExport
from .processing import build_record, record_markdown
from .selectors import findings_for

NO_STORE = "private, no-store"
REQUESTS_PER_PAGE = 50


def _handler_or_404(user) -> None:
    if not policy.may_handle_requests(user):
        raise Http404


@login_required
@require_safe
def request_list(request):
    _handler_or_404(request.user)
    requests = policy.visible_requests(request.user).select_related("organisation", "subject_user", "handled_by")
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    page.links = page_links_of(page)
    rows = list(page.object_list)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        object_type="privacy.datasubjectrequest",
        summary=_("Anmodninger fra registrerede vist"),
        details={"references": [dsr.reference for dsr in rows]},
    )
    return render(request, "privacy/list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_create(request):
    _handler_or_404(request.user)
    organisations = Organisation.objects.filter(pk__in=policy.request_organisation_ids(request.user)).order_by("name")
    if request.method != "POST":
        return render(request, "privacy/create.html", {"form": RequestForm(organisations=organisations)})
    form = RequestForm(request.POST, organisations=organisations)
    if not form.is_valid():
        return render(request, "privacy/create.html", {"form": form}, status=400)
    data = form.cleaned_data
    dsr = services.dsr_register(
        actor=request.user,
        organisation=data["organisation"],
        kind=data["kind"],
        subject_type=data["subject_type"],
        subject_user=data.get("subject_user"),
        subject_name=data.get("subject_name", ""),
        received_on=data["received_on"],
        requester=data["requester"],
        request=request,
    )
    messages.success(request, _("Anmodningen er registreret som %(reference)s.") % {"reference": dsr.reference})
    return redirect("privacy:detail", pk=dsr.pk)


def _withhold_choices(findings) -> list[tuple[str, str]]:
    """The items of a perpetrator's answer that can be withheld (each incident, publication, report)."""
    labels = {"incidents": _("Hændelse"), "publications": _("Offentliggørelse"), "reports": _("Rapport")}
    choices = []
    for section in findings.sections:
        for row in section.rows:
            if "key" in row:
                what = row.get("reference") or row.get("incident")
                extra = row.get("kind") or row.get("title") or ""
                choices.append((row["key"], f"{labels.get(section.key, section.title)} {what} {extra}".strip()))
    return choices


def _detail_page(
    request, dsr, *, decision_form=None, erasure_form=None, identity_form=None, withhold_form=None, status: int = 200
):
    findings = findings_for(dsr)
    labels = dict(_withhold_choices(findings)) if not dsr.is_employee else {}
    withheld_items = [(item, labels.get(item.key, item.key)) for item in findings.decisions.values() if item.withheld]
    # Withholding is an exception to the right of access (art. 15); an erasure has its own plan.
    choices = list(labels.items()) if not dsr.is_erasure else []
    plan = None
    if dsr.is_erasure and not dsr.erased:
        plan = services.erasure_plan(findings, actor=request.user)
    services.dsr_open(actor=request.user, dsr=dsr, findings=findings, request=request)
    open_request = not dsr.is_completed
    return render(
        request,
        "privacy/detail.html",
        {
            "dsr": dsr,
            "sections": findings.sections,
            "found_nothing": findings.is_empty,
            "plan": plan,
            "result": dsr.erasure_result or None,
            "decision_form": (decision_form or DecisionForm(dsr=dsr)) if open_request else None,
            "erasure_form": (erasure_form or ErasureForm()) if open_request and plan and not plan.blocked else None,
            "identity_form": identity_form
            or IdentityForm(initial={"identity_check": dsr.identity_check, "profile_url": dsr.subject_profile_url}),
            "near": findings.near,
            "withheld_items": withheld_items,
            "withhold_form": (withhold_form or WithholdForm(choices=choices)) if choices and open_request else None,
            "exports": list(dsr.exports.all()[:5]),
        },
        status=status,
    )


@login_required
@require_safe
def request_detail(request, pk: int):
    return _detail_page(request, policy.get_request_or_404(request.user, pk))


@login_required
@require_POST
def export_request(request, pk: int):
    """Order the answer as JSON or PDF: the worker renders it; the status page follows it."""
    dsr = policy.get_request_or_404(request.user, pk)
    fmt = request.POST.get("format", "")
    if fmt not in AccessExport.Format.values:
        messages.error(request, _("Vælg PDF eller JSON."))
        return redirect("privacy:detail", pk=dsr.pk)
    export = services.access_export_request(actor=request.user, dsr=dsr, fmt=fmt, request=request)
    return redirect("privacy:export_status", pk=dsr.pk, export_id=export.pk)


def _export_or_404(request, pk: int, export_id: int) -> AccessExport:
    dsr = policy.get_request_or_404(request.user, pk)
    export = AccessExport.objects.filter(request=dsr, pk=export_id).select_related("request").first()
    if export is None:
        raise Http404
    return export


@login_required
@require_safe
def export_status(request, pk: int, export_id: int):
    """The export's status; the page reloads itself every few seconds until it is ready or failed
    (with JavaScript off too), and `?format=json` answers the status for a script."""
    export = _export_or_404(request, pk, export_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"status": export.status, "sha256": export.sha256, "error": export.error, "withheld": export.withheld},
            headers={"Cache-Control": NO_STORE},
        )
    return render(request, "privacy/export_status.html", {"dsr": export.request, "export": export})


@login_required
@require_safe
def export_download(request, pk: int, export_id: int):
    export = _export_or_404(request, pk, export_id)
    try:
        handle = services.access_export_download(actor=request.user, export=export, request=request)
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = "application/json" if export.fmt == "json" else "application/pdf"
    response = stored_file_response(handle, name=export.file.name, filename=export.filename, content_type=content_type)
    response["Cache-Control"] = NO_STORE
    response["X-Content-SHA256"] = export.sha256
    return response


@login_required
@require_POST
def identity_record(request, pk: int):
    dsr = policy.get_request_or_404(request.user, pk)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, dsr, identity_form=form, status=400)
    services.dsr_identity_record(
        actor=request.user,
        dsr=dsr,
        check=form.cleaned_data["identity_check"],
        profile_url=form.cleaned_data.get("profile_url") or "",
        request=request,
    )
    messages.success(request, _("Identitetskontrollen er gemt."))
    return redirect("privacy:detail", pk=dsr.pk)


@login_required
@require_POST
def item_decide(request, pk: int):
    """Include or leave out a near match; withhold an item under § 22 (or give it back)."""
    dsr = policy.get_request_or_404(request.user, pk)
    if dsr.is_employee or dsr.is_completed:
        messages.error(request, _("Anmodningen kan ikke ændres."))
        return redirect("privacy:detail", pk=dsr.pk)
    findings = findings_for(dsr, audit_limit=0)
    action = request.POST.get("action", "")
    key = request.POST.get("key", "")
    near_keys = {item.key for item in findings.near}
    if action in ("include", "exclude") and key in near_keys:
        services.access_item_decide(actor=request.user, dsr=dsr, key=key, included=action == "include", request=request)
        messages.success(
            request, _("Det nære match er medtaget.") if action == "include" else _("Det nære match er udeladt.")
        )
    elif action == "release" and key in findings.decisions:
        services.access_item_decide(actor=request.user, dsr=dsr, key=key, withheld=False, request=request)
        messages.success(request, _("Punktet er ikke længere undtaget."))
    elif action == "withhold" and not dsr.is_erasure:
        form = WithholdForm(request.POST, choices=_withhold_choices(findings))
        if not form.is_valid():
            return _detail_page(request, dsr, withhold_form=form, status=400)
        services.access_item_decide(
            actor=request.user,
            dsr=dsr,
            key=form.cleaned_data["key"],
            withheld=True,
            exception=form.cleaned_data["exception"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, _("Punktet er undtaget fra indsigt og kommer ikke med i udtrækket."))
    else:
        messages.error(request, _("Punktet findes ikke i anmodningen."))
    return redirect("privacy:detail", pk=dsr.pk)


@login_required
@require_POST
def request_decide(request, pk: int):
    dsr = policy.get_request_or_404(request.user, pk)
    if dsr.is_completed:
        messages.error(request, _("Anmodningen er allerede afsluttet."))
        return redirect("privacy:detail", pk=dsr.pk)
    form = DecisionForm(request.POST, dsr=dsr)
    if not form.is_valid():
        return _detail_page(request, dsr, decision_form=form, status=400)
    services.dsr_decide(
        actor=request.user,
        dsr=dsr,
        decision=form.cleaned_data["decision"],
        justification=form.cleaned_data["justification"],
        request=request,
    )
    messages.success(request, _("Afgørelsen er gemt, og anmodningen er afsluttet."))
    return redirect("privacy:detail", pk=dsr.pk)


@login_required
@require_POST
def request_erase(request, pk: int):
    dsr = policy.get_request_or_404(request.user, pk)
    form = ErasureForm(request.POST)
    if dsr.is_erasure and not dsr.is_completed and not form.is_valid():
        return _detail_page(request, dsr, erasure_form=form, status=400)
    try:
        services.dsr_erase(
            actor=request.user, dsr=dsr, justification=request.POST.get("justification", ""), request=request
        )
    except (services.RequestClosed, services.ErasureBlocked) as exc:
        messages.error(request, str(exc))
        return redirect("privacy:detail", pk=dsr.pk)
    messages.success(request, _("Sletningen er udført. Se nedenfor, hvad der er slettet, og hvad der er beholdt."))
    return redirect("privacy:detail", pk=dsr.pk)


# --- Record of processing (art. 30) -----------------------------------------------------------------


def _record_organisation(request) -> tuple[Organisation, list[Organisation]]:
    organisations = list(
        Organisation.objects.filter(pk__in=policy.record_organisation_ids(request.user)).order_by("name")
    )
    if not organisations:
        raise Http404
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    return organisation, organisations


@login_required
@require_safe
def record(request):
    organisation, organisations = _record_organisation(request)
    return render(
        request,
        "privacy/record.html",
        {
            "record": build_record(organisation),
            "organisation": organisation,
            "organisations": organisations,
        },
    )


@login_required
@require_safe
def record_download(request):
    organisation, _organisations = _record_organisation(request)
    heading = _("Fortegnelse over behandlinger – %(organisation)s") % {"organisation": organisation.name}
    text = f"# {heading}\n\n" + record_markdown(build_record(organisation))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fortegnelse-over-behandlinger.md"'
    return response
