"""The statistics page, its downloads (CSV, JSON) and its PDF reports.

Managers and union reps with statistics units get them (`accounts.permissions.
statistics_units`); anyone else gets 404, like any page their roles do not cover. Every
view reads the same filters (`stats.forms`) and renders the same `Statistics`
(`stats.selectors`), so a union rep sees the same disclosure-controlled numbers in the page
and every download. Each showing and each download is written to the audit log with the
filters used (no incident is named: the statistics hold none).

The PDF goes through the reports machinery: "Dan PDF-rapport" asks for a `Report` of kind
`statistics` with the page's filters (`reports.services.statistics_report_request`); the
Celery worker counts the statistics for the user who asked and renders them
(`stats.pdf.statistics_pdf`). The report's page (/statistik/rapporter/<id>/) polls its
status and offers the download when it is ready; only the user who asked sees it
(`reports.policy.get_statistics_report_or_404`, 404 for anyone else).
"""

from __future__ import annotations

import logging
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.models import AuditEvent
from audit.services import audit_record, audit_record_read
from common.downloads import stored_file_response
from incidents.sharing import shared_with
from reports import policy as report_policy
from reports import services as report_services
from reports.views import protect_download, status_json

from .charts import charts_for, table_sections
from .exports import export_filename, statistics_csv, statistics_dict
from .forms import StatisticsFilterForm
from .scope import StatisticsUnits
from .selectors import Statistics, month_label, statistics_for, statistics_form

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"


def audit_statistics(request, statistics: Statistics, *, action: str, summary: str, output: str) -> None:
    """One audit event per showing or download of the statistics, with the filters used. A
    showing of the page is a read like the incident list's: written with one INSERT and no
    lock, and sealed into the organisation's chain within a minute (audit_record_read);
    downloads and the API go into the chain at once."""
    details = {
        "from": statistics.first.strftime("%Y-%m"),
        "to": statistics.last.strftime("%Y-%m"),
        "period": statistics.period,
        "unit": statistics.scope.selected_unit_id,
        "exact": statistics.exact,
        "output": output,
    }
    if output == "page":
        audit_record_read(
            request=request,
            object_type="stats.statistics",
            summary=summary,
            details=details,
            organisation_id=request.user.organisation_id,
        )
        return
    audit_record(request=request, action=action, object_type="stats.statistics", summary=summary, details=details)


RECENT_REPORTS_SHOWN = 10


@login_required
@require_safe
def dashboard(request):
    form, statistics = statistics_for(request.user, request.GET)
    return _dashboard(request, form, statistics)


def _dashboard(request, form: StatisticsFilterForm, statistics: Statistics | None):
    """The page for valid filters; the filters with their errors (and what was typed) otherwise."""
    context = {
        "form": form,
        "statistics": statistics,
        "statistics_reports": list(
            report_policy.visible_statistics_reports(request.user).defer("plain_text", "evidence_ids")[
                :RECENT_REPORTS_SHOWN
            ]
        ),
    }
    if statistics is None:
        return render(request, "stats/dashboard.html", context, status=400)
    query = form.query_string()
    charts = charts_for(statistics)
    context.update(
        charts=charts,
        sections=table_sections(statistics, charts),
        downloads=[
            {"url": f"{reverse('stats:export_csv')}?{query}", "label": _("Hent tabellerne som CSV"), "kind": "csv"},
            {"url": f"{reverse('stats:export_json')}?{query}", "label": _("Hent som JSON"), "kind": "json"},
        ],
        report_filters=[
            (name, value)
            for name, value in (
                ("period", form.cleaned_data["period"]),
                ("from", form.cleaned_data["from"].strftime("%Y-%m")),
                ("to", form.cleaned_data["to"].strftime("%Y-%m")),
                ("unit", form.cleaned_data["unit"] or ""),
            )
        ],
    )
    audit_statistics(request, statistics, action=AuditEvent.Action.VIEW, summary=_("Statistik vist"), output="page")
    context["shared_cases"] = _shared_cases(request)
    return render(request, "stats/dashboard.html", context)


SHARED_CASES_SHOWN = 50


def _shared_cases(request) -> list:
    """Incidents employees have shared with the user as union rep (links to read them)."""
    cases = list(shared_with(request.user)[:SHARED_CASES_SHOWN])
    if cases:
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            object_type="incidents.incident",
            summary=_("Sager delt med tillidsrepræsentant vist"),
            details={"references": [case.reference for case in cases]},
        )
    return cases


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_filters(form) -> HttpResponse:
    return HttpResponse(form.errors_text(), status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def export_csv(request):
    form, statistics = statistics_for(request.user, request.GET)
    if statistics is None:
        return _bad_filters(form)
    audit_statistics(
        request, statistics, action=AuditEvent.Action.EXPORT, summary=_("Statistik hentet som CSV"), output="csv"
    )
    response = HttpResponse(statistics_csv(statistics), content_type="text/csv; charset=utf-8")
    return _attachment(response, export_filename(statistics, "csv"))


@login_required
@require_safe
def export_json(request):
    form, statistics = statistics_for(request.user, request.GET)
    if statistics is None:
        return _bad_filters(form)
    audit_statistics(
        request, statistics, action=AuditEvent.Action.EXPORT, summary=_("Statistik hentet som JSON"), output="json"
    )
    response = JsonResponse(statistics_dict(statistics), json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _attachment(response, export_filename(statistics, "json"))


# --- PDF reports (the reports machinery, kind "statistics") ------------------------------------------


@login_required
@require_POST
def report_request(request):
    """Ask for a statistics report with the page's filters; then its page, which follows the worker."""
    units = StatisticsUnits(request.user)
    if not units.allowed:
        raise Http404
    form = statistics_form(units, request.POST)
    if not form.is_valid():
        # The page with the filters as typed and what is wrong with them; nothing is asked for.
        return _dashboard(request, form, None)
    unit_id = form.cleaned_data["unit"]
    report = report_services.statistics_report_request(
        actor=request.user,
        first=form.cleaned_data["from"],
        last=form.cleaned_data["to"],
        unit_id=unit_id,
        period=form.cleaned_data["period"],
        unit_label=units.names[unit_id] if unit_id else "",
        request=request,
    )
    messages.success(request, _("Statistikrapporten er bestilt. Siden opdaterer sig selv, når den er klar."))
    return redirect(report.get_absolute_url())


@login_required
@require_safe
def report_detail(request, report_id):
    report = report_policy.get_statistics_report_or_404(request.user, report_id)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        obj=report,
        summary=_("Statistikrapport vist"),
        details={"kind": report.kind, "version": report.version},
    )
    return render(request, "stats/report.html", {"report": report, "period": _period_labels(report.options)})


def _period_labels(options: dict) -> tuple[str, str]:
    """«januar 2026», «marts 2026» for the stored "2026-01" / "2026-03" (as given, if not a month)."""
    labels = []
    for key in ("from", "to"):
        value = str(options.get(key, ""))
        try:
            labels.append(month_label(date.fromisoformat(f"{value}-01")))
        except ValueError:
            labels.append(value)
    return labels[0], labels[1]


@login_required
@require_safe
def report_status(request, report_id):
    report = report_policy.get_statistics_report_or_404(request.user, report_id)
    response = JsonResponse(status_json(report, []))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_retry(request, report_id):
    report = report_policy.get_statistics_report_or_404(request.user, report_id)
    if report.may_retry:
        report_services.report_retry(actor=request.user, report=report, request=request)
        messages.info(request, _("Rapporten er sendt til dannelse igen."))
    return redirect(report.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD"])
def report_download(request, report_id):
    report = report_policy.get_statistics_report_or_404(request.user, report_id)
    try:
        handle = report_services.report_open(report)
    except FileNotFoundError as exc:
        if report.is_ready:
            logger.error("Statistics report %s is missing from storage", report.pk)
        raise Http404 from exc
    audit_record(
        request=request,
        action=AuditEvent.Action.DOWNLOAD,
        obj=report,
        summary=_("Statistikrapport hentet"),
        details={
            "kind": report.kind,
            "version": report.version,
            "sha256": report.sha256,
            "from": report.options.get("from"),
            "to": report.options.get("to"),
            "unit": report.options.get("unit"),
        },
    )
    response = stored_file_response(
        handle, name=report.file.name, filename=report.download_name, content_type="application/pdf"
    )
    return protect_download(response, report.sha256)
