"""`/healthz`: is this web process able to serve? One JSON entry per dependency.

    GET /healthz -> 200 {"status": "ok", "checks": {"database": {"ok": true, "ms": 1.3}, ...}}
                    503 with "status": "error" when any check fails

Checked: the database (SELECT 1), the cache (a write and read-back), the Celery broker (a
connection; "skipped" when tasks run in-process, as in `make run`) and the private storage (the
folder is writable, or the bucket answers). An error names only the exception's type, never a
URL or password. `HealthCheckMiddleware` answers the path before any other middleware, so the
answer does not depend on the Host header (a load balancer or `docker compose` probes by IP),
on HTTPS redirects or on a session.
"""

from __future__ import annotations

import json
import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import HttpResponse

PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_cache() -> str | None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return what was written")
    finally:
        cache.delete(key)
    return None


def check_broker() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return "skipped: no broker, tasks run in-process"
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS},
    ) as broker:
        broker.ensure_connection(max_retries=1)
    return None


def check_storage() -> str | None:
    storage = default_storage
    if isinstance(storage, FileSystemStorage):  # the lazy object answers for the storage it wraps
        location = storage.location
        if not (os.path.isdir(location) and os.access(location, os.W_OK | os.X_OK)):
            raise RuntimeError("the private files folder is missing or not writable")
        return None
    bucket = storage.bucket
    bucket.meta.client.head_bucket(Bucket=bucket.name)
    return None


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "storage": check_storage}


def report() -> tuple[bool, dict]:
    results: dict[str, dict] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            note = check()
            entry: dict = {"ok": True}
            if note:
                entry["note"] = note
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none escapes
            healthy = False
            entry = {"ok": False, "error": type(exc).__name__}
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = entry
    return healthy, {"status": "ok" if healthy else "error", "checks": results}


def healthz(request) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD"
        return response
    healthy, body = report()
    content = json.dumps(body) if request.method == "GET" else ""
    response = HttpResponse(content, status=200 if healthy else 503, content_type="application/json")
    response["Cache-Control"] = "no-store"
    # Answered before the security middleware, so the headers it would add are set here.
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["X-Frame-Options"] = "DENY"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers /healthz whatever the Host, before host validation and redirects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
