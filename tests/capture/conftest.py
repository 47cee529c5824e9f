"""Fixtures for the page-capture tests: the local test site, a local TSA, a case and name mapping.

site         the test site (tests/capture/site.py) on 127.0.0.1, reachable by captures
             because the allow-list opens 127.0.0.1/32 for this test only
tsa          a real local time-stamping authority (openssl ts -reply); settings point at it
case         an incident about the caseworker with a publication
fake_dns     map made-up host names to addresses through ssrf.getaddrinfo (the resolver seam)
"""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.capture import ssrf
from incidents.capture.browser import Limits
from tests.capture.site import running_site
from tests.capture.tsa_server import local_tsa


def close_worker_connections() -> None:
    """End the database sessions a stopped test worker left open (its thread kept them), so
    the test database can be dropped at the end. Only sessions of this test database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def fake_dns(monkeypatch):
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(ssrf, "getaddrinfo", resolver)
    return names


@pytest.fixture
def site(settings):
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with running_site() as running:
        yield running


@pytest.fixture
def tsa(settings, tmp_path):
    with local_tsa(tmp_path / "tsa") as (url, ca_file, requests):
        settings.CAPTURE_TSA_URLS = [url]
        settings.CAPTURE_TSA_CA_FILE = str(ca_file)
        yield {"url": url, "ca_file": ca_file, "requests": requests}


@pytest.fixture
def limits(settings):
    """Small limits so the huge and hanging pages fail fast."""
    settings.CAPTURE_TIMEOUT_SECONDS = 25
    settings.CAPTURE_REQUEST_TIMEOUT_SECONDS = 3
    settings.CAPTURE_MAX_RESPONSE_MB = 1
    return dataclasses.replace(Limits.from_settings())


@pytest.fixture
def case(personas):
    from incidents import services
    from incidents.models import Incident

    return services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Opslag om Sara", "discovered_at": timezone.now() - timedelta(hours=2)},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2"}],
    )
