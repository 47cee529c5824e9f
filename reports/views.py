"""Report pages under an incident: list and choose, status (HTML and JSON), download, bundles.

Thin views: the incident is looked up through the access policy (404 when hidden), the
report through `reports.policy` (404 when the user may not see it), choices are checked
by `ReportOptionsForm`, and one service does the work. Pages that show incident data and
every download are audited. The status JSON (polled by static/js/report-status.js)
carries only the report's status and hashes, no incident data, and is not audited.
"""

from __future__ import annotations

import copy
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from idempotency.views import idempotent_form
from incidents import services as incident_services
from incidents.evidence import evidence_open, served_content_type
from incidents.models import Evidence, Redaction
from incidents.redactions import redaction_add, redaction_remove

from . import checks, content, services
from . import policy as report_policy
from .forms import INTRODUCTIONS, WARNINGS, MarkSentForm, RedactionForm, ReportFactsForm, ReportOptionsForm
from .models import EvidenceBundle, Report

logger = logging.getLogger(__name__)

DOWNLOAD_CSP = "default-src 'none'; sandbox"


def _incident(request, reference):
    return report_policy.get_incident_for_reports_or_404(request.user, reference)


def _manager_incident(request, reference):
    incident = _incident(request, reference)
    if not report_policy.may_generate(request.user, incident):
        raise Http404
    return incident


def _audit_view(request, incident, summary: str, **details) -> None:
    audit_record(request=request, action=AuditEvent.Action.VIEW, obj=incident, summary=summary, details=details)


def _kinds(incident) -> list[dict]:
    return [
        {
            "code": code,
            "label": label,
            "introduction": INTRODUCTIONS[code],
            "url": reverse("reports:create", args=[incident.reference, code]),
            "unavailable": checks.unavailable_reasons(code, incident),
        }
        for code, label in Report.Kind.choices
        if code in Report.INCIDENT_KINDS
    ]


@login_required
@require_safe
def report_list(request, reference):
    incident = _incident(request, reference)
    may_generate = report_policy.may_generate(request.user, incident)
    reports = list(
        report_policy.visible_reports(request.user, incident)
        .select_related("requested_by")
        .order_by("kind", "-version")
    )
    for report in reports:
        report.incident = incident
    _audit_view(request, incident, _("Rapporter vist"))
    return render(
        request,
        "reports/list.html",
        {
            "incident": incident,
            "reports": reports,
            "may_generate": may_generate,
            "kinds": _kinds(incident) if may_generate else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent_form
def report_create(request, reference, kind):
    incident = _manager_incident(request, reference)
    if kind not in Report.INCIDENT_KINDS:
        raise Http404
    publications = list(incident.publications.all())
    targets = list(incident.targets.order_by("first_name", "last_name", "id"))
    data = request.POST if request.method == "POST" else None
    form = ReportOptionsForm(
        data, kind=kind, incident=incident, publications=publications, targets=targets, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        report = services.report_request(
            actor=request.user, incident=incident, kind=kind, options=form.to_options(), request=request
        )
        messages.success(
            request,
            _("%(kind)s version %(version)s er bestilt. Siden opdaterer sig selv, når den er klar.")
            % {"kind": report.get_kind_display(), "version": report.version},
        )
        return redirect(report.get_absolute_url())
    evidence = list(Evidence.objects.filter(incident=incident).only("id", "kind", "removed_at"))
    missing = checks.missing_information(kind, incident, targets=targets, publications=publications, evidence=evidence)
    _audit_view(request, incident, _("Rapportvalg vist"), kind=kind)
    return render(
        request,
        "reports/create.html",
        {
            "incident": incident,
            "form": form,
            "kind": kind,
            "kind_label": Report.Kind(kind).label,
            "introduction": INTRODUCTIONS[kind],
            "missing": missing,
            "warning": WARNINGS.get(kind, ""),
            "unavailable": checks.unavailable_reasons(kind, incident),
        },
        status=400 if form.is_bound else 200,
    )


def _bundles(request, report) -> list[EvidenceBundle]:
    if not report_policy.may_generate(request.user, report.incident):
        return []
    return list(
        EvidenceBundle.objects.filter(report=report).select_related("created_by").order_by("-created_at", "-id")
    )


@login_required
@require_safe
def report_detail(request, reference, report_id):
    incident = _incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    _audit_view(request, incident, _("Rapport vist"), report=report.pk)
    may_generate = report_policy.may_generate(request.user, incident)
    sendable = may_generate and report.is_ready and report.kind in content.SENT_ACTIONS
    return render(
        request,
        "reports/detail.html",
        {
            "incident": incident,
            "report": report,
            "bundles": _bundles(request, report),
            "may_generate": may_generate,
            "sent_form": MarkSentForm(kind=report.kind) if sendable else None,
        },
    )


def status_json(report: Report, bundles: list[EvidenceBundle]) -> dict:
    """What the status page polls: the report's status and hashes (also for statistics reports)."""
    return {
        "id": report.pk,
        "kind": report.kind,
        "version": report.version,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "unfinished": report.is_unfinished,
        "error": report.error,
        "attempts": report.attempts,
        "retried_at": report.retried_at.isoformat() if report.retried_at else None,
        "sha256": report.sha256,
        "pages": report.page_count,
        "size": report.size,
        "download_url": report.get_download_url() if report.is_ready else None,
        "bundles": [
            {
                "id": bundle.pk,
                "status": bundle.status,
                "status_label": str(bundle.get_status_display()),
                "unfinished": bundle.is_unfinished,
                "error": bundle.error,
                "sha256": bundle.sha256,
                "manifest_sha256": bundle.manifest_sha256,
                "download_url": (
                    reverse("reports:bundle_download", args=[report.reference, report.pk, bundle.pk])
                    if bundle.is_ready
                    else None
                ),
            }
            for bundle in bundles
        ],
    }


@login_required
@require_safe
def report_status(request, reference, report_id):
    incident = _incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    response = JsonResponse(status_json(report, _bundles(request, report)))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_retry(request, reference, report_id):
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if report.may_retry:
        services.report_retry(actor=request.user, report=report, request=request)
        messages.info(request, _("Rapporten er sendt til dannelse igen."))
    return redirect(report.get_absolute_url())


def protect_download(response, sha256: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def report_download(request, reference, report_id):
    incident = _incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    try:
        handle = services.report_open(report)
    except FileNotFoundError as exc:
        if report.is_ready:
            logger.error("Report %s of %s is missing from storage", report.pk, incident.reference)
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=report,
        summary=_("Rapport hentet"),
        details={"kind": report.kind, "version": report.version, "sha256": report.sha256},
    )
    response = stored_file_response(
        handle, name=report.file.name, filename=report.download_name, content_type="application/pdf"
    )
    return protect_download(response, report.sha256)


@login_required
@require_http_methods(["GET", "HEAD"])
def report_text(request, reference, report_id):
    """The DSA notice as plain text, for a platform's form."""
    incident = _incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if not (report.is_ready and report.plain_text):
        raise Http404
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=report,
        summary=_("Rapporttekst hentet"),
        details={"kind": report.kind, "version": report.version},
    )
    response = HttpResponse(report.plain_text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.download_name.removesuffix(".pdf")}.txt"'
    return protect_download(response, "")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent_form
def report_bundle(request, reference, report_id):
    """POST: make a new evidence bundle of the report. GET: download the newest ready one."""
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if request.method == "POST":
        if not report.is_ready:
            messages.error(request, _("Rapporten er ikke klar endnu; bevispakken kan laves, når den er."))
        else:
            services.bundle_request(actor=request.user, report=report, request=request)
            messages.success(request, _("Bevispakken er bestilt. Siden opdaterer sig selv, når den er klar."))
        return redirect(report.get_absolute_url() + "#bevispakker")
    return _bundle_response(request, report_policy.get_bundle_or_404(request.user, report))


@login_required
@require_http_methods(["GET", "HEAD"])
def bundle_download(request, reference, report_id, bundle_id):
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    return _bundle_response(request, report_policy.get_bundle_or_404(request.user, report, bundle_id))


def _bundle_response(request, bundle: EvidenceBundle):
    try:
        handle = services.bundle_open(bundle)
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=bundle,
        summary=_("Bevispakke hentet"),
        details={"sha256": bundle.sha256, "manifest_sha256": bundle.manifest_sha256},
    )
    response = stored_file_response(
        handle, name=bundle.file.name, filename=bundle.download_name, content_type="application/zip"
    )
    return protect_download(response, bundle.sha256)


# --- Facts for reports, redactions, sending, the Datatilsynet package ----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_facts(request, reference):
    """The facts reports need: the employee's consents, contact, witnesses, the publisher's answer."""
    incident = _manager_incident(request, reference)
    # The form works on a copy: validating it changes its instance, the service compares with the stored row.
    form = ReportFactsForm(request.POST if request.method == "POST" else None, instance=copy.copy(incident))
    if request.method == "POST" and form.is_valid():
        changed = incident_services.incident_update_report_facts(
            actor=request.user, incident=incident, values=form.cleaned_data, request=request
        )
        messages.success(request, _("Oplysningerne er gemt.") if changed else _("Der var intet at ændre."))
        return redirect("reports:list", reference=incident.reference)
    _audit_view(request, incident, _("Oplysninger til rapporter vist"))
    return render(
        request, "reports/facts.html", {"incident": incident, "form": form}, status=400 if form.is_bound else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def redaction_list(request, reference):
    """Spans left out of documents to outside recipients: list and add."""
    incident = _manager_incident(request, reference)
    publications = list(incident.publications.all())
    form = RedactionForm(
        request.POST if request.method == "POST" else None, incident=incident, publications=publications
    )
    if request.method == "POST" and form.is_valid():
        field_code, publication = form.target_parts()
        try:
            redaction_add(
                actor=request.user,
                incident=incident,
                field=field_code,
                publication=publication,
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, _("Teksten udelades nu i dokumenter til politi, Datatilsynet og platforme."))
            return redirect("reports:redactions", reference=incident.reference)
    redactions = list(Redaction.objects.filter(incident=incident).select_related("publication", "created_by"))
    _audit_view(request, incident, _("Udeladelser vist"))
    return render(
        request,
        "reports/redactions.html",
        {
            "incident": incident,
            "form": form,
            "redactions": redactions,
            "publications": publications,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def redaction_delete(request, reference, redaction_id):
    incident = _manager_incident(request, reference)
    redaction = Redaction.objects.filter(incident=incident, pk=redaction_id).select_related("incident__unit").first()
    if redaction is None:
        raise Http404
    redaction_remove(actor=request.user, redaction=redaction, request=request)
    messages.success(request, _("Udeladelsen er fjernet; teksten kommer med igen i nye rapporter."))
    return redirect("reports:redactions", reference=incident.reference)


@login_required
@require_POST
def report_mark_sent(request, reference, report_id):
    """The report went to its recipient: ticks the matching action on the checklist."""
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if not (report.is_ready and report.kind in content.SENT_ACTIONS):
        raise Http404
    form = MarkSentForm(request.POST, kind=report.kind)
    if not form.is_valid():
        return render(
            request,
            "reports/detail.html",
            {
                "incident": incident,
                "report": report,
                "bundles": _bundles(request, report),
                "may_generate": True,
                "sent_form": form,
            },
            status=400,
        )
    services.report_mark_sent(
        actor=request.user,
        report=report,
        sent_on=form.cleaned_data["sent_on"],
        external_reference=form.cleaned_data["external_reference"],
        request=request,
    )
    messages.success(request, _("Rapporten er markeret som sendt, og handlingen er registreret på sagen."))
    return redirect(report.get_absolute_url())


def _package_files(report: Report) -> list[Evidence]:
    """The loose attachments of a Datatilsynet complaint: the files the report lists, as they are now."""
    return list(
        Evidence.objects.filter(
            incident=report.incident,
            pk__in=report.evidence_ids or [],
            removed_at__isnull=True,
            kind__in=checks.DATATILSYNET_ATTACHABLE,
        ).order_by("uploaded_at", "id")
    )


@login_required
@require_safe
def datatilsynet_package(request, reference, report_id):
    """The "Datatilsynet pakke": the complaint and each attachment as a loose file (no ZIP)."""
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if report.kind != Report.Kind.DATATILSYNET or not report.is_ready:
        raise Http404
    _audit_view(request, incident, _("Datatilsynet-pakke vist"), report=report.pk)
    return render(
        request, "reports/package.html", {"incident": incident, "report": report, "files": _package_files(report)}
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def datatilsynet_package_file(request, reference, report_id, evidence_id):
    incident = _manager_incident(request, reference)
    report = report_policy.get_report_or_404(request.user, incident, report_id)
    if report.kind != Report.Kind.DATATILSYNET or not report.is_ready:
        raise Http404
    evidence = next((e for e in _package_files(report) if e.pk == evidence_id), None)
    if evidence is None:
        raise Http404
    try:
        handle = evidence_open(evidence)
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=evidence,
        summary=_("Bilag til Datatilsynet hentet"),
        details={"report": report.pk, "sha256": evidence.sha256, "name": evidence.original_name},
    )
    response = stored_file_response(
        handle, name=evidence.file.name, filename=evidence.original_name, content_type=served_content_type(evidence)
    )
    return protect_download(response, evidence.sha256)
