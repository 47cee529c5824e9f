"""Requests refused before any view sees them, and responses that must not be stored.

`BadInputMiddleware` answers 400, with a Danish message naming the part at fault, for
input that used to reach the database or the JSON parser and end as a 500:

- a query parameter (name or value) with a NUL or another control character
  (PostgreSQL refuses NUL in text; none of our parameters has a use for them);
- an `X-Forwarded-For` header holding something that is not an IP address;
- a request body of JSON nested deeper than MAX_JSON_DEPTH (Python's parser recurses and
  gives up at about 1,000 levels), whatever its Content-Type, so every JSON endpoint is
  covered, the API's and the pages' own.

`NoStoreMiddleware` marks every answer to a signed-in user, and every API answer, as not
to be stored by the browser or a proxy (`Cache-Control: no-store`): they hold case data.
"""

from __future__ import annotations

import re
import time

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from common.client_ip import forwarded_for_is_valid

MAX_JSON_DEPTH = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b'""', raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse(request, field: str, message: str):
    if (
        request.path.startswith("/api/")
        or "json" in request.headers.get("Accept", "")
        or "json" in request.content_type
    ):
        return JsonResponse({field: [message]}, status=400)
    return render(request, "400.html", {"field": field, "message": message}, status=400)


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._check(request)
        return refused if refused is not None else self.get_response(request)

    def _check(self, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and not forwarded_for_is_valid(forwarded):
            return _refuse(request, "X-Forwarded-For", _("Headeren X-Forwarded-For skal være en liste af IP-adresser."))
        for name, values in request.GET.lists():
            if _CONTROL.search(name) or any(_CONTROL.search(value) for value in values):
                return _refuse(
                    request,
                    _CONTROL.sub("?", name)[:100],
                    _("Feltet indeholder et kontroltegn (fx NUL), som ikke er tilladt. Fjern det og prøv igen."),
                )
        if request.method in ("POST", "PUT", "PATCH") and not request.content_type.startswith(_FORM_TYPES):
            body = request.body
            if body.lstrip()[:1] in (b"[", b"{") and json_depth(body) > MAX_JSON_DEPTH:
                return _refuse(
                    request,
                    "body",
                    _("JSON-dataene er indlejret for dybt (højst %(max)s niveauer).") % {"max": MAX_JSON_DEPTH},
                )
        return None


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated) or request.path.startswith("/api/")
        ) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionRefreshMiddleware:
    """The idle timeout without a session write on every request.

    The session row's expiry is moved forward (`SESSION_COOKIE_AGE` from now) when the
    session is saved. Saving it on every request (`SESSION_SAVE_EVERY_REQUEST`) cost an
    UPDATE and a COMMIT on every page; instead the session is marked changed only when its
    last refresh is `SESSION_REFRESH_SECONDS` old or more, so a signed-in user is signed
    out between `SESSION_COOKIE_AGE` − `SESSION_REFRESH_SECONDS` and `SESSION_COOKIE_AGE`
    after the last request, and a plain read writes nothing. Sits just inside
    `SessionMiddleware`, which saves a changed session on the way out.
    """

    STAMP = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.get("_auth_user_id"):
            return response
        from django.conf import settings

        now = int(time.time())
        if now - int(session.get(self.STAMP) or 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.STAMP] = now
        return response
