"""Fuzz the REST API against its own OpenAPI schema (/api/schema/) with schemathesis.

Every operation gets a handful of generated requests as a signed-in manager (token) over
a small world of objects; no answer may be a server error. Skipped when schemathesis is
not installed (requirements-dev.txt pins it).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.factories import api_token  # noqa: E402
from tests.security.world import png, private_storage  # noqa: E402

pytestmark = pytest.mark.django_db


def _load_schema():
    """The schema drf-spectacular serves at /api/schema/, bound to the project's WSGI app.

    Loaded eagerly from the generator (no database needed): schemathesis.pytest.from_fixture
    fails under pytest 9 (schemathesis 4.32.5 sets the removed Node._nodeid).
    """
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def incident(personas, settings, tmp_path):
    """One incident with a stored file, so list and search answers are not empty."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from incidents import services
    from incidents.evidence import evidence_store
    from incidents.models import Incident

    settings.ALLOWED_HOSTS = ["*"]
    private_storage(settings, tmp_path)
    registered = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Opslag", "discovered_at": timezone.now() - timedelta(hours=3)},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2"}],
    )
    evidence_store(actor=personas.manager, incident=registered, uploaded_file=SimpleUploadedFile("a.png", png()))
    return registered


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections
    would close the test's transaction on PostgreSQL; Django's test Client unhooks it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(personas) -> str:
    return api_token(personas.manager)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_operation_answers_a_server_error(case, manager_token):
    response = case.call(headers={"Authorization": f"Token {manager_token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code}\n{response.text[:500]}"
    )
