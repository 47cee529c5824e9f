"""Structured logs: one JSON object a line, with the request id and the user id.

    {"time": "2026-12-02T07:01:02.123Z", "level": "INFO", "logger": "incidents.evidence",
     "message": "...", "request_id": "3f2a...", "user_id": 17}

`RequestContextMiddleware` takes the request id from the proxy's `X-Request-ID` (deploy/nginx
sets it to nginx's $request_id) or makes one, answers it in `X-Request-ID`, and keeps it and the
request for the log lines written while the request is handled. The user id is taken only when
authentication has already loaded the user (no query is made for a log line); names, e-mail
addresses and anything typed are never added: only ids. A Celery task's id is added when a line
is written inside a task. LOG_FORMAT=json switches it on (production's default); the
development default stays plain text.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

_request = contextvars.ContextVar("udhaengning_request", default=None)
_request_id = contextvars.ContextVar("udhaengning_request_id", default=None)
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if _VALID_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        request_token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(request_token)
            _request_id.reset(id_token)
        response["X-Request-ID"] = request_id
        return response


def _user_id():
    request = _request.get()
    if request is None:
        return None
    user = request.__dict__.get("_cached_user")  # set by django.contrib.auth once the user is loaded
    return getattr(user, "pk", None)


def _task_id():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover
        return None
    request = getattr(current_task, "request", None)
    return getattr(request, "id", None) if current_task else None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id.get()
        if request_id:
            entry["request_id"] = request_id
        user_id = _user_id()
        if user_id is not None:
            entry["user_id"] = user_id
        task_id = _task_id()
        if task_id:
            entry["task_id"] = task_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
