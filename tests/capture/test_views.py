"""The «Sikr side» pages: what a manager sees and gets, and what bad input gives."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.capture import services
from incidents.capture.models import Capture
from reports import services as report_services
from reports.models import EvidenceBundle
from tests.reports.conftest import options_for, png
from tests.security.world import private_storage

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    private_storage(settings, tmp_path / "storage")


def test_the_incident_page_offers_sikr_side_on_the_case_and_per_publication(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert page.count("Sikr side") >= 2
    assert f'action="{reverse("capture:list", args=[case.reference])}"' in page
    assert f'name="publication" value="{case.publications.get().pk}"' in page
    client.force_login(personas.caseworker)  # the employee's own page has no capture tools
    assert "Sikr side" not in client.get(reverse("incidents:detail", args=[case.reference])).content.decode()


def test_an_internal_address_gets_a_danish_message_and_keeps_what_was_typed(client, personas, case, settings):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    client.force_login(personas.manager)
    response = client.post(reverse("capture:list", args=[case.reference]), {"url": "http://169.254.169.254/latest/"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Siden kan ikke sikres" in page and "intern adresse (169.254.169.254)" in page
    assert 'value="http://169.254.169.254/latest/"' in page
    assert not Capture.objects.exists()
    response = client.post(reverse("capture:list", args=[case.reference]), {"url": "ikke en adresse"})
    assert response.status_code == 400 and "Skriv en hel webadresse" in response.content.decode()
    for other_scheme in ("ftp://example.org/opslag.html", "file:///etc/passwd", "javascript:alert(1)"):
        response = client.post(reverse("capture:list", args=[case.reference]), {"url": other_scheme})
        assert response.status_code == 400 and "Skriv en hel webadresse" in response.content.decode(), other_scheme
    assert not Capture.objects.exists()


def test_asking_for_a_capture_shows_a_polling_status_page_and_one_click_captures_again(
    client, personas, case, settings
):
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client.force_login(personas.manager)
    publication = case.publications.get()
    response = client.post(
        reverse("capture:list", args=[case.reference]),
        {"url": "http://127.0.0.1:9/opslag", "publication": publication.pk},
    )
    capture = Capture.objects.get()
    assert response.status_code == 302 and response["Location"] == capture.get_absolute_url()
    assert capture.publication == publication and capture.requested_by == personas.manager
    page = client.get(capture.get_absolute_url()).content.decode()
    assert 'data-capture-status="pending"' in page and "capture-status.js" in page and "Siden sikres." in page
    status = client.get(reverse("capture:status", args=[case.reference, capture.pk])).json()
    assert status["status"] == "pending" and status["unfinished"] is True
    services.capture_fail(capture.pk, "Siden kunne ikke sikres: prøvet.")
    page = client.get(capture.get_absolute_url()).content.decode()
    assert "Siden kunne ikke sikres: prøvet." in page and "Prøv igen" in page
    response = client.post(reverse("capture:again", args=[case.reference, capture.pk]))
    again = Capture.objects.exclude(pk=capture.pk).get()
    assert response["Location"] == again.get_absolute_url() and again.url == capture.url


def test_an_upload_of_ones_own_capture_with_a_bad_file_keeps_the_address(client, personas, case, settings):
    settings.CAPTURE_TSA_URLS = []
    client.force_login(personas.manager)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.txt", "x")
    url = reverse("capture:upload", args=[case.reference])
    response = client.post(
        url,
        {
            "url": "https://www.facebook.com/groups/1/posts/2",
            "file": SimpleUploadedFile("falsk.wacz", buffer.getvalue()),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "er ikke en WACZ-fil" in page and 'value="https://www.facebook.com/groups/1/posts/2"' in page
    response = client.post(
        url,
        {
            "url": "https://www.facebook.com/groups/1/posts/2",
            "file": SimpleUploadedFile("skaermbillede.png", png(20, 20)),
        },
    )
    capture = Capture.objects.get()
    assert response["Location"] == capture.get_absolute_url()
    page = client.get(capture.get_absolute_url()).content.decode()
    assert "skaermbillede.png" in page and capture.manifest_sha256 in page and "Intet betroet tidsstempel" in page


def test_the_bundle_lists_captures_with_hashes_and_carries_their_tokens(client, personas, case, tsa):
    capture = services.capture_upload(
        actor=personas.manager,
        incident=case,
        url="https://www.facebook.com/x",
        uploaded_file=SimpleUploadedFile("opslag.png", png(10, 10)),
    )
    client.force_login(personas.manager)
    token = capture.tokens.get()
    download = client.get(reverse("capture:token", args=[case.reference, capture.pk, token.pk]))
    assert download["Content-Type"] == "application/timestamp-reply" and download.content == bytes(token.response)

    report = report_services.report_request(
        actor=personas.manager, incident=case, kind="police", options=options_for("police", case, personas.manager)
    )
    report_services.report_render(report.pk)
    report.refresh_from_db()
    bundle = report_services.bundle_request(actor=personas.manager, report=report)
    report_services.bundle_build(bundle.pk)
    bundle = EvidenceBundle.objects.get(pk=bundle.pk)
    assert bundle.is_ready, bundle.error
    with bundle.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        text = archive.read("manifest.txt").decode()
        howto = archive.read("sikringer/SAADAN-KONTROLLERES.txt").decode()
        assert archive.read("sikringer/1/tidsstempel-1.tsr") == bytes(token.response)
        assert archive.read("sikringer/1/manifest.json") == services.manifest_bytes_of(capture)
    assert {"sikringer/1/manifest.json", "sikringer/1/tidsstempel-1.tsr", "sikringer/tsa-ca.pem"} <= names
    [entry] = manifest["captures"]
    assert entry["manifest_sha256"] == capture.manifest_sha256 and entry["timestamp"] == "rfc3161"
    assert {f["sha256"] for f in entry["files"]} == set(capture.files.values_list("evidence__sha256", flat=True))
    assert "openssl ts -verify -in sikringer/1/tidsstempel-1.tsr -data sikringer/1/manifest.json" in howto
    assert "Sikringer af websider" in text and capture.manifest_sha256 in text
