"""The server-error handler: a database that went away mid-request is a retryable 503.

Django calls `server_error` (handler500) for any exception a view or middleware did not
handle, with the exception still in sys.exc_info(). When it is a lost or refused database
connection (OperationalError, InterfaceError: a restart, a fail-over, a killed backend)
the answer is 503 with Retry-After – JSON for the API, a Danish page for people saying
that nothing was lost and that sending again is safe (the form token and the API's
Idempotency-Key make a retry return the first answer when the write was committed).
Anything else is the usual 500 page. Nothing here touches the database.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _is_database_error(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def database_unavailable(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "Databasen svarede ikke. Intet halvt er gemt: send forespørgslen igen "
                    "om lidt med samme Idempotency-Key."
                )
            },
            status=503,
        )
    else:
        language = translation.get_language() or "da"
        body = loader.get_template("503_database.html").render({"language": language})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    if _is_database_error(sys.exc_info()[1]):
        logger.warning("Database unavailable during %s %s; answered 503", request.method, request.path)
        return database_unavailable(request)
    return defaults.server_error(request)
