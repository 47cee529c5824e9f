"""Attacks a hostile user or page could try, and what the application must answer.

Login throttling is tested in tests/accounts/test_auth.py and not repeated here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.evidence import evidence_store
from incidents.models import Evidence, Incident, Publication
from notifications import services as notification_services
from notifications.models import Notification
from tests.factories import TEST_PASSWORD, OrganisationFactory, UnitFactory, member
from tests.security.test_permission_matrix import EXPECTED, concrete_url, project_routes
from tests.security.world import build_world, png, private_storage

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{IMG}"
RAW = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")


@pytest.fixture
def storage_root(settings, tmp_path) -> Path:
    root = tmp_path / "private"
    root.mkdir()
    private_storage(settings, root)
    return root


@pytest.fixture
def world(personas, storage_root):
    return build_world(personas)


def signed_in(personas, name: str, **options) -> Client:
    client = Client(**options)
    client.force_login(getattr(personas, name))
    return client


def assert_escaped(text: str, where: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where}: unescaped {raw!r}"


# --- CSRF ------------------------------------------------------------------------------------

POSTERS = {"incidents:self_report": "caseworker"}


def test_every_post_without_a_csrf_token_is_refused(personas, world):
    """Every URL, as a signed-in user allowed to use it (a session, so CSRF applies; the API too)."""
    wrong = []
    for name, _, pattern in project_routes():
        client = signed_in(personas, POSTERS.get(name, "manager"), enforce_csrf_checks=True)
        url = concrete_url(name, pattern, world, EXPECTED[name][0])
        status = client.post(url, {"title": "x", "body": "x", "to_status": "closed"}).status_code
        if status != 403:
            wrong.append(f"{name} {url}: {status}")
    assert not wrong, "\n".join(wrong)


# --- Stored XSS ------------------------------------------------------------------------------

@pytest.fixture
def hostile(personas, storage_root):
    """An incident with the payload in every text field, a shared and an internal note, an action and evidence."""
    incident = services.incident_register(
        actor=personas.manager, unit=personas.family, channel=Incident.Channel.MANAGER,
        fields={"title": PAYLOAD, "description": PAYLOAD, "target_names": PAYLOAD, "perpetrator_name": PAYLOAD,
                "perpetrator_relation": "citizen_own_case", "named": True,
                "discovered_at": timezone.now() - timedelta(hours=2)},
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2",
                       "title": PAYLOAD, "quote": PAYLOAD}],
    )
    services.note_add(actor=personas.manager, incident=incident, body=PAYLOAD, visibility="shared")
    services.note_add(actor=personas.manager, incident=incident, body=PAYLOAD, visibility="internal")
    services.incident_record_action(actor=personas.manager, incident=incident, action_code="platform_takedown",
                                    occurred_on=timezone.localdate(), note=PAYLOAD, external_reference=PAYLOAD)
    evidence_store(actor=personas.manager, incident=incident, description=PAYLOAD,
                   uploaded_file=SimpleUploadedFile(f"{IMG}.png", png()))
    return incident


def test_stored_payload_is_escaped_on_every_page(personas, hostile):
    manager = signed_in(personas, "manager")
    caseworker = signed_in(personas, "caseworker")
    pages = {
        "manager detail": manager.get(reverse("incidents:detail", args=[hostile.reference])),
        "evidence page": manager.get(reverse("incidents:evidence_upload", args=[hostile.reference])),
        "edit form": manager.get(reverse("incidents:edit", args=[hostile.reference])),
        "list": manager.get(reverse("incidents:list")),
        "list search": manager.get(reverse("incidents:list"), {"q": PAYLOAD}),
        "dashboard": manager.get(reverse("dashboard:manager")),
        "employee detail": caseworker.get(reverse("incidents:detail", args=[hostile.reference])),
        "employee home": caseworker.get(reverse("dashboard:caseworker")),
        "notification centre": caseworker.get(reverse("notifications:list")),
        "reports list": manager.get(reverse("reports:list", args=[hostile.reference])),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_escaped(response.content.decode(), where)
    detail = pages["manager detail"].content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail  # shown, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["employee detail"].content.decode()


def test_stored_payload_is_escaped_in_html_e_mails(personas, hostile):
    pending = Notification.objects.filter(channel="email", state="pending")
    assert pending.exists(), "the registration and the shared note should e-mail the caseworker"
    for notification in pending:
        notification_services.notification_deliver(notification.pk)
    assert mail.outbox
    html_bodies = 0
    for message in mail.outbox:
        assert_escaped(message.subject, "subject")
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_bodies += 1
                assert_escaped(content, f"html e-mail {message.subject}")
    assert html_bodies, "no HTML e-mail was checked"


# --- SQL-injection-shaped filters --------------------------------------------------------------

INJECTIONS = [
    {"q": "' OR 1=1 --"},
    {"q": '" OR ""="'},
    {"q": "%' UNION SELECT username, password FROM accounts_user --"},
    {"status": "' OR 1=1 --"},
    {"level": "1;DROP TABLE incidents_incident"},
    {"unit": "1 OR 1=1"},
    {"platform": "facebook' --"},
    {"target": "0 OR 1=1"},
    {"registered_from": "2020-01-01' OR '1'='1"},
    {"ordering": "title; DROP TABLE incidents_incident"},
    {"ordering": "-reporter__password"},
    {"page": "1 OR 1=1"},
]


@pytest.fixture
def foreign_incident(personas):
    """An incident of another organisation that no persona of Testkommune may ever see."""
    org = OrganisationFactory(name="Andenkommune")
    unit = UnitFactory(organisation=org, name="Ydre enhed")
    boss = member(unit, "manager", username="andenleder")
    return services.incident_register(
        actor=boss, unit=unit, channel=Incident.Channel.MANAGER,
        fields={"title": "Fremmed sag", "discovered_at": timezone.now() - timedelta(hours=1)},
    )


@pytest.mark.parametrize("params", INJECTIONS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_injection_shaped_filters_never_error_or_leak(personas, world, foreign_incident, params):
    for url in (reverse("incidents:list"), reverse("api:incident-list")):
        response = signed_in(personas, "other_manager").get(url, params)
        allowed = (200, 400, 404) if "page" in params else (200, 400)  # DRF: a page that is not there is 404
        assert response.status_code in allowed, f"{url} {params}: {response.status_code}"
        body = response.content.decode()
        assert foreign_incident.reference not in body
        assert world.incident.reference not in body  # Børn og Familie is not the other manager's unit
    assert Incident.objects.count() == 2


def test_quote_in_search_finds_nothing_rather_than_everything(personas, world):
    response = signed_in(personas, "manager").get(reverse("incidents:list"), {"q": "' OR 1=1 --"})
    assert response.status_code == 200
    assert world.incident.reference not in response.content.decode()


# --- Open redirect and session fixation on sign-in ------------------------------------------------

@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "https:evil.example"])
def test_sign_in_never_redirects_off_site(personas, target):
    client = Client()
    response = client.post(f"/accounts/login/?next={target}", {"login": "caseworker", "password": TEST_PASSWORD})
    assert response.status_code == 302
    location = response["Location"]
    assert "evil.example" not in location
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))


def test_sign_in_gives_a_new_session_key(personas):
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    response = client.post("/accounts/login/", {"login": "caseworker", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != planted
    assert client.session.get("_auth_user_id") == str(personas.caseworker.pk)


# --- Path traversal in evidence file names ------------------------------------------------------

def test_uploaded_file_name_cannot_climb_out_of_storage(personas, world, storage_root):
    client = signed_in(personas, "manager")
    # A raw multipart body: Django's test client would strip the path from the name itself.
    boundary = "BoUnDaRy"
    body = b"".join([
        f"--{boundary}\r\n".encode(),
        b'Content-Disposition: form-data; name="files"; filename="../../etc/passwd.png"\r\n',
        b"Content-Type: image/png\r\n\r\n", png(), b"\r\n",
        f"--{boundary}\r\n".encode(),
        b'Content-Disposition: form-data; name="description"\r\n\r\n\r\n',
        f"--{boundary}--\r\n".encode(),
    ])
    response = client.post(reverse("incidents:evidence_upload", args=[world.incident.reference]), body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (200, 302)
    stored = Evidence.objects.exclude(pk=world.evidence.pk).get()
    path = (storage_root / stored.file.name).resolve()
    assert path.is_file()
    assert path.is_relative_to(storage_root.resolve())
    assert ".." not in stored.file.name and "passwd" not in stored.file.name  # a random name
    assert "/" not in stored.original_name and "\\" not in stored.original_name
    page = client.get(reverse("incidents:detail", args=[world.incident.reference])).content.decode()
    assert stored.original_name in page
    assert "../../etc" not in page


# --- IDOR: guessed references and ids ----------------------------------------------------------

def test_guessed_references_and_evidence_ids_are_404(personas, world, foreign_incident):
    year = timezone.localdate().year
    foreign_evidence = evidence_store(actor=foreign_incident.reporter, incident=foreign_incident,
                                      uploaded_file=SimpleUploadedFile("fremmed.png", png()))
    jobcenter_case = services.incident_register(
        actor=personas.other_manager, unit=personas.jobcenter, channel=Incident.Channel.MANAGER,
        fields={"title": "Jobcenter-sag", "discovered_at": timezone.now() - timedelta(hours=1)},
        targets=[personas.other_caseworker],
    )
    other_manager = signed_in(personas, "other_manager")
    manager = signed_in(personas, "manager")
    caseworker = signed_in(personas, "caseworker")
    guesses = [
        (other_manager, reverse("incidents:detail", args=[world.incident.reference])),
        (other_manager, reverse("api:incident-detail", args=[world.incident.reference])),
        (caseworker, reverse("incidents:detail", args=[jobcenter_case.reference])),
        (caseworker, reverse("incidents:detail", args=[f"UDH-{year}-9999"])),
        (manager, reverse("incidents:detail", args=[foreign_incident.reference])),
        # evidence of another organisation's incident, under a reference the manager may see
        (manager, reverse("incidents:evidence_download", args=[world.incident.reference, foreign_evidence.pk])),
        (manager, reverse("api:incident-evidence-download", args=[world.incident.reference, foreign_evidence.pk])),
        (other_manager, reverse("incidents:evidence_download", args=[jobcenter_case.reference, world.evidence.pk])),
        (other_manager, reverse("reports:detail", args=[jobcenter_case.reference, world.report.pk])),
        (other_manager, reverse("reports:download", args=[jobcenter_case.reference, world.report.pk])),
    ]
    wrong = [f"{url}: {client.get(url).status_code}" for client, url in guesses if client.get(url).status_code != 404]
    assert not wrong, "\n".join(wrong)
    # Both references exist; the probe for a missing one answers the same as a hidden one.
    assert Publication.objects.filter(incident=foreign_incident).count() == 0


# --- Security headers on every page -------------------------------------------------------------

def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def test_every_page_sends_the_security_headers(personas, world):
    client = signed_in(personas, "manager")
    wrong = []
    for name, _, pattern in project_routes():
        url = concrete_url(name, pattern, world, EXPECTED[name][0])
        response = client.get(url)
        if response.status_code >= 400 and response.status_code != 405:
            continue
        csp = response.headers.get("Content-Security-Policy", "")
        directives = _directives(csp)
        script = directives.get("script-src", directives.get("default-src"))
        if not csp or script is None:
            wrong.append(f"{name}: no CSP script policy ({csp!r})")
        elif "'unsafe-inline'" in script or ("'self'" not in script and script != ["'none'"]):
            wrong.append(f"{name}: weak script-src {script}")
        if response.headers.get("X-Frame-Options") != "DENY":
            wrong.append(f"{name}: X-Frame-Options {response.headers.get('X-Frame-Options')}")
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            wrong.append(f"{name}: no nosniff")
        if not response.headers.get("Referrer-Policy"):
            wrong.append(f"{name}: no Referrer-Policy")
    assert not wrong, "\n".join(wrong)


def test_sign_in_page_sends_the_security_headers(client):
    response = client.get("/accounts/login/")
    script = _directives(response.headers["Content-Security-Policy"])["script-src"]
    assert "'self'" in script and "'unsafe-inline'" not in script
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"same-origin|strict-origin.*|no-referrer", response.headers["Referrer-Policy"])
