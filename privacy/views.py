"""Pages for data subject requests (admins) and the record of processing (admins and managers).

Every view asks `privacy.policy` first; a request of another organisation, or a page the
user's roles do not cover, answers 404. Each showing of the requests, of what is stored about a
subject, each export and each erasure is written to the audit log (`privacy.services`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.services import audit_record
from common.pagination import page_links_of

from . import policy, services
from .forms import DecisionForm, ErasureForm, RequestForm
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
    requests = (policy.visible_requests(request.user)
                .select_related("organisation", "subject_user", "handled_by"))
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    page.links = page_links_of(page)
    rows = list(page.object_list)
    audit_record(request=request, action=AuditEvent.Action.VIEW, object_type="privacy.datasubjectrequest",
                 summary=_("Anmodninger fra registrerede vist"),
                 details={"references": [dsr.reference for dsr in rows]})
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
        actor=request.user, organisation=data["organisation"], kind=data["kind"], subject_type=data["subject_type"],
        subject_user=data.get("subject_user"), subject_name=data.get("subject_name", ""),
        received_on=data["received_on"], requester=data["requester"], request=request,
    )
    messages.success(request, _("Anmodningen er registreret som %(reference)s.") % {"reference": dsr.reference})
    return redirect("privacy:detail", pk=dsr.pk)


def _detail_page(request, dsr, *, decision_form=None, erasure_form=None, status: int = 200):
    findings = findings_for(dsr)
    plan = None
    if dsr.is_erasure and not dsr.erased:
        plan = services.erasure_plan(findings, actor=request.user)
    services.dsr_open(actor=request.user, dsr=dsr, findings=findings, request=request)
    open_request = not dsr.is_completed
    return render(request, "privacy/detail.html", {
        "dsr": dsr,
        "sections": findings.sections,
        "found_nothing": findings.is_empty,
        "plan": plan,
        "result": dsr.erasure_result or None,
        "decision_form": (decision_form or DecisionForm(dsr=dsr)) if open_request else None,
        "erasure_form": (erasure_form or ErasureForm()) if open_request and plan and not plan.blocked else None,
    }, status=status)


@login_required
@require_safe
def request_detail(request, pk: int):
    return _detail_page(request, policy.get_request_or_404(request.user, pk))


def _download(export: services.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = NO_STORE
    response["X-Content-SHA256"] = export.sha256
    return response


@login_required
@require_safe
def export_json(request, pk: int):
    dsr = policy.get_request_or_404(request.user, pk)
    return _download(services.dsr_export(actor=request.user, dsr=dsr, fmt="json", request=request))


@login_required
@require_safe
def export_pdf(request, pk: int):
    dsr = policy.get_request_or_404(request.user, pk)
    return _download(services.dsr_export(actor=request.user, dsr=dsr, fmt="pdf", request=request))


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
    services.dsr_decide(actor=request.user, dsr=dsr, decision=form.cleaned_data["decision"],
                        justification=form.cleaned_data["justification"], request=request)
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
        services.dsr_erase(actor=request.user, dsr=dsr, justification=request.POST.get("justification", ""),
                           request=request)
    except (services.RequestClosed, services.ErasureBlocked) as exc:
        messages.error(request, str(exc))
        return redirect("privacy:detail", pk=dsr.pk)
    messages.success(request, _("Sletningen er udført. Se nedenfor, hvad der er slettet, og hvad der er beholdt."))
    return redirect("privacy:detail", pk=dsr.pk)


# --- Record of processing (art. 30) -----------------------------------------------------------------

def _record_organisation(request) -> tuple[Organisation, list[Organisation]]:
    organisations = list(Organisation.objects.filter(pk__in=policy.record_organisation_ids(request.user))
                         .order_by("name"))
    if not organisations:
        raise Http404
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    return organisation, organisations


@login_required
@require_safe
def record(request):
    organisation, organisations = _record_organisation(request)
    return render(request, "privacy/record.html", {
        "record": build_record(organisation), "organisation": organisation, "organisations": organisations,
    })


@login_required
@require_safe
def record_download(request):
    organisation, _organisations = _record_organisation(request)
    heading = _("Fortegnelse over behandlinger – %(organisation)s") % {"organisation": organisation.name}
    text = f"# {heading}\n\n" + record_markdown(build_record(organisation))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fortegnelse-over-behandlinger.md"'
    return response
