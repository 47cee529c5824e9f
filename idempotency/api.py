"""Idempotency-Key for the REST API (issue 25), and its place in the OpenAPI schema.

Every POST, PUT, PATCH and DELETE of the API accepts an `Idempotency-Key` header (any
1–255 characters; a UUID per change is a good choice). The first request with the key is
done and its answer stored with it, in the same transaction, for 24 hours; a repeat with the
same key (after a timeout, a 503, a lost connection) gets that first answer again, with
`Idempotent-Replayed: true`, and changes nothing. Errors (4xx, 5xx) are not stored: the
request was not done, and it may be sent again with the same key. The same key for another
method or path answers 422.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from . import services

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
HEADER = "Idempotency-Key"

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Valgfri, anbefalet: en nøgle (1–255 tegn, fx en UUID) pr. ændring. Sendes samme forespørgsel "
    "igen med samme nøgle inden for 24 timer (efter en timeout eller et 503-svar), får du det første "
    "svar igen (med Idempotent-Replayed: true), og intet gemmes to gange.",
)


class IdempotentAPIMixin:
    """For DRF views: claim the key after authentication, store a successful answer."""

    _idempotency_record = None

    def dispatch(self, request, *args, **kwargs):
        if request.method not in UNSAFE_METHODS or not request.headers.get(HEADER):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            record = self._idempotency_record
            if record is not None:
                if 200 <= response.status_code < 300:
                    services.store(record, response)
                else:
                    services.forget(record)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        key = request.headers.get(HEADER)
        if request.method in UNSAFE_METHODS and key:
            self._idempotency_record = services.claim(request=request, user=request.user, key=key, scope="api")

    def handle_exception(self, exc):
        if isinstance(exc, services.Replay):
            self._idempotency_record = None
            return exc.response
        return super().handle_exception(exc)


class IdempotentAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the Idempotency-Key header on every state-changing call."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method.upper() in UNSAFE_METHODS:
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters
