"""GET /api/v1/statistics/: the statistics as JSON, with the filters of the page.

The answer is exactly the JSON download (`stats.exports.statistics_dict`) for the same
query string, disclosure-controlled for union reps. A user without statistics gets 404,
like on the page; invalid filters give 400 with ``{"field": ["Danish message"]}``.
Authentication: a session or ``Authorization: Token <key>``; without either, 401.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import TwoFactorTokenAuthentication
from audit.models import AuditEvent

from .exports import statistics_dict
from .selectors import statistics_for
from .views import audit_statistics


class StatisticsView(APIView):
    authentication_classes = [TwoFactorTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Statistik (anonymiseret for tillidsrepræsentanter)",
        description=(
            "Tabeller og nøgletal for hele måneder, kvartaler eller år og brugerens enheder. For "
            "tillidsrepræsentanter kun afsluttede måneder, og hvert tal er afrundet til et multiplum af k "
            "(`rounded: true`, `rounding_base`), én måned og én enhed ad gangen; summer er summer af de afrundede "
            "tal. Ledere får præcise tal for deres enheder."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                enum=["month", "quarter", "year"],
                description="Rækkerne: måneder, kvartaler eller år (standard: month). Fra og til "
                "rykkes ud til hele perioder.",
            ),
            OpenApiParameter(
                "from", OpenApiTypes.STR, description="Første måned, ÅÅÅÅ-MM (standard: 11 måneder før den sidste)."
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.STR,
                description="Sidste måned, ÅÅÅÅ-MM (standard: denne måned for "
                "ledere, den sidste afsluttede måned minus organisationens forsinkelse for "
                "tillidsrepræsentanter).",
            ),
            OpenApiParameter(
                "unit",
                OpenApiTypes.INT,
                description="En enhed og enhederne under den (standard: alle brugerens enheder).",
            ),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Statistikken."),
            400: OpenApiResponse(description='Ugyldige filtre: {"felt": ["dansk besked", ...]}.'),
            401: OpenApiResponse(description="Ikke logget ind."),
            404: OpenApiResponse(description="Brugeren har ingen statistik."),
        },
    )
    def get(self, request):
        form, statistics = statistics_for(request.user, request.query_params)
        if statistics is None:
            return Response({name: list(errors) for name, errors in form.errors.items()}, status=400)
        audit_statistics(
            request, statistics, action=AuditEvent.Action.VIEW, summary=_("Statistik hentet via API"), output="api"
        )
        return Response(statistics_dict(statistics))
