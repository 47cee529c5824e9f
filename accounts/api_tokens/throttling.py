"""Request limits for the REST API, per token and per user (rates in settings, from the env).

A refusal answers 429 with `Retry-After` and `{"detail": ..., "code": "throttled", "retry_after": s}`.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class ApiThrottled(exceptions.Throttled):
    def __init__(self, wait: float | None):
        seconds = math.ceil(wait) if wait is not None else None
        exceptions.APIException.__init__(
            self,
            {
                "detail": _("For mange forespørgsler. Prøv igen om %(seconds)s sekunder.") % {"seconds": seconds or 1},
                "code": "throttled",
                "retry_after": seconds or 1,
            },
        )
        self.wait = seconds


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        # Read on each use, so a changed setting (or a test's override) takes effect.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if not super().allow_request(request, view):
            raise ApiThrottled(self.wait())
        return True


class TokenRateThrottle(_Throttle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
        return None


class UserRateThrottle(_Throttle):
    scope = "api_user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return None
