"""The reports API: request a report for an incident, poll its status, download it.

    GET  /api/v1/incidents/{reference}/reports/                 the reports you may see
    POST /api/v1/incidents/{reference}/reports/                 request one (managers) → 202 + status
    GET  /api/v1/incidents/{reference}/reports/{id}/            status (poll until ready or failed)
    GET  /api/v1/incidents/{reference}/reports/{id}/download/   the PDF

Same rules as the pages: the incident and the report are looked up through the access
policy (404 when hidden); an employee who sees their own case but may not generate gets
403; the choices are checked by the same form as the page (400 with Danish messages per
field); reads and downloads are audited.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from incidents.api.views import NOT_SIGNED_IN, NOT_VISIBLE, VALIDATION, ApiMixin, IgnoreAcceptNegotiation

from . import policy as report_policy
from . import services
from .forms import ReportOptionsForm, form_defaults
from .models import Report

# --- Serializers ---------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = (
            "id",
            "kind",
            "kind_label",
            "version",
            "status",
            "status_label",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
            "sha256",
            "size",
            "page_count",
            "includes_internal_notes",
            "plain_text",
            "sent_at",
            "sent_reference",
            "url",
            "download_url",
        )
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, report: Report) -> str:
        if report.incident_id is None:  # a statistics report has its page only
            return self._absolute(report.get_absolute_url())
        return self._absolute(reverse("reports-api:report-detail", args=[report.incident.reference, report.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, report: Report) -> str | None:
        if not report.is_ready:
            return None
        if report.incident_id is None:
            return self._absolute(report.get_download_url())
        return self._absolute(reverse("reports-api:report-download", args=[report.incident.reference, report.pk]))


INCIDENT_KIND_CHOICES = [(code, label) for code, label in Report.Kind.choices if code in Report.INCIDENT_KINDS]


class ReportRequestSerializer(serializers.Serializer):
    """Documents the request body; the choices are checked by `reports.forms.ReportOptionsForm`.

    A `dsa_notice` also takes `explanation_<publication id>`: which words break which provision
    for that URL (default: the provisions' summaries); a `breach_record` takes `breach_what`,
    `breach_categories`, `breach_persons`, `breach_records`, `breach_consequences`,
    `breach_measures_taken`, `breach_measures_proposed`, `breach_informed` (yes/planned/no) and
    `breach_informed_reason`."""

    kind = serializers.ChoiceField(choices=INCIDENT_KIND_CHOICES)
    publications = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Id'er på de offentliggørelser, der skal med (standard: alle).",
    )
    name_perpetrator = serializers.BooleanField(required=False, default=True)
    include_internal_notes = serializers.BooleanField(required=False, default=False, help_text="Kun for `internal_hr`.")
    employee = serializers.IntegerField(
        required=False,
        help_text="Bruger-id på den berørte medarbejder, når der er flere (police, datatilsynet, dsa_notice).",
    )
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=["prosecution", "restraining_order", "compensation"]),
        required=False,
        help_text="Kun for `police`.",
    )
    employee_address = serializers.CharField(required=False, help_text="Kun for `datatilsynet`: klagerens adresse.")
    platform = serializers.CharField(
        required=False,
        help_text="Kun for `dsa_notice`: platformens kode (én anmeldelse pr. platform; standard: den første).",
    )
    sender_name = serializers.CharField(required=False, help_text="Kun for `dsa_notice` (standard: dig).")
    sender_email = serializers.EmailField(required=False, help_text="Kun for `dsa_notice` (standard: din e-mail).")


FORBIDDEN_GENERATE = OpenApiResponse(description="Du kan se hændelsen, men kun ledere kan lave rapporter.")


def _report_data(request, report: Report) -> dict:
    return ReportSerializer(report, context={"request": request}).data


# --- Views ------------------------------------------------------------------------------------


class ReportListView(ApiMixin, APIView):
    @extend_schema(
        summary="Rapporter i en hændelse",
        responses={200: ReportSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str):
        incident = report_policy.get_incident_for_reports_or_404(request.user, reference)
        reports = list(report_policy.visible_reports(request.user, incident).order_by("kind", "-version"))
        for report in reports:
            report.incident = incident
        audit_record(
            request=request,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            obj=incident,
            summary=_("Rapporter læst"),
            details={"via": "api"},
        )
        return Response(ReportSerializer(reports, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Bestil en rapport",
        description="Kun ledere for hændelsens enhed. Rapporten dannes af en baggrundsproces; svaret (202) er "
        "dens status. Spørg på `url`, til `status` er `ready` (hent den på `download_url`) eller "
        "`failed` (årsagen står i `error`). Udeladte valg får samme standard som på siden.",
        request=ReportRequestSerializer,
        responses={
            202: ReportSerializer,
            400: VALIDATION,
            401: NOT_SIGNED_IN,
            403: FORBIDDEN_GENERATE,
            404: NOT_VISIBLE,
        },
    )
    def post(self, request, reference: str):
        incident = report_policy.get_incident_for_reports_or_404(request.user, reference)
        if not report_policy.may_generate(request.user, incident):
            raise PermissionDenied(_("Kun ledere for hændelsens enhed kan lave rapporter."))
        data = request.data if isinstance(request.data, dict) else {}
        kind = data.get("kind")
        if kind not in Report.INCIDENT_KINDS:
            raise ValidationError(
                {"kind": [_("Vælg en af rapporterne: %(kinds)s.") % {"kinds": ", ".join(Report.INCIDENT_KINDS)}]}
            )
        form = _options_form(request, incident, kind, data)
        if not form.is_valid():
            raise ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        report = services.report_request(
            actor=request.user, incident=incident, kind=kind, options=form.to_options(), request=request
        )
        report.incident = incident
        body = _report_data(request, report)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def _options_form(request, incident, kind: str, data: dict) -> ReportOptionsForm:
    """The page's form, fed with its own defaults and then the JSON body's values."""
    arguments = {
        "kind": kind,
        "incident": incident,
        "publications": list(incident.publications.all()),
        "targets": list(incident.targets.order_by("first_name", "last_name", "id")),
        "user": request.user,
    }
    defaults = form_defaults(ReportOptionsForm(**arguments))
    submitted = {key: value for key, value in data.items() if key != "kind"}
    return ReportOptionsForm({**defaults, **submitted}, **arguments)


class ReportDetailView(ApiMixin, APIView):
    @extend_schema(
        summary="En rapports status", responses={200: ReportSerializer, 401: NOT_SIGNED_IN, 404: NOT_VISIBLE}
    )
    def get(self, request, reference: str, report_id: int):
        incident = report_policy.get_incident_for_reports_or_404(request.user, reference)
        report = report_policy.get_report_or_404(request.user, incident, report_id)
        return Response(_report_data(request, report))


class ReportDownloadView(ApiMixin, APIView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        summary="Hent en rapport (PDF)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(
                description="Hændelsen eller rapporten findes ikke, du må ikke se den, eller den er ikke klar endnu."
            ),
        },
    )
    def get(self, request, reference: str, report_id: int):
        incident = report_policy.get_incident_for_reports_or_404(request.user, reference)
        report = report_policy.get_report_or_404(request.user, incident, report_id)
        try:
            handle = services.report_open(report)
        except FileNotFoundError as exc:
            raise NotFound(_("Rapporten er ikke klar endnu.")) from exc
        audit_record(
            request=request,
            actor=request.user,
            action=AuditEvent.Action.DOWNLOAD,
            obj=report,
            summary=_("Rapport hentet"),
            details={"via": "api", "kind": report.kind, "version": report.version, "sha256": report.sha256},
        )
        response = stored_file_response(
            handle, name=report.file.name, filename=report.download_name, content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["X-Content-SHA256"] = report.sha256
        return response
