"""Database connections killed during writes, every failed request retried with its key (issue 25).

A real HTTP server (pytest-django's live server) takes API registrations (Idempotency-Key)
and HTML notes (one-time form token) while another thread keeps killing the server's
PostgreSQL backends with pg_terminate_backend. A request that fails answers 503 with
Retry-After (never 500, never 400) and is sent again with the same key until it succeeds.
Afterwards there is exactly one incident per key and one note per token: no duplicates,
no lost successes.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from datetime import timedelta

import psycopg2
import pytest
import requests
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, Note
from tests.factories import api_token
from tests.incidents.test_manager_views import register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
MAX_TRIES = 80


class Killer(threading.Thread):
    """Terminates the other backends of the test database every 0.3–1 s, and, from
    inside the server's threads, the backend a query is about to run on (about one query in a
    hundred), so connections die at random points in the middle of requests."""

    def __init__(self, dsn: dict):
        super().__init__(daemon=True)
        self.dsn = dsn
        self.stop = threading.Event()
        self.killed = 0
        self.lock = threading.Lock()
        self.conn = psycopg2.connect(**dsn)
        self.conn.autocommit = True

    def terminate(self, pid: int | None = None) -> None:
        with self.lock, self.conn.cursor() as cursor:
            if pid is None:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                )
            else:
                cursor.execute("SELECT count(pg_terminate_backend(%s))", [pid])
            self.killed += cursor.fetchone()[0]

    def wrapper(self, execute, sql, params, many, context):
        if not self.stop.is_set() and random.random() < 0.01:  # noqa: S311 - fault injection, not security
            self.terminate(context["connection"].connection.get_backend_pid())
        return execute(sql, params, many, context)

    def on_connection(self, sender, connection, **kwargs):
        in_server = threading.current_thread() is not threading.main_thread()
        if in_server and self.wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(self.wrapper)

    def run(self):
        while not self.stop.is_set():
            self.terminate()
            time.sleep(random.uniform(0.3, 1.0))  # noqa: S311 - timing jitter, not security


def _dsn() -> dict:
    s = connection.settings_dict
    return {
        "dbname": s["NAME"],
        "user": s["USER"],
        "password": s.get("PASSWORD") or None,
        "host": s["HOST"] or "127.0.0.1",
        "port": s["PORT"] or 5432,
    }


def _until_done(send) -> tuple[requests.Response, int]:
    """Send until the answer is not 503; returns the answer and how many 503s came first."""
    failures = 0
    for _ in range(MAX_TRIES):
        try:
            response = send()
        except requests.ConnectionError:
            failures += 1
            continue
        if response.status_code != 503:
            return response, failures
        assert response.headers["Retry-After"]
        failures += 1
        time.sleep(0.02)
    raise AssertionError(f"still failing after {MAX_TRIES} tries")


def test_killed_connections_with_retries_make_no_duplicates_and_lose_nothing(live_server, personas):
    incident = register(personas)
    token = api_token(personas.manager)
    browser = Client()
    browser.force_login(personas.manager)
    session = requests.Session()
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret, as Django accepts it
    session.cookies.set("sessionid", browser.cookies["sessionid"].value)
    session.cookies.set("csrftoken", csrf)
    api_url = live_server.url + reverse("api:incident-list")
    note_url = live_server.url + reverse("incidents:note", args=[incident.reference])
    discovered = (timezone.now() - timedelta(hours=1)).isoformat()

    killer = Killer(_dsn())
    connection_created.connect(killer.on_connection, weak=False)
    killer.start()
    registered, retried = {}, 0
    try:
        for number in range(ROUNDS):
            key = f"registration-{number}-{secrets.token_hex(4)}"
            answer, failures = _until_done(
                lambda key=key, number=number: requests.post(
                    api_url,
                    json={"unit": personas.family.pk, "title": f"Runde {number}", "discovered_at": discovered},
                    headers={"Authorization": f"Token {token}", "Idempotency-Key": key},
                    timeout=30,
                )
            )
            assert answer.status_code == 201, answer.text
            registered[answer.json()["reference"]] = f"Runde {number}"
            retried += failures

            form_token = secrets.token_urlsafe(16)
            answer, failures = _until_done(
                lambda number=number, form_token=form_token: session.post(
                    note_url,
                    data={
                        "csrfmiddlewaretoken": csrf,
                        "note-body": f"Note {number}",
                        "note-visibility": "internal",
                        "form_token": form_token,
                    },
                    allow_redirects=False,
                    timeout=30,
                )
            )
            assert answer.status_code == 302, answer.text[:500]
            retried += failures
    finally:
        killer.stop.set()
        killer.join(timeout=10)
        connection_created.disconnect(killer.on_connection)
        killer.conn.close()
        connection.close()  # the test's own connection was killed too

    incidents = dict(Incident.objects.filter(title__startswith="Runde ").values_list("reference", "title"))
    assert incidents == registered  # one per key, and every answered success is stored
    notes = sorted(Note.objects.filter(incident=incident).values_list("body", flat=True))
    assert notes == sorted(f"Note {n}" for n in range(ROUNDS))
    assert killer.killed > 0 and retried > 0, (killer.killed, retried)
    print(f"{killer.killed} backends killed, {retried} failed requests retried")
