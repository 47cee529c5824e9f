"""Shared test harness: service gates, personas and the browser.

Personas (one place, used by every test module):

    org            Testkommune with the tree Socialforvaltning → {Børn og Familie → Team Nord, Jobcenter}
    manager        manager of Socialforvaltning (sees everything below)
    other_manager  manager of Jobcenter only
    caseworker     caseworker in Børn og Familie
    other_caseworker  caseworker in Jobcenter
    union_rep      union rep over Socialforvaltning
    admin          organisation admin
    outsider       a signed-in user without any membership

Every persona has a fixed name: a random one (the factories' Faker) could be «Sara» and
match a search meant for the caseworker.

Tests that need PostgreSQL, Redis or Chromium carry the markers `postgres`, `redis` or
`browser`; when the service is missing they are skipped with the reason, unless
REQUIRE_SERVICES=1, where they fail instead (CI sets it).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
_browser_home = tempfile.mkdtemp(prefix="udh-chromium-")
os.environ.setdefault("XDG_CONFIG_HOME", _browser_home)
os.environ.setdefault("XDG_CACHE_HOME", _browser_home)

from accounts.models import Role, Unit  # noqa: E402
from tests.factories import OrganisationFactory, UnitFactory, member  # noqa: E402

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _tcp_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def _missing_service(marker: str) -> str | None:
    """Why the service a marker needs is absent, or None when it is there."""
    from django.conf import settings
    from django.db import connection

    if marker == "postgres":
        if connection.vendor != "postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning"
    elif marker == "redis":
        if not settings.CELERY_BROKER_URL.startswith("redis"):
            return "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/15"
        if not _tcp_open(settings.CELERY_BROKER_URL, 6379):
            return f"needs Redis at {settings.CELERY_BROKER_URL}, which does not answer"
    elif marker == "browser" and not shutil.which(CHROMIUM_PATH):
        return f"needs Chromium at {CHROMIUM_PATH} (apt-get install -y chromium)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing_service(marker)
            if reason:
                if REQUIRE_SERVICES:
                    pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
                pytest.skip(reason)


# --- Personas ---------------------------------------------------------------------------


@dataclass
class Personas:
    org: object
    root: Unit
    family: Unit
    team: Unit
    jobcenter: Unit
    manager: object
    other_manager: object
    caseworker: object
    other_caseworker: object
    union_rep: object
    admin: object
    outsider: object


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and at the end the sessions on it that a test's thread or
    child process left open are ended first, so the database is dropped without the warning
    'is being accessed by other users' (and not left behind for the next run)."""
    yield
    from django.db import connection

    from tests.capture.conftest import close_worker_connections

    with django_db_blocker.unblock():
        connection.close()  # a test may have left this thread's own session ended (killed-connection tests)
        close_worker_connections()


@pytest.fixture
def personas(db) -> Personas:
    org = OrganisationFactory(name="Testkommune")
    root = UnitFactory(organisation=org, name="Socialforvaltning", kind=Unit.Kind.ADMINISTRATION)
    family = UnitFactory(organisation=org, parent=root, name="Børn og Familie")
    team = UnitFactory(organisation=org, parent=family, name="Team Nord", kind=Unit.Kind.TEAM)
    jobcenter = UnitFactory(organisation=org, parent=root, name="Jobcenter")
    return Personas(
        org=org,
        root=root,
        family=family,
        team=team,
        jobcenter=jobcenter,
        manager=member(root, Role.MANAGER, username="manager", first_name="Mette", last_name="Leder"),
        other_manager=member(
            jobcenter, Role.MANAGER, username="other_manager", first_name="Ove", last_name="Kjærgaard"
        ),
        caseworker=member(family, Role.CASEWORKER, username="caseworker", first_name="Sara", last_name="Sagsbehandler"),
        other_caseworker=member(
            jobcenter, Role.CASEWORKER, username="other_caseworker", first_name="Jonas", last_name="Bækgaard"
        ),
        union_rep=member(root, Role.UNION_REP, username="union_rep", first_name="Tove", last_name="Lindqvist"),
        admin=member(root, Role.ADMIN, username="admin", is_staff=True, first_name="Anders", last_name="Holmgaard"),
        outsider=_outsider(org),
    )


def _outsider(org):
    from tests.factories import UserFactory

    return UserFactory(username="outsider", organisation=org, first_name="Ib", last_name="Vestergaard")


PERSONA_NAMES = ("manager", "other_manager", "caseworker", "other_caseworker", "union_rep", "admin", "outsider")


# --- Browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", os.path.join(tempfile.gettempdir(), "udh-screenshots"))


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot to SCREENSHOT_DIR for a person to look at."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)

    def take(name: str) -> str:
        path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _audit_anchor_file(tmp_path_factory, settings):
    """Each test exports audit chain heads to a file of its own, so heads exported by one
    test are not held against the freshly emptied database of the next."""
    settings.AUDIT_ANCHOR_FILE = tmp_path_factory.mktemp("audit") / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Danish). A request in English activates
    English in the thread (LocaleMiddleware does not switch back), which would otherwise leak
    into forms and messages built by the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_statistics_marks_of_earlier_tests():
    """The statistics' rollup keeps the blocks its process wrote lately, to recount them at the
    next read (stats.rollup.pending_flush); an earlier test's blocks would add queries to a
    later test's read."""
    from stats import rollup

    rollup.marks_forget()


@pytest.fixture(autouse=True)
def _empty_access_cache():
    """Each test starts with an empty shared cache, so a user id the database hands out
    again in a later test never finds the access entry of an earlier one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_consumes_every_queue():
    """A worker started with `queues=["capture"]` (the capture tests) narrows the Celery app's
    queue selection for the rest of the process (`Queues.select` is sticky); every later
    in-process worker would then consume only "capture" and never see the default queue."""
    yield
    from udhaengning.celery import app

    app.amqp.queues._consume_from = None
