"""Writes that are safe to retry (issue 25).

    idempotent_run(*, request, user, key, scope, call, keep) -> HttpResponse
        Run `call()` once per (user, scope, key). The key is claimed, the work done and its
        answer stored in ONE transaction: when the answer is lost on the way (the connection
        to the database or to the client broke after the commit) a retry with the key gets
        the first answer back; when the work failed, nothing was committed, the key is free
        and the retry does the work. A second request with the key while the first runs
        waits for it (the unique row is locked) and then gets its answer.
        `keep(response)` says whether this answer is the one to repeat (a success); other
        answers free the key again, so the user can correct the input and send again.
    records_purge(*, older_than) -> int
        the nightly clean-up: keys are kept IDEMPOTENCY_TTL_HOURS (24).

The API calls it for every POST/PUT/PATCH/DELETE with an `Idempotency-Key` header
(`udhaengning.api.ApiMixin`), the HTML forms through their one-time token
(`idempotency.views.idempotent_form` and `{% form_token %}`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


class Replay(Exception):
    """The key was used before: `response` is the first answer."""

    def __init__(self, response: HttpResponse):
        super().__init__("replayed")
        self.response = response


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24))


def claim(*, request, user, key: str, scope: str) -> IdempotencyRecord:
    """Take the key inside the current transaction, or raise Replay with the first answer.

    Must run inside transaction.atomic(); the row becomes visible to others only at commit.
    A concurrent request with the same key blocks on the unique index until this one ends.
    """
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise Replay(_invalid_key())
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, scope=scope, key=key, method=request.method, path=request.path[:1000]
                )
        except IntegrityError:
            stored = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
            if stored is None:
                continue  # the other request failed and freed the key meanwhile
            if stored.created_at < timezone.now() - ttl():
                stored.delete()  # expired: the key may be used again
                continue
            raise Replay(replay(request, stored)) from None
    raise Replay(_invalid_key())  # pragma: no cover - freed and taken again in the same instant


def store(record: IdempotencyRecord, response: HttpResponse) -> None:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:200]
    record.location = response.get("Location", "")[:1000]
    record.body = b"" if getattr(response, "streaming", False) else bytes(response.content)
    record.save(update_fields=["status_code", "content_type", "location", "body"])


def forget(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def replay(request, record: IdempotencyRecord) -> HttpResponse:
    if record.scope == IdempotencyRecord.Scope.API and (record.method, record.path) != (
        request.method,
        request.path[:1000],
    ):
        return JsonResponse(
            {
                "detail": _(
                    "Denne Idempotency-Key er allerede brugt til en anden forespørgsel. "
                    "Brug en ny nøgle til hver ny ændring."
                )
            },
            status=422,
        )
    if record.scope == IdempotencyRecord.Scope.FORM:
        messages.info(
            request,
            _("Formularen var allerede sendt, og det er gemt. Her er det, der blev gemt; intet er gemt to gange."),
        )
        response = HttpResponseRedirect(record.location or request.path)
    else:
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type or "application/json"
        )
        if record.location:
            response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


def _invalid_key() -> HttpResponse:
    return JsonResponse({"detail": _("Idempotency-Key skal være 1–255 tegn.")}, status=400)


def idempotent_run(*, request, user, key: str, scope: str, call, keep) -> HttpResponse:
    with transaction.atomic():
        try:
            record = claim(request=request, user=user, key=key, scope=scope)
        except Replay as replayed:
            return replayed.response
        response = call()
        if keep(response):
            store(record, response)
        else:
            forget(record)
    return response


def records_purge(*, now=None) -> int:
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted
