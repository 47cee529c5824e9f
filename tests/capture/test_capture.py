"""Captures run directly (the task's body, no worker): safety, login walls, uploads, the watch."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents.capture import services, watch
from incidents.capture.models import Capture, Watch, WatchCheck
from tests.capture.site import running_site
from tests.reports.conftest import png
from tests.security.world import private_storage

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    private_storage(settings, tmp_path / "storage")


def _run(personas, case, url, limits, **kwargs) -> Capture:
    capture = services.capture_request(actor=personas.manager, incident=case, url=url, **kwargs)
    services.capture_run(capture.pk, limits=limits)
    capture.refresh_from_db()
    return capture


@pytest.mark.browser
def test_a_normal_page_without_a_tsa_says_it_has_no_timestamp(personas, case, site, limits, settings):
    settings.CAPTURE_TSA_URLS = []
    capture = _run(personas, case, site.url("/normal"), limits)
    assert capture.status == Capture.Status.DONE, capture.error
    assert not capture.tokens.exists()
    assert services.timestamp_label(capture, []) == "Intet betroet tidsstempel"
    assert capture.files.count() == 7
