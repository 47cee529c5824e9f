"""The statistics page and its downloads (CSV, JSON, PDF).

Managers and union reps with statistics units get them (`accounts.permissions.
statistics_units`); anyone else gets 404, like any page their roles do not cover. Every
view reads the same filters (`stats.forms`) and renders the same `Statistics`
(`stats.selectors`), so a union rep sees the same disclosure-controlled numbers in the page
and every download. Each showing and each download is written to the audit log with the
filters used (no incident is named: the statistics hold none).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import audit_record
from incidents.sharing import shared_with

from .charts import charts_for, table_sections
from .exports import export_filename, statistics_csv, statistics_dict
from .pdf import statistics_pdf
from .selectors import Statistics, statistics_for

NO_STORE = "private, no-store"


def audit_statistics(request, statistics: Statistics, *, action: str, summary: str, output: str) -> None:
    """One audit event per showing or download of the statistics, with the filters used."""
    audit_record(
        request=request, action=action, object_type="stats.statistics", summary=summary,
        details={
            "from": statistics.first.strftime("%Y-%m"), "to": statistics.last.strftime("%Y-%m"),
            "unit": statistics.scope.selected_unit_id, "exact": statistics.exact, "output": output,
        },
    )


def _errors_text(form) -> str:
    return "\n".join(f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                     for name, errors in form.errors.items())


@login_required
@require_safe
def dashboard(request):
    form, statistics = statistics_for(request.user, request.GET)
    context = {"form": form, "statistics": statistics}
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
            {"url": f"{reverse('stats:export_pdf')}?{query}", "label": _("Hent som PDF"), "kind": "pdf"},
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
        audit_record(request=request, action=AuditEvent.Action.VIEW, object_type="incidents.incident",
                     summary=_("Sager delt med tillidsrepræsentant vist"),
                     details={"references": [case.reference for case in cases]})
    return cases


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_filters(form) -> HttpResponse:
    return HttpResponse(_errors_text(form), status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def export_csv(request):
    form, statistics = statistics_for(request.user, request.GET)
    if statistics is None:
        return _bad_filters(form)
    audit_statistics(request, statistics, action=AuditEvent.Action.EXPORT, summary=_("Statistik hentet som CSV"),
                     output="csv")
    response = HttpResponse(statistics_csv(statistics), content_type="text/csv; charset=utf-8")
    return _attachment(response, export_filename(statistics, "csv"))


@login_required
@require_safe
def export_json(request):
    form, statistics = statistics_for(request.user, request.GET)
    if statistics is None:
        return _bad_filters(form)
    audit_statistics(request, statistics, action=AuditEvent.Action.EXPORT, summary=_("Statistik hentet som JSON"),
                     output="json")
    response = JsonResponse(statistics_dict(statistics), json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _attachment(response, export_filename(statistics, "json"))


@login_required
@require_safe
def export_pdf(request):
    form, statistics = statistics_for(request.user, request.GET)
    if statistics is None:
        return _bad_filters(form)
    user = request.user
    organisation = user.organisation.name if user.organisation_id else ""
    pdf = statistics_pdf(statistics, organisation=organisation, generated_by=user.get_full_name() or user.username)
    audit_record(
        request=request, action=AuditEvent.Action.EXPORT, object_type="stats.statistics",
        summary=_("Statistik hentet som PDF"),
        details={"from": statistics.first.strftime("%Y-%m"), "to": statistics.last.strftime("%Y-%m"),
                 "unit": statistics.scope.selected_unit_id, "exact": statistics.exact, "output": "pdf",
                 "sha256": pdf.sha256, "pages": pdf.pages},
    )
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["X-Content-SHA256"] = pdf.sha256
    return _attachment(response, export_filename(statistics, "pdf"))
