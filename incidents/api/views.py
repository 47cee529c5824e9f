"""REST API views (Django REST framework), documented in the OpenAPI schema at /api/schema/.

Thin like the pages: look the incident up through the access policy (404 when it may not
be seen, for everyone), validate with a serializer, call one service, answer. Every read
and change of incident data is audited, as on the pages. Authentication: a session or
``Authorization: Token <key>``; without either the answer is 401.

Answers are JSON only (the browsable docs are Swagger UI at /api/docs/). Validation
errors of the incident endpoints use DRF's shape ``{"field": ["Danish message"]}``; the
assessment preview has its own flat shape (DOMAIN.md section 9, see `AssessmentPreviewView`).
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import permissions
from accounts.api_auth import TwoFactorTokenAuthentication
from accounts.models import Unit
from audit.models import AuditEvent
from audit.services import audit_record
from common.downloads import stored_file_response
from idempotency.api import IdempotentAPIMixin
from incidents import disclosure, policy, search, services
from incidents import evidence as evidence_files
from incidents.assessment import assess
from incidents.models import LEVEL_CHOICES, Evidence, Incident, Note, TimelineEntry
from incidents.upload_handlers import install_evidence_upload_handlers

from .permissions import MayAddEvidence, MayChangeIncident, MayRegisterIncidents
from .serializers import (
    AssessmentFactsSerializer,
    AssessmentSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    IncidentDetailSerializer,
    IncidentSummarySerializer,
    IncidentWriteSerializer,
    PreviewError,
    PreviewErrorSerializer,
    TimelineEntrySerializer,
    jsonable,
    preview_facts,
)

# --- Common ground ------------------------------------------------------------------------------


def api_exception_handler(exc, context):
    """DRF's handler, with a Danish message for a body that is not valid JSON.

    Messages may quote the input (an unknown code, a bad id); `jsonable` keeps such a quote
    renderable, so a lone surrogate in the request gives 400, not 500.
    """
    if isinstance(exc, ParseError):
        exc = ParseError(_("Forespørgslen kunne ikke læses. Send gyldig JSON med Content-Type: application/json."))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = jsonable(response.data)
    return response


class ApiMixin(IdempotentAPIMixin):
    """Token first, so a request without credentials answers 401 with WWW-Authenticate: Token.
    Every state-changing call accepts an Idempotency-Key (idempotency.api)."""

    authentication_classes = [TwoFactorTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return api_exception_handler


class IncidentLookupMixin:
    """`get_object` through the policy: 404 when hidden, then this view's permission classes (403)."""

    def get_object(self) -> Incident:
        incident = policy.get_incident_or_404(self.request.user, self.kwargs["reference"])
        self.check_object_permissions(self.request, incident)
        return incident


NOT_VISIBLE = OpenApiResponse(description="Hændelsen findes ikke, eller du må ikke se den (altid 404, aldrig 403).")
NOT_SIGNED_IN = OpenApiResponse(description="Ikke logget ind (session eller «Authorization: Token <nøgle>»).")
VALIDATION = OpenApiResponse(description='Ugyldige data: {"felt": ["dansk besked", ...]}.')
FORBIDDEN = OpenApiResponse(description="Du kan se hændelsen, men må ikke gøre dette.")

_DETAIL_QUERYSET = Incident.objects.select_related("unit", "unit__organisation", "reporter", "confirmed_by")


def _load_detail(user, reference: str) -> tuple[Incident, bool]:
    """The incident with everything the detail shows, filtered for the reader; 404 if hidden."""
    incident = policy.get_incident_or_404(user, reference, queryset=_DETAIL_QUERYSET)
    is_manager = policy.sees_internal_notes(user, incident)
    timeline = TimelineEntry.objects.select_related("actor")
    notes = Note.objects.select_related("author")
    if not is_manager:
        timeline = timeline.filter(visible_to_employee=True)
        notes = notes.filter(visibility=Note.Visibility.SHARED)
    if not policy.sees_shared_notes(user, incident):
        # A union rep the case is shared with reads it without any notes (note entries carry the text).
        timeline = timeline.exclude(kind=TimelineEntry.Kind.NOTE)
        notes = notes.none()
    prefetch_related_objects(
        [incident],
        "targets",
        "publications",
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by", "removed_by")),
        Prefetch("timeline", queryset=timeline, to_attr="api_timeline"),
        Prefetch("notes", queryset=notes, to_attr="api_notes"),
    )
    return incident, is_manager


def _detail(request, incident: Incident, is_manager: bool) -> dict:
    data = IncidentDetailSerializer(incident, context={"request": request, "is_manager": is_manager}).data
    return disclosure.project(data, disclosure.audience(request.user, incident))


def _with_etag(response: Response, incident: Incident) -> Response:
    response["ETag"] = incident.etag
    return response


def _if_match_version(request) -> int | None:
    """The version named by If-Match ("3", W/"3" or 3); None when absent, 0 when unreadable."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        return None
    if raw.startswith("W/"):
        raw = raw[2:]
    try:
        return int(raw.strip('"'))
    except ValueError:
        return 0


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='Påkrævet: den ETag, du fik ved GET (fx "3"). Er hændelsen ændret siden, svares 412, og '
    "intet gemmes; uden If-Match svares 428.",
)
PRECONDITION_FAILED = OpenApiResponse(
    description='412 {"detail": "…", "current": {…}}: hændelsen er ændret af en anden siden den ETag, du sendte. '
    "Intet er gemt; `current` er hændelsen, som den er nu (ETag-headeren er dens nye version), så du "
    "kan sammenligne og sende igen.",
)
PRECONDITION_REQUIRED = OpenApiResponse(
    description="428: ændringer kræver If-Match med hændelsens ETag (hent den med GET), så ingen ændring går tabt."
)


def _audit_view(request, incident: Incident, summary: str) -> None:
    audit_record(
        request=request,
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        obj=incident,
        summary=summary,
        details={"via": "api"},
    )


# --- Incidents ----------------------------------------------------------------------------------


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=search.MAX_QUERY_LENGTH,
        label=gettext_lazy("Søg: sagsnummer, navn på medarbejder eller afsender, ord fra beskrivelse og citater"),
    )
    status = django_filters.ChoiceFilter(choices=Incident.Status.choices, label=gettext_lazy("Status"))
    level = django_filters.ChoiceFilter(
        choices=LEVEL_CHOICES,
        method="filter_level",
        label=gettext_lazy("Gældende alvorlighed (1–4): den bekræftede, ellers den beregnede"),
    )
    # Only the reader's own organisation's units are choices, so a foreign unit id answers exactly
    # as an id that does not exist (400, same message): the filter confirms nothing about others.
    unit = django_filters.ModelChoiceFilter(
        queryset=lambda request: Unit.objects.filter(
            organisation_id__in=permissions.organisation_ids(request.user) if request is not None else []
        ),
        label=gettext_lazy("Enhedens id (hændelser registreret på netop den enhed)"),
    )

    class Meta:
        model = Incident
        fields = ["q", "status", "level", "unit"]

    def filter_search(self, queryset, name, value):
        return search.incident_search(queryset, value)

    def filter_level(self, queryset, name, value):
        level = int(value)
        return queryset.filter(Q(confirmed_level=level) | Q(confirmed_level__isnull=True, assessed_level=level))


class IncidentListCreateView(ApiMixin, generics.ListAPIView):
    """GET: the incidents you may see, newest first. POST: register an incident (managers)."""

    permission_classes = [IsAuthenticated, MayRegisterIncidents]
    serializer_class = IncidentSummarySerializer
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = IncidentFilter

    def get_queryset(self):
        return policy.visible_incidents(self.request.user, Incident.objects.select_related("unit"))

    @extend_schema(
        summary="Hændelser du må se",
        responses={200: IncidentSummarySerializer(many=True), 400: VALIDATION, 401: NOT_SIGNED_IN},
    )
    def get(self, request, *args, **kwargs):
        response = self.list(request, *args, **kwargs)
        audit_record(
            request=request,
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="incidents.incident",
            summary=_("Liste over hændelser læst"),
            details={
                "via": "api",
                "references": [row["reference"] for row in response.data["results"]],
                "filters": {
                    key: request.query_params[key][:100]
                    for key in ("q", "status", "level", "unit", "page")
                    if key in request.query_params
                },
            },
        )
        return response

    @extend_schema(
        summary="Registrér en hændelse",
        description="Kun ledere, og kun for enheder de er leder for. `publications` oprettes sammen med hændelsen; "
        "vurderingen beregnes med det samme og står under `assessment` i svaret.",
        request=IncidentWriteSerializer,
        responses={
            201: IncidentDetailSerializer,
            400: VALIDATION,
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(description="Kun ledere kan registrere hændelser."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = IncidentWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        incident = services.incident_register(
            actor=request.user,
            unit=serializer.validated_data["unit"],
            channel=Incident.Channel.MANAGER,
            fields=serializer.incident_fields(),
            targets=serializer.validated_data.get("targets", ()),
            publications=serializer.new_publications(),
            request=request,
        )
        incident, is_manager = _load_detail(request.user, incident.reference)
        location = request.build_absolute_uri(reverse("api:incident-detail", args=[incident.reference]))
        return Response(
            _detail(request, incident, is_manager), status=status.HTTP_201_CREATED, headers={"Location": location}
        )


_UPDATE_DESCRIPTION = (
    "Kun ledere for hændelsens enhed. PUT erstatter alle felter (udeladte felter får standardværdien); PATCH ændrer "
    "kun de felter, der sendes. `targets` og `publications` røres ikke, når de udelades.\n\n"
    "`publications` erstatter listen: et element med `id` ændrer den offentliggørelse (under PATCH kun de felter, "
    "der sendes), et element uden `id` opretter en ny, og offentliggørelser, der ikke står i listen, slettes "
    "(deres dokumentation bevares, men er ikke længere knyttet til en offentliggørelse). "
    "Vurderingen beregnes igen, når kendsgerningerne ændres."
)


class IncidentDetailView(ApiMixin, IncidentLookupMixin, generics.GenericAPIView):
    """One incident with publications, evidence, timeline, notes and assessment."""

    permission_classes = [IsAuthenticated, MayChangeIncident]
    serializer_class = IncidentDetailSerializer

    @extend_schema(
        summary="Én hændelse",
        description="Medarbejderen selv ser kun tidslinjepunkter, der vises for medarbejderen, og kun delte noter. "
        "`assessment` er den gemte vurdering (samme form som /api/v1/assessment/preview/) plus "
        "lederens bekræftelse eller ændring af niveauet.",
        responses={200: IncidentDetailSerializer, 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str):
        incident, is_manager = _load_detail(request.user, reference)
        _audit_view(request, incident, _("Hændelse læst"))
        return _with_etag(Response(_detail(request, incident, is_manager)), incident)

    @extend_schema(
        summary="Erstat en hændelses oplysninger",
        description=_UPDATE_DESCRIPTION,
        request=IncidentWriteSerializer,
        parameters=[IF_MATCH],
        responses={
            200: IncidentDetailSerializer,
            400: VALIDATION,
            401: NOT_SIGNED_IN,
            403: FORBIDDEN,
            404: NOT_VISIBLE,
            412: PRECONDITION_FAILED,
            428: PRECONDITION_REQUIRED,
        },
    )
    def put(self, request, reference: str):
        return self._update(request, reference, partial=False)

    @extend_schema(
        summary="Ret en hændelses oplysninger",
        description=_UPDATE_DESCRIPTION,
        request=IncidentWriteSerializer,
        parameters=[IF_MATCH],
        responses={
            200: IncidentDetailSerializer,
            400: VALIDATION,
            401: NOT_SIGNED_IN,
            403: FORBIDDEN,
            404: NOT_VISIBLE,
            412: PRECONDITION_FAILED,
            428: PRECONDITION_REQUIRED,
        },
    )
    def patch(self, request, reference: str):
        return self._update(request, reference, partial=True)

    def _update(self, request, reference: str, *, partial: bool):
        incident = self.get_object()
        expected = _if_match_version(request)
        if expected is None:
            return Response(
                {"detail": _("Send If-Match med hændelsens ETag (fra GET), så ingen ændring går tabt.")},
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        if expected != incident.version:
            return self._stale(request, reference)
        serializer = IncidentWriteSerializer(incident, data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            services.incident_update(
                actor=request.user,
                incident=incident,
                fields=serializer.incident_fields(),
                targets=serializer.targets_or_none(),
                save_related=serializer.publications_saver(),
                expected_version=expected,
                request=request,
            )
        except services.StaleVersion:
            return self._stale(request, reference)
        incident, is_manager = _load_detail(request.user, incident.reference)
        return _with_etag(Response(_detail(request, incident, is_manager)), incident)

    def _stale(self, request, reference: str) -> Response:
        """412 with the incident as it is now, so the client sees the colleague's change."""
        incident, is_manager = _load_detail(request.user, reference)
        _audit_view(request, incident, _("Hændelse læst"))
        data = {
            "detail": _(
                "Hændelsen er ændret af en anden, siden du hentede den. Intet er gemt. Sammenlign med "
                "udgaven her, og send igen med den nye ETag."
            ),
            "current": _detail(request, incident, is_manager),
        }
        return _with_etag(Response(data, status=status.HTTP_412_PRECONDITION_FAILED), incident)


class TimelineView(ApiMixin, IncidentLookupMixin, generics.GenericAPIView):
    serializer_class = TimelineEntrySerializer
    pagination_class = None

    @extend_schema(
        summary="Hændelsens tidslinje",
        description="Ældste først. Medarbejderen selv ser kun de punkter, der vises for medarbejderen.",
        responses={200: TimelineEntrySerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str):
        incident = self.get_object()
        entries = incident.timeline.select_related("actor")
        if not policy.sees_internal_notes(request.user, incident):
            entries = entries.filter(visible_to_employee=True)
        if not policy.sees_shared_notes(request.user, incident):
            entries = entries.exclude(kind=TimelineEntry.Kind.NOTE)
        _audit_view(request, incident, _("Tidslinje læst"))
        data = TimelineEntrySerializer(entries, many=True, context={"request": request}).data
        return Response(disclosure.project_timeline(data, disclosure.audience(request.user, incident)))


# --- Evidence -----------------------------------------------------------------------------------


class EvidenceListView(ApiMixin, IncidentLookupMixin, generics.GenericAPIView):
    permission_classes = [IsAuthenticated, MayAddEvidence]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = EvidenceSerializer
    pagination_class = None

    @extend_schema(
        summary="Hændelsens dokumentation",
        description="Også fjernede filer (gravsten med removed_at, removal_reason og sha256; download_url er null).",
        responses={200: EvidenceSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str):
        incident = self.get_object()
        evidence = list(evidence_files.evidence_list_for(incident))
        for row in evidence:
            row.incident = incident  # for the download links, without a query per row
        _audit_view(request, incident, _("Dokumentationsliste læst"))
        data = EvidenceSerializer(evidence, many=True, context={"request": request}).data
        return Response(disclosure.project_evidence(data, disclosure.audience(request.user, incident)))

    @extend_schema(
        summary="Upload dokumentation",
        description="multipart/form-data. Filtypen afgøres af indholdet, ikke af navnet; en fil, der ikke "
        "kan tages imod, giver 400 med forklaringen under `file`. Filen gemmes uændret med sin SHA-256.",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, 400: VALIDATION, 401: NOT_SIGNED_IN, 403: FORBIDDEN, 404: NOT_VISIBLE},
    )
    def post(self, request, reference: str):
        incident = self.get_object()
        # Stops a file above the size limit while it arrives (before request.data is parsed).
        size_limit = install_evidence_upload_handlers(request)
        serializer = EvidenceUploadSerializer(data=request.data, context={"request": request, "incident": incident})
        if size_limit.too_large:
            raise ValidationError({"file": [evidence_files.too_large_message(name) for name in size_limit.too_large]})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            evidence = evidence_files.evidence_store(
                actor=request.user,
                incident=incident,
                uploaded_file=data["file"],
                description=data["description"],
                captured_at=data["captured_at"],
                publication=data["publication"],
                request=request,
            )
        except evidence_files.EvidenceRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        return Response(EvidenceSerializer(evidence, context={"request": request}).data, status=status.HTTP_201_CREATED)


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """A download answers with the file whatever the client accepts; errors in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"\\/]')


class EvidenceDownloadView(ApiMixin, APIView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        summary="Hent en dokumentationsfil",
        description="Altid som vedhæftet fil (Content-Disposition: attachment) med X-Content-Type-Options: nosniff "
        "og Content-Security-Policy: sandbox. Typer, der kan afvikle kode (HTML, SVG …), sendes som "
        "application/octet-stream. En fjernet fil giver 404.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str, evidence_id: int):
        incident = policy.get_incident_or_404(request.user, reference)
        evidence = policy.get_evidence_or_404(request.user, incident, evidence_id)
        if evidence.is_removed or not evidence.file:
            raise NotFound(_("Filen er fjernet og kan ikke hentes."))
        try:
            handle = evidence_files.evidence_open(evidence)
        except OSError:
            raise NotFound(_("Filen findes ikke i lageret.")) from None
        audit_record(
            request=request,
            actor=request.user,
            action=AuditEvent.Action.DOWNLOAD,
            obj=evidence,
            summary=_("Dokumentation hentet"),
            details={"via": "api", "sha256": evidence.sha256, "name": evidence.original_name},
        )
        filename = _UNSAFE_NAME_CHARACTERS.sub("_", evidence.original_name) or "dokumentation"
        response = stored_file_response(
            handle,
            name=evidence.file.name,
            filename=filename,
            content_type=evidence_files.served_content_type(evidence),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


# --- Assessment preview (DOMAIN.md section 9) ----------------------------------------------------

_EXAMPLE_REQUEST = {
    "features": ["named", "offensive_language", "audio_published"],
    "perpetrator_relation": "citizen_own_case",
    "related_phenomena": ["stalking"],
    "platforms": ["facebook", "youtube"],
    "reaches": ["public"],
    "publication_count": 1,
    "first_published_at": "2026-11-19T22:41:00+01:00",
    "last_published_at": "2026-11-19T22:41:00+01:00",
    "absence_days": 0,
    "absence_start": None,
    "psychological_harm": False,
    "discovered_at": "2026-11-20T10:00:00+01:00",
    "registered_at": "2026-11-21T09:00:00+01:00",
    "self_report": False,
}


class AssessmentPreviewView(ApiMixin, APIView):
    """The assessment of facts that are not saved: a stable contract (DOMAIN.md section 9)."""

    parser_classes = [JSONParser]

    @extend_schema(
        summary="Beregn en vurdering uden at gemme",
        description=(
            "Alle, der er logget ind. Samme beregning som den, der gemmes på en hændelse.\n\n"
            "Anmodningen: kun `features` er påkrævet (en liste af koder, gerne tom). Typerne er strenge: lister er "
            "JSON-arrays af tekst, tal er JSON-heltal, flag er true/false. Udeladte nøgler og null giver "
            "standardværdien; datoer uden angivelse er nu; ukendte nøgler ignoreres. Tidspunkter uden "
            "UTC-forskydning læses som dansk tid (Europe/Copenhagen). Datoer skal ligge mellem år 1900 og 2999.\n\n"
            "400 gives for en ukendt kode, en forkert type eller en ugyldig dato — og for en krop, der ikke er et "
            "JSON-objekt — altid med `field` (nøglen), `value` (den forkerte værdi; i en liste det forkerte "
            "element), `code` og en dansk forklaring i `detail`."
        ),
        request=AssessmentFactsSerializer,
        responses={200: AssessmentSerializer, 400: PreviewErrorSerializer, 401: NOT_SIGNED_IN},
        examples=[
            OpenApiExample("Eksemplet fra DOMAIN.md afsnit 9", value=_EXAMPLE_REQUEST, request_only=True),
            OpenApiExample(
                "Ukendt kode",
                status_codes=["400"],
                response_only=True,
                value={
                    "field": "features",
                    "value": "bogus",
                    "code": "unknown_code",
                    "detail": "«bogus» er ikke en kendt kode i «features». Kendte koder: named, photo, …",
                },
            ),
        ],
    )
    def post(self, request):
        try:
            facts = preview_facts(request.data)
        except PreviewError as exc:
            return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response(assess(facts).to_dict())

    def handle_exception(self, exc):
        if isinstance(exc, ParseError):
            error = PreviewError(
                None,
                None,
                "parse_error",
                _("Forespørgslen kunne ikke læses. Send et JSON-objekt med Content-Type: application/json."),
            )
            return Response(error.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)
