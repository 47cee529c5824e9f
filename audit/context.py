"""The request being served, for audit records made where no request is passed in.

Security events are recorded by signal receivers (accounts/security.py) so that every way
of changing a role, a password or a setting — the app, the Django admin, the shell — ends
up in the chain; those receivers get no request. `AuditContextMiddleware` keeps the
current request in a context variable for them (the pattern of django-auditlog's
middleware), so the event still names who did it and from which address.
"""

from __future__ import annotations

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    return _current_request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
