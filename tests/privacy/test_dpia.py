"""The DPIA draft (art. 35): built from the models and settings, shown to admins and managers, and
rendered as a PDF by a real Celery worker from a real Redis broker (read back with pypdf)."""

from __future__ import annotations

import io
import re
import threading
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from privacy import dpia
from privacy.dpia_models import DpiaDraft
from tests.conftest import PERSONA_NAMES

GROUPS = (
    "Medarbejdere",
    "Afsendere (gerningspersoner)",
    "Tredjepersoner, herunder børn og familie",
    "Borgere i sociale sager",
)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_the_draft_describes_processing_risks_per_group_and_measures_from_the_settings(personas, settings):
    settings.AUDIT_HMAC_KEY = "k" * 32
    personas.org.require_mfa_for_managers = False
    personas.org.mfa_relaxed_reason = "Alle bruger SSO med MitID Erhverv"
    personas.org.retention_months = 36
    personas.org.statistics_threshold = 7
    personas.org.save()
    draft = dpia.build_dpia(personas.org)
    assert [g.group for g in draft.groups] == list(GROUPS)
    assert all(g.risks and all(r.measures for r in g.risks) for g in draft.groups)
    assert draft.dpo == "Dorte Databeskytter, dpo@testkommune.invalid, +45 87 65 43 21"
    assert ("Databeskyttelsesrådgiver (DPO)", draft.dpo) in draft.controller
    measures = " ".join(draft.measures)
    assert "IKKE påkrævet" in measures and "Alle bruger SSO med MitID Erhverv" in measures
    assert "36 måneder" in measures and "k = 7" in measures and "HMAC-SHA256" in measures
    assert "kryptering af disken er ikke konfigureret" in measures  # file storage in the tests
    assert any("§ 8" in c for c in draft.criteria) and any("art. 9" in c for c in draft.criteria)
    assert [a.code for a in draft.record.activities][0] == "incidents"
    assert any("art. 36" in line for line in draft.for_dpo)


@pytest.mark.django_db
def test_the_counts_follow_the_art14_records(personas, make_incident):
    from incidents.art14 import art14_record

    first = make_incident()
    make_incident(perpetrator_name="", perpetrator_profile_url="")
    art14_record(
        actor=personas.manager,
        incident=first,
        informed_on=None,
        exception="dbl_22_1",
        reason="Medarbejderen er truet; personen må ikke vide, hvem der har anmeldt.",
    )
    counts = dict(dpia.build_dpia(personas.org).counts)
    assert counts["Hændelser i alt"] == "2"
    assert counts["Heraf med en afsender (navn eller profil)"] == "1"
    assert counts["Heraf med oplysning til afsenderen eller en undtagelse registreret (art. 14)"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_the_page_is_for_the_organisations_admins_and_managers(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("privacy:dpia"))
    allowed = persona in ("manager", "other_manager", "admin")
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        body = response.content.decode()
        assert "Konsekvensanalyse (DPIA), udkast" in body and "Dorte Databeskytter" in body
        for group in GROUPS:
            assert group in body.replace("&#x27;", "'")
        assert AuditEvent.objects.filter(summary__contains="DPIA", actor=getattr(personas, persona)).exists()
    response = client.post(reverse("privacy:dpia_request"))
    assert (response.status_code == 302) == allowed
    assert DpiaDraft.objects.exists() == allowed


@pytest.mark.django_db
def test_an_admin_of_another_organisation_sees_neither_the_page_nor_the_pdf(client, personas, neighbour):
    draft = DpiaDraft.objects.create(organisation=personas.org, version=1, status="ready")
    client.force_login(neighbour.admin)
    assert client.get(reverse("privacy:dpia_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("privacy:dpia_download", args=[draft.pk])).status_code == 404
    page = client.get(reverse("privacy:dpia")).content.decode()
    assert "Nabokommune" in page and "Testkommune" not in page


# --- With a real worker -----------------------------------------------------------------------------


@contextmanager
def worker_and_events():
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from udhaengning.celery import app

    done: list[str] = []
    event = threading.Event()

    def record(sender=None, **kwargs):
        done.append(sender.name)
        event.set()

    app.control.purge()
    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield done, event
    finally:
        task_postrun.disconnect(record)
        app.control.purge()


def wait_for(done, event, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while name not in done:
        assert event.wait(max(0.0, deadline - time.monotonic())), f"the worker did not run {name} (ran {done})"
        event.clear()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_pdf_and_the_page_follows_it(client, personas, storage):
    client.force_login(personas.admin)
    with worker_and_events() as (done, event):
        response = client.post(reverse("privacy:dpia_request"), {"organisation": personas.org.pk})
        draft = DpiaDraft.objects.get()
        assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
        page = client.get(draft.get_absolute_url()).content.decode()
        assert f'data-status-url="{reverse("privacy:dpia_status", args=[draft.pk])}"' in page
        wait_for(done, event, "privacy.tasks.render_dpia")
    draft.refresh_from_db()
    assert draft.status == DpiaDraft.Status.READY, draft.error
    assert draft.attempts == 1 and draft.page_count >= 3 and len(draft.sha256) == 64
    status = client.get(reverse("privacy:dpia_status", args=[draft.pk])).json()
    assert status["status"] == "ready" and status["download_url"] == draft.get_download_url()

    download = client.get(draft.get_download_url())
    assert download.status_code == 200 and download["X-Content-SHA256"] == draft.sha256
    content = b"".join(download.streaming_content) if download.streaming else download.content
    reader = PdfReader(io.BytesIO(content))
    text = flat(" ".join(page.extract_text() or "" for page in reader.pages))
    for expected in (
        "Konsekvensanalyse (DPIA), udkast",
        "Testkommune",
        "Dorte Databeskytter",
        *GROUPS,
        "Nødvendighed og proportionalitet",
        "Udfyldes af databeskyttelsesrådgiveren",
        "Registrering og håndtering af udhængning",
        "Tofaktorlogin",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, summary__contains="DPIA").exists()
    with open("/tmp/i16-dpia.pdf", "wb") as handle:
        handle.write(content)
