"""The information to the perpetrator (art. 14) of one incident in the API: read and record.

Managers of the incident's unit only (others who can see the incident get 404 here too: the
record concerns the perpetrator, not the employee). PUT takes either `informed_on` or
`exception` with `reason`; the checks are `incidents.art14.validate`, the same as the page's,
and the change goes through `incidents.art14.art14_record` (audited).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditEvent
from audit.services import audit_record
from incidents import art14, policy

from .views import FORBIDDEN, NOT_SIGNED_IN, NOT_VISIBLE, VALIDATION, ApiMixin


class Art14Serializer(serializers.Serializer):
    required = serializers.BooleanField(read_only=True, help_text="Hændelsen har en afsender (navn eller profil).")
    recorded = serializers.BooleanField(read_only=True)
    blocks_closing = serializers.BooleanField(
        read_only=True, help_text="Sagen kan ikke afsluttes, før det er registreret."
    )
    informed_on = serializers.DateField(
        required=False, allow_null=True, error_messages={"invalid": "Skriv datoen som ÅÅÅÅ-MM-DD."}
    )
    exception = serializers.ChoiceField(
        choices=art14.EXCEPTION_CHOICES,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "Ukendt undtagelse «{input}»."},
    )
    exception_label = serializers.CharField(read_only=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, trim_whitespace=True)
    summary = serializers.CharField(read_only=True)

    def validate(self, attrs):
        errors = art14.validate(
            informed_on=attrs.get("informed_on"),
            exception=attrs.get("exception") or "",
            reason=attrs.get("reason") or "",
        )
        if errors:
            names = {"art14_informed_on": "informed_on", "art14_exception": "exception", "art14_reason": "reason"}
            raise serializers.ValidationError({names[key]: [message] for key, message in errors.items()})
        return attrs


def _data(incident) -> dict:
    return {
        "required": art14.has_perpetrator(incident),
        "recorded": art14.is_recorded(incident),
        "blocks_closing": art14.blocks_closing(incident),
        "informed_on": incident.art14_informed_on,
        "exception": incident.art14_exception,
        "exception_label": incident.get_art14_exception_display(),
        "reason": incident.art14_reason,
        "summary": art14.describe(incident),
    }


class IncidentArt14View(ApiMixin, APIView):
    """Oplysning til afsenderen (art. 14) for én hændelse."""

    serializer_class = Art14Serializer

    def _incident(self, request, reference):
        incident = policy.get_incident_or_404(request.user, reference)
        if not policy.is_manager_of(request.user, incident):
            raise Http404
        return incident

    @extend_schema(
        summary="Oplysning til afsenderen (art. 14)",
        responses={200: Art14Serializer, 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
    )
    def get(self, request, reference: str):
        incident = self._incident(request, reference)
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            obj=incident,
            summary=_("Oplysning til afsenderen (art. 14) læst"),
        )
        return Response(Art14Serializer(_data(incident)).data)

    @extend_schema(
        summary="Registrér oplysning til afsenderen eller undtagelsen (art. 14)",
        request=Art14Serializer,
        responses={200: Art14Serializer, 400: VALIDATION, 401: NOT_SIGNED_IN, 403: FORBIDDEN, 404: NOT_VISIBLE},
    )
    def put(self, request, reference: str):
        incident = self._incident(request, reference)
        if not policy.may_change(request.user, incident):
            raise Http404
        serializer = Art14Serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        art14.art14_record(
            actor=request.user,
            incident=incident,
            informed_on=data.get("informed_on"),
            exception=data.get("exception") or "",
            reason=data.get("reason") or "",
            request=request,
        )
        incident.refresh_from_db()
        return Response(Art14Serializer(_data(incident)).data)
