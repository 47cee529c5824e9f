"""Attacks a hostile user or page could try, and what the application must answer.

Login throttling is tested in tests/accounts/test_auth.py and not repeated here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import services
from incidents.evidence import evidence_store
from incidents.models import Evidence, Incident, Publication, TimelineEntry
from notifications import services as notification_services
from notifications.models import Notification
from privacy import services as privacy_services
from privacy.models import DataSubjectRequest
from privacy.selectors import findings_for
from reports.models import Report
from tests.factories import TEST_PASSWORD, OrganisationFactory, UnitFactory, member
from tests.reports.conftest import register
from tests.security.test_permission_matrix import (
    EXPECTED,
    POST_ALLOWED,
    SIGNED_IN,
    capture_of,
    concrete_url,
    project_routes,
    snapshot,
)
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
    built = build_world(personas)
    capture_of(built)  # made up front: concrete_url would otherwise create it inside a snapshot
    return built


def signed_in(personas, name: str, **options) -> Client:
    client = Client(**options)
    client.force_login(getattr(personas, name))
    return client


def assert_escaped(text: str, where: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where}: unescaped {raw!r}"


def persona_for(name: str, *, post: bool = False) -> str:
    """A signed-in persona the matrix lets use the URL (the manager when they may), so that what
    answers is the view itself (or the CSRF check), not the access policy's 404."""
    expected = EXPECTED[name][1]
    allowed = [p for p in SIGNED_IN if expected[p] in (200, 302)]
    if post and name in POST_ALLOWED:
        allowed = [p for p in SIGNED_IN if p in POST_ALLOWED[name]]
    return "manager" if "manager" in allowed or not allowed else allowed[0]


# --- CSRF ------------------------------------------------------------------------------------

CSRF_PAGE = "Formularen blev ikke sendt"  # templates/403_csrf.html


def refused_by_csrf(response) -> bool:
    if response.status_code != 403:
        return False
    data = getattr(response, "data", None)  # DRF's session authentication, whatever the renderer
    if isinstance(data, dict):
        return "CSRF Failed" in str(data.get("detail", ""))
    return CSRF_PAGE in response.content.decode()


def test_every_post_without_a_csrf_token_is_refused(personas, world):
    """Every URL, as a signed-in user allowed to use it (a session, so CSRF applies; the API too):
    the refusal is the CSRF check's (its Danish page), not the access policy's."""
    before = snapshot()
    wrong = []
    for name, _, pattern in project_routes():
        if name == "healthz":  # answered first by udhaengning.health: GET only, no body, no data, no audit
            continue
        client = signed_in(personas, persona_for(name, post=True), enforce_csrf_checks=True)
        url = concrete_url(name, pattern, world, EXPECTED[name][0])
        response = client.post(
            url,
            {
                "title": "x",
                "body": "x",
                "to_status": "closed",
                "reason": "x",
                "hold-hold": "1",
                "hold-reason": "x",
                "decision": "granted",
                "confirm": "on",
                "subject_name": "x",
                "requester": "x",
            },
        )
        if not refused_by_csrf(response):
            wrong.append(f"{name} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


class _Forms(HTMLParser):
    """The POST forms of a page: their action and whether they carry the CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action") or "", "token": False}
            self.forms.append(self._open)
        elif (
            tag == "input"
            and self._open is not None
            and attrs.get("name") == "csrfmiddlewaretoken"
            and attrs.get("value")
        ):
            self._open["token"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_every_form_on_every_page_carries_a_token_and_posts_to_a_checked_url(personas, world):
    """Each page as a persona who may see it: every POST form holds the CSRF token, and posts to a
    URL the test above walks (or to allauth's, Django's own, CSRF-protected pages)."""
    walked = {name for name, _, _ in project_routes()}
    seen, wrong = set(), []
    for name, _, pattern in project_routes():
        url = concrete_url(name, pattern, world, EXPECTED[name][0])
        response = signed_in(personas, persona_for(name)).get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            path = urlsplit(form["action"]).path or url
            target = resolve(path).view_name
            seen.add(target)
            if not form["token"]:
                wrong.append(f"{name}: the form posting to {path} has no CSRF token")
            if target not in walked and not path.startswith(("/accounts/", "/i18n/")):
                wrong.append(f"{name}: the form posts to {path} ({target}), which the CSRF walk does not cover")
    assert not wrong, "\n".join(wrong)
    # The forms of the newer features are among those found.
    assert {"privacy:create", "privacy:decide", "incidents:legal_hold", "stats:report_request"} <= seen, seen


# --- Stored XSS ------------------------------------------------------------------------------


@pytest.fixture
def hostile(personas, storage_root):
    """An incident with the payload in every text field, a shared and an internal note, an action and evidence."""
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": PAYLOAD,
            "description": PAYLOAD,
            "target_names": PAYLOAD,
            "perpetrator_name": PAYLOAD,
            "perpetrator_relation": "citizen_own_case",
            "named": True,
            "discovered_at": timezone.now() - timedelta(hours=2),
        },
        targets=[personas.caseworker],
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/groups/1/posts/2",
                "title": PAYLOAD,
                "quote": PAYLOAD,
            }
        ],
    )
    services.note_add(actor=personas.manager, incident=incident, body=PAYLOAD, visibility="shared")
    services.note_add(actor=personas.manager, incident=incident, body=PAYLOAD, visibility="internal")
    services.incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=timezone.localdate(),
        note=PAYLOAD,
        external_reference=PAYLOAD,
    )
    evidence_store(
        actor=personas.manager,
        incident=incident,
        description=PAYLOAD,
        uploaded_file=SimpleUploadedFile(f"{IMG}.png", png()),
    )
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
        actor=boss,
        unit=unit,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Fremmed sag", "discovered_at": timezone.now() - timedelta(hours=1)},
    )


@pytest.fixture
def family_case(personas):
    """An incident in Børn og Familie (the manager's, not the other manager's): what the filter
    and search attacks need, without the reports and bundle of `world`."""
    return register(personas, title="Opslag i Facebook-gruppe")


@pytest.mark.parametrize("params", INJECTIONS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_injection_shaped_filters_never_error_or_leak(personas, family_case, foreign_incident, params):
    for url in (reverse("incidents:list"), reverse("api:incident-list")):
        response = signed_in(personas, "other_manager").get(url, params)
        allowed = (200, 400, 404) if "page" in params else (200, 400)  # DRF: a page that is not there is 404
        assert response.status_code in allowed, f"{url} {params}: {response.status_code}"
        body = response.content.decode()
        assert foreign_incident.reference not in body
        assert family_case.reference not in body  # Børn og Familie is not the other manager's unit
    assert Incident.objects.count() == 2


def test_quote_in_search_finds_nothing_rather_than_everything(personas, family_case):
    response = signed_in(personas, "manager").get(reverse("incidents:list"), {"q": "' OR 1=1 --"})
    assert response.status_code == 200
    assert family_case.reference not in response.content.decode()


# --- Open redirect and session fixation on sign-in ------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]
)
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
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="files"; filename="../../etc/passwd.png"\r\n',
            b"Content-Type: image/png\r\n\r\n",
            png(),
            b"\r\n",
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="description"\r\n\r\n\r\n',
            f"--{boundary}--\r\n".encode(),
        ]
    )
    response = client.post(
        reverse("incidents:evidence_upload", args=[world.incident.reference]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
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
    foreign_evidence = evidence_store(
        actor=foreign_incident.reporter,
        incident=foreign_incident,
        uploaded_file=SimpleUploadedFile("fremmed.png", png()),
    )
    jobcenter_case = services.incident_register(
        actor=personas.other_manager,
        unit=personas.jobcenter,
        channel=Incident.Channel.MANAGER,
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
    """Every URL as a persona who may see it (the data subject requests as the admin, a statistics
    report as the union rep who asked for it …), downloads included."""
    clients = {}
    wrong = []
    for name, _, pattern in project_routes():
        subject, expected = EXPECTED[name]
        persona = persona_for(name)
        client = clients.setdefault(persona, signed_in(personas, persona))
        url = concrete_url(name, pattern, world, subject)
        response = client.get(url)
        if response.status_code != expected[persona]:
            wrong.append(f"{name}: {persona} got {response.status_code}, expected {expected[persona]}")
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
        # Case data must not be kept by the browser or a proxy (issue 26: 78 pages lacked it).
        if "no-store" not in response.headers.get("Cache-Control", ""):
            wrong.append(f"{name}: Cache-Control {response.headers.get('Cache-Control')!r}, not no-store")
    assert not wrong, "\n".join(wrong)


def test_sign_in_page_sends_the_security_headers(client):
    response = client.get("/accounts/login/")
    script = _directives(response.headers["Content-Security-Policy"])["script-src"]
    assert "'self'" in script and "'unsafe-inline'" not in script
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"same-origin|strict-origin.*|no-referrer", response.headers["Referrer-Policy"])


# --- The newer features: data subject requests, legal hold, statistics reports ------------------------
# No e-mail carries their free text (none of them notifies anyone), so pages, JSON and PDF are checked.

NAME = f"Jens Hansen {PAYLOAD}"  # a perpetrator's name as the request and the incident give it
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def compact(text: str) -> str:
    """Without whitespace: a PDF wraps long text across lines."""
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def assert_no_pdf_script(content: bytes, where: str) -> None:
    """No JavaScript in the PDF: none run when it opens, none in its name tree or on a link."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root, where
    assert "/JavaScript" not in (root.get("/Names") or {}), where
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            assert (annotation.get_object().get("/A") or {}).get("/S") != "/JavaScript", where


@pytest.fixture
def hostile_requests(personas, storage_root):
    """The payload typed into each free-text field of the newer features, through their forms.

    A perpetrator named NAME in an open incident (put under legal hold with the payload as the
    reason) and in a closed one; an access request about NAME, requested by the payload and
    decided with the payload as justification; an erasure request about NAME carried out with
    the payload as its note (the closed incident loses the name, the open one keeps it).
    """

    def incident(*, close: bool) -> Incident:
        case = services.incident_register(
            actor=personas.manager,
            unit=personas.family,
            channel=Incident.Channel.MANAGER,
            fields={
                "title": "Opslag i Facebook-gruppe",
                "description": f"{NAME} skrev om Sara.",
                "perpetrator_name": NAME,
                "perpetrator_relation": "citizen_own_case",
                "named": True,
                "discovered_at": timezone.now() - timedelta(days=2),
            },
            targets=[personas.caseworker],
            publications=[
                {
                    "platform": "facebook",
                    "url": "https://www.facebook.com/groups/1/posts/2",
                    "quote": f"Jeg, {NAME}, siger sandheden",
                }
            ],
        )
        if close:
            from incidents.art14 import art14_record

            art14_record(actor=personas.manager, incident=case, informed_on=timezone.localdate())
            services.incident_change_status(actor=personas.manager, incident=case, to_status=Incident.Status.CLOSED)
        return case

    open_case, closed_case = incident(close=False), incident(close=True)
    manager, admin = signed_in(personas, "manager"), signed_in(personas, "admin")
    response = manager.post(
        reverse("incidents:legal_hold", args=[open_case.reference]), {"hold-hold": "1", "hold-reason": PAYLOAD}
    )
    assert response.status_code == 302

    def request(kind: str) -> DataSubjectRequest:
        response = admin.post(
            reverse("privacy:create"),
            {
                "organisation": personas.org.pk,
                "kind": kind,
                "subject_type": "perpetrator",
                "subject_name": NAME,
                "received_on": timezone.localdate().isoformat(),
                "requester": PAYLOAD,
            },
        )
        assert response.status_code == 302, response.content.decode()
        return DataSubjectRequest.objects.get(pk=resolve(response["Location"]).kwargs["pk"])

    access, erasure = request("access"), request("erasure")
    assert (
        admin.post(
            reverse("privacy:decide", args=[access.pk]), {"decision": "partly_granted", "justification": PAYLOAD}
        ).status_code
        == 302
    )
    assert (
        admin.post(reverse("privacy:erase", args=[erasure.pk]), {"confirm": "on", "justification": PAYLOAD}).status_code
        == 302
    )
    for obj in (open_case, closed_case, access, erasure):
        obj.refresh_from_db()
    return SimpleNamespace(open_case=open_case, closed_case=closed_case, access=access, erasure=erasure)


def test_payloads_in_requests_and_legal_hold_are_stored_as_typed(hostile_requests):
    h = hostile_requests
    assert h.access.subject_name == NAME and h.access.requester == PAYLOAD and h.access.justification == PAYLOAD
    assert h.erasure.justification.startswith(PAYLOAD) and h.erasure.erased
    assert h.open_case.legal_hold and h.open_case.perpetrator_name == NAME  # open: kept whole
    assert TimelineEntry.objects.filter(incident=h.open_case, text__endswith=f": {PAYLOAD}").exists()
    # The erasure found the name with its markup and replaced it as text, not as a pattern.
    assert h.closed_case.perpetrator_name == ""
    assert h.closed_case.description == "[navn slettet] skrev om Sara."
    assert Publication.objects.get(incident=h.closed_case).quote == "Jeg, [navn slettet], siger sandheden"


def test_payloads_in_requests_and_legal_hold_are_escaped_on_every_page(personas, hostile_requests):
    h = hostile_requests
    admin, manager = signed_in(personas, "admin"), signed_in(personas, "manager")
    undecided = privacy_services.dsr_register(
        actor=personas.admin,
        organisation=personas.org,
        kind="access",
        subject_type="perpetrator",
        subject_name=NAME,
        received_on=timezone.localdate(),
        requester=PAYLOAD,
    )
    pages = {
        "requests": admin.get(reverse("privacy:list")),
        "access request": admin.get(reverse("privacy:detail", args=[h.access.pk])),
        "erasure request": admin.get(reverse("privacy:detail", args=[h.erasure.pk])),
        "incident under hold": manager.get(reverse("incidents:detail", args=[h.open_case.reference])),
        "erased incident": manager.get(reverse("incidents:detail", args=[h.closed_case.reference])),
        # Forms given back with their errors keep what was typed, as text.
        "request form": admin.post(
            reverse("privacy:create"),
            {
                "organisation": personas.org.pk,
                "kind": "access",
                "subject_type": "perpetrator",
                "subject_name": NAME,
                "received_on": "",
                "requester": PAYLOAD,
            },
        ),
        "decision form": admin.post(
            reverse("privacy:decide", args=[undecided.pk]), {"decision": "no such decision", "justification": PAYLOAD}
        ),
        "legal hold form": manager.post(
            reverse("incidents:legal_hold", args=[h.closed_case.reference]),
            {"hold-hold": "1", "hold-reason": PAYLOAD + "x" * 2000},
        ),
    }
    expected = {"request form": 400, "decision form": 400}
    for where, response in pages.items():
        assert response.status_code == expected.get(where, 200), where
        assert_escaped(response.content.decode(), where)
    shown = {where: response.content.decode() for where, response in pages.items()}
    for where in (
        "requests",
        "access request",
        "erasure request",
        "incident under hold",
        "request form",
        "decision form",
        "legal hold form",
    ):
        assert ESCAPED in shown[where], f"{where}: the payload is not shown as text"
    assert shown["access request"].count(ESCAPED) >= 4  # subject, requester, justification, the incident found
    assert "Anmodningen er ikke gemt endnu" in shown["request form"]
    assert "Denne værdi må højst have 2000 tegn" in shown["legal hold form"]


class _Exported(SimpleNamespace):
    def __getitem__(self, header):
        return self.response[header]


def _exported(personas, dsr, fmt: str) -> _Exported:
    """The export as the admin gets it: ordered, rendered as the worker does, downloaded."""
    export = privacy_services.access_export_request(actor=personas.admin, dsr=dsr, fmt=fmt)
    privacy_services.access_export_render(export.pk)
    response = signed_in(personas, "admin").get(reverse("privacy:export_download", args=[dsr.pk, export.pk]))
    return _Exported(response=response, status_code=response.status_code, content=b"".join(response.streaming_content))


def test_payloads_come_back_as_data_in_the_json_export(personas, hostile_requests):
    h = hostile_requests
    response = _exported(personas, h.access, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    request = data["request"]
    assert (request["subject"], request["requester"], request["justification"]) == (NAME, PAYLOAD, PAYLOAD)
    # The open incident still names the perpetrator; the closed one no longer matches after the erasure.
    assert [row["perpetrator_name"] for row in data["sections"]["incidents"]["rows"]] == [NAME]
    assert [row["quote"] for row in data["sections"]["publications"]["rows"]] == [f"Jeg, {NAME}, siger sandheden"]
    erasure = json.loads(_exported(personas, h.erasure, "json").content)
    assert erasure["request"]["justification"].startswith(PAYLOAD + "\n\n")
    assert erasure["erasure_result"]["erase"][0]["what"] == h.closed_case.reference


@pytest.mark.parametrize("which", ["access", "erasure"])
def test_payloads_are_printed_as_text_in_the_pdf_export(personas, hostile_requests, which):
    dsr = getattr(hostile_requests, which)
    response = _exported(personas, dsr, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = compact(pdf_text(response.content))
    assert compact(PAYLOAD) in text  # requester and justification, as typed
    if which == "access":
        assert compact(f"Jeg, {NAME}, siger sandheden") in text
    assert_no_pdf_script(response.content, which)
    # The HTML WeasyPrint lays out holds the payload escaped (WeasyPrint runs no script anyway).
    dsr.refresh_from_db()
    html = privacy_services.render_pdf_html(findings_for(dsr), None, generated_at=timezone.now(), generated_by=PAYLOAD)
    assert_escaped(html, f"{which} PDF HTML")
    assert ESCAPED in html


def test_legal_hold_reason_is_printed_as_text_in_the_internal_report(personas, hostile_requests):
    from reports import pdf as report_pdf
    from reports import services as report_services
    from reports.content import report_context
    from tests.reports.conftest import options_for

    case = hostile_requests.open_case
    report = report_services.report_request(
        actor=personas.manager,
        incident=case,
        kind="internal_hr",
        options=options_for("internal_hr", case, personas.manager, include_internal_notes=True),
    )
    report_services.report_render(report.pk)
    report = Report.objects.get(pk=report.pk)
    assert report.status == Report.Status.READY, report.error
    with report_services.report_open(report) as handle:
        content = handle.read()
    assert compact(f"Retligt hold sat: {PAYLOAD}") in compact(pdf_text(content))
    assert_no_pdf_script(content, "internal report")
    html = report_pdf.render_html(report_services.TEMPLATES["internal_hr"], report_context(report))
    assert_escaped(html, "internal report HTML")
    assert f"Retligt hold sat: {ESCAPED}" in html


FORMULA = '=HYPERLINK("https://evil.example/","Klik")'


def test_a_unit_name_with_markup_or_a_formula_stays_text_in_statistics_pages_downloads_and_pdf(personas, storage_root):
    """Unit names are typed by the organisation's admins and reach every statistics output."""
    from reports import services as report_services
    from stats.pdf import statistics_html
    from stats.selectors import statistics_for

    hostile = UnitFactory(organisation=personas.org, parent=personas.root, name=f"Team {PAYLOAD}")
    UnitFactory(organisation=personas.org, parent=personas.root, name=FORMULA)
    services.incident_register(
        actor=personas.manager,
        unit=hostile,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Sag", "discovered_at": timezone.now() - timedelta(hours=1)},
    )
    manager = signed_in(personas, "manager")  # sees every unit exactly, so both are offered as filters
    page = manager.get(reverse("dashboard:union_rep"))
    assert page.status_code == 200
    assert_escaped(page.content.decode(), "statistics page")
    assert ESCAPED in page.content.decode()
    union_rep = signed_in(personas, "union_rep").get(reverse("dashboard:union_rep"))  # small units folded
    assert union_rep.status_code == 200
    assert_escaped(union_rep.content.decode(), "union rep's statistics page")

    rows = list(
        csv.reader(io.StringIO(manager.get(reverse("stats:export_csv")).content.decode("utf-8-sig")), delimiter=";")
    )
    labels = {row[3] for row in rows[1:]}
    assert f"Team {PAYLOAD}" in labels  # as text: a CSV has no markup
    assert f"'{FORMULA}" in labels and FORMULA not in labels  # never a formula to a spreadsheet
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]
    data = json.loads(manager.get(reverse("stats:export_json")).content)
    assert f"Team {PAYLOAD}" in {row["label"] for table in data["tables"] for row in table["rows"]}  # as data

    month = timezone.localdate().strftime("%Y-%m")
    response = manager.post(reverse("stats:report_request"), {"from": month, "to": month, "unit": hostile.pk})
    assert response.status_code == 302
    report = Report.objects.get(kind=Report.Kind.STATISTICS, requested_by=personas.manager)
    assert report.options["unit_label"] == f"Team {PAYLOAD}"
    report_services.report_render(report.pk)
    report = Report.objects.get(pk=report.pk)
    assert report.status == Report.Status.READY, report.error
    detail = manager.get(reverse("stats:report_detail", args=[report.pk])).content.decode()
    assert_escaped(detail, "statistics report page")
    assert ESCAPED in detail
    content = b"".join(manager.get(reverse("stats:report_download", args=[report.pk])).streaming_content)
    assert compact(f"Team {PAYLOAD}") in compact(pdf_text(content))
    assert_no_pdf_script(content, "statistics PDF")
    _form, statistics = statistics_for(personas.manager, report.statistics_params())
    html = statistics_html(statistics, organisation=personas.org.name, generated_by=PAYLOAD, reference=report.reference)
    assert_escaped(html, "statistics PDF HTML")
    assert ESCAPED in html


@pytest.fixture
def case(personas):
    """Lighter than `world`: one incident naming a perpetrator, and an open access request about the caseworker."""
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Opslag", "perpetrator_name": "Jens Hansen", "discovered_at": timezone.now()},
        targets=[personas.caseworker],
    )
    subject_request = privacy_services.dsr_register(
        actor=personas.admin,
        organisation=personas.org,
        kind="access",
        subject_type="employee",
        subject_user=personas.caseworker,
        received_on=timezone.localdate(),
        requester="Den registrerede selv",
    )
    return SimpleNamespace(incident=incident, subject_request=subject_request)


# SQL-injection-shaped and absurd filters of the statistics: the page, its downloads, the API and
# the PDF report all read them with the same form.
STATISTICS_INPUT = [
    {"from": "' OR 1=1 --"},
    {"to": "2026-01'; DROP TABLE reports_report; --"},
    {"unit": "1 OR 1=1"},
    {"unit": "-1"},
    {"unit": "99999999999999999999999"},
    {"from": "2026-01\x00"},
    {"from": "9" * 10_000},
    {"from": "0000-01"},
    {"from": "1899-12", "to": "1900-01"},
    {"from": "9999-01", "to": "9999-12"},  # the month after "to" is past the last date Python knows
    {"from": "9998-12", "to": "9999-01"},
    {"from": "2026-06", "to": "2026-01"},
    {"from": "2000-01", "to": "2026-01"},
    {"from": "2026-00"},
    {"from": "２０２６-０１", "to": "２０２６-０２"},  # full-width digits: a month all the same
]
STATISTICS_MESSAGES = (
    "Skriv en måned som ÅÅÅÅ-MM",
    "Vælg en måned fra år 1900 til år 9998",
    "Vælg en af enhederne på listen",
    "Til-måneden skal være",
    "Vælg højst 60 måneder",
    "Feltet indeholder et kontroltegn",
)  # NUL: refused for every page (udhaengning/middleware.py)


@pytest.mark.parametrize("params", STATISTICS_INPUT, ids=lambda p: "&".join(f"{k}={v[:20]!r}" for k, v in p.items()))
def test_statistics_filters_answer_400_in_danish_or_200_never_500(personas, case, params):
    union_rep = signed_in(personas, "union_rep")
    before, reports = snapshot(), Report.objects.count()
    answers = {}
    for name in ("dashboard:union_rep", "stats:export_csv", "stats:export_json", "stats-api:statistics"):
        response = union_rep.get(reverse(name), params)
        answers[name] = response.status_code
        assert response.status_code in (200, 400), f"{name}: {response.status_code}"
        if response.status_code == 400:
            assert any(message in response.content.decode() for message in STATISTICS_MESSAGES), name
    assert len(set(answers.values())) == 1, answers  # every output reads the filters the same way
    response = union_rep.post(reverse("stats:report_request"), params)
    if answers["stats:export_csv"] == 400:
        assert response.status_code == 400
        body = response.content.decode()
        assert any(message in body for message in STATISTICS_MESSAGES)
        assert_escaped(body, "statistics page with errors")
        assert Report.objects.count() == reports  # nothing asked for
    else:
        assert response.status_code == 302
        report = Report.objects.get(pk=resolve(response["Location"]).kwargs["report_id"])
        assert report.kind == Report.Kind.STATISTICS and re.fullmatch(r"\d{4}-\d{2}", report.options["from"])
        Report.objects.filter(pk=report.pk).delete()
    assert snapshot() == before


# SQL-injection-shaped and absurd input in the data subject request forms and list.
REQUEST_INPUT = [
    ({"subject_name": "' OR 1=1 --"}, 302),  # a name like any other: stored as typed, finds nothing
    ({"subject_name": "%"}, 400),
    ({"subject_name": ".*"}, 400),
    ({"subject_name": "x" * 100_000}, 400),
    ({"subject_name": "Jens\x00Hansen"}, 400),
    ({"requester": "' OR ''='"}, 302),
    ({"requester": "x" * 100_000}, 400),
    ({"received_on": "2026-02-30"}, 400),
    ({"received_on": "' OR 1=1 --"}, 400),
    ({"received_on": "9999-12-31"}, 400),
    ({"organisation": "1 OR 1=1"}, 400),
    ({"organisation": "99999999999999999999999"}, 400),
    ({"subject_type": "employee", "subject_user": "1 OR 1=1"}, 400),
    ({"subject_type": "employee", "subject_user": "99999999999999999999999"}, 400),
    ({"kind": "access' --"}, 400),
]


@pytest.mark.parametrize(
    ("params", "status"),
    REQUEST_INPUT,
    ids=lambda p: "&".join(f"{k}={v[:20]!r}" for k, v in p.items()) if isinstance(p, dict) else str(p),
)
def test_request_form_answers_400_in_danish_or_stores_the_text_as_typed(personas, case, params, status):
    admin = signed_in(personas, "admin")
    data = {
        "organisation": personas.org.pk,
        "kind": "access",
        "subject_type": "perpetrator",
        "subject_name": "Jens Hansen",
        "received_on": timezone.localdate().isoformat(),
        "requester": "Den registrerede selv",
        **params,
    }
    before, requests = snapshot(), DataSubjectRequest.objects.count()
    response = admin.post(reverse("privacy:create"), data)
    assert response.status_code == status
    if status == 400:
        body = response.content.decode()
        assert "Anmodningen er ikke gemt endnu" in body
        errors = re.findall(r'<li><a href="#[^"]*">[^<]*</a>: ([^<]+)</li>', body)
        assert len(errors) == 1, errors  # one clear reason, in Danish
        assert re.search(r"Skriv|Marker|Indtast|Datoen|Denne|Null-tegn", errors[0]), errors
        assert DataSubjectRequest.objects.count() == requests
        assert snapshot() == before
        return
    dsr = DataSubjectRequest.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert (dsr.subject_name, dsr.requester) == (" ".join(data["subject_name"].split()), data["requester"])
    found = [incident.perpetrator_name for incident in findings_for(dsr).incidents]
    # "' OR 1=1 --" is two words to look for, not a condition: it finds nobody, not everybody.
    assert found == ([] if "subject_name" in params else ["Jens Hansen"])


@pytest.mark.parametrize("page", ["' OR 1=1 --", "-1", "99999999999", "1;DROP TABLE privacy_datasubjectrequest"])
def test_request_list_page_number_never_errors(personas, case, page):
    response = signed_in(personas, "admin").get(reverse("privacy:list"), {"page": page})
    assert response.status_code == 200
    assert case.subject_request.reference in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "granted' OR 1=1 --"},
        {"decision": "refused", "justification": "x" * 6000},
        {"decision": "refused", "justification": "a\x00b"},
        {"decision": "refused", "justification": "   "},
    ],
)
def test_decision_form_answers_400_in_danish_and_changes_nothing(personas, case, data):
    before = snapshot()
    response = signed_in(personas, "admin").post(reverse("privacy:decide", args=[case.subject_request.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r"Marker en gyldig valgmulighed|højst have 5000 tegn|Null-tegn|Skriv en begrundelse", body)
    assert snapshot()[:-1] == before[:-1]  # the request itself is only taken on (opened), not decided
    case.subject_request.refresh_from_db()
    assert case.subject_request.decision == "" and not case.subject_request.is_completed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hold-hold": "1 OR 1=1", "hold-reason": "Retssag"}, "Siden var ikke opdateret. Prøv igen."),
        ({"hold-hold": "1", "hold-reason": "   "}, "Skriv hvorfor retligt hold sættes eller ophæves."),
        ({"hold-hold": "1", "hold-reason": "a\x00b"}, "Null-tegn er ikke tilladte."),
        ({}, "Skriv hvorfor retligt hold sættes eller ophæves."),
    ],
)
def test_legal_hold_form_says_what_is_wrong_in_danish_and_changes_nothing(personas, case, data, message):
    before = snapshot()
    response = signed_in(personas, "manager").post(
        reverse("incidents:legal_hold", args=[case.incident.reference]), data
    )
    assert response.status_code == 200  # the incident page again, with the form's errors
    assert message in response.content.decode()
    assert snapshot() == before


# --- IDOR: guessed data subject request and statistics report ids ----------------------------------


def test_guessed_request_and_statistics_report_ids_are_404_and_change_nothing(personas, world):
    from privacy.services import dsr_register
    from reports import services as report_services

    org = OrganisationFactory(name="Andenkommune")
    unit = UnitFactory(organisation=org, name="Ydre enhed")
    their_admin = member(unit, "admin", username="andenadmin")
    their_rep = member(unit, "union_rep", username="andentr")
    their_request = dsr_register(
        actor=their_admin,
        organisation=org,
        kind="erasure",
        subject_type="perpetrator",
        subject_name="Fremmed Person",
        received_on=timezone.localdate(),
        requester="Advokat med fuldmagt",
    )
    month = timezone.localdate().replace(day=1)
    their_report = report_services.statistics_report_request(actor=their_rep, first=month, last=month, unit_id=None)
    ours, theirs, stats = world.subject_request.pk, their_request.pk, world.statistics.pk
    missing_request = DataSubjectRequest.objects.order_by("-pk").first().pk + 1000
    missing_report = Report.objects.order_by("-pk").first().pk + 1000
    clients = {name: signed_in(personas, name) for name in ("admin", "manager", "other_manager", "union_rep")}
    clients["their_admin"], clients["their_rep"] = Client(), Client()
    clients["their_admin"].force_login(their_admin)
    clients["their_rep"].force_login(their_rep)
    reference = world.incident.reference
    gets = [("their_admin", "privacy:detail", [ours])]
    gets += [("admin", "privacy:detail", [pk]) for pk in (theirs, missing_request)]
    their_export = privacy_services.access_export_request(actor=their_admin, dsr=their_request, fmt="json")
    gets += [
        ("admin", name, [theirs, their_export.pk]) for name in ("privacy:export_status", "privacy:export_download")
    ]
    gets += [("manager", "privacy:detail", [ours])]  # a manager of the same organisation is not its admin
    gets += [
        (who, name, [pk])
        for name in ("stats:report_detail", "stats:report_status", "stats:report_download")
        for who, pk in (
            ("manager", stats),
            ("other_manager", stats),
            ("their_rep", stats),
            ("union_rep", their_report.pk),
            ("union_rep", missing_report),
            ("manager", world.report.pk),
        )
    ]  # an incident report's id is no statistics report
    # A statistics report's id under an incident the manager may see.
    gets += [
        ("manager", name, [reference, stats])
        for name in (
            "reports:detail",
            "reports:status",
            "reports:download",
            "reports-api:report-detail",
            "reports-api:report-download",
        )
    ]
    posts = [
        ("their_admin", "privacy:export_request", [ours], {"format": "json"}),
        ("admin", "privacy:export_request", [theirs], {"format": "json"}),
        ("admin", "privacy:identity", [theirs], {"identity_check": "x"}),
        ("admin", "privacy:item", [theirs], {"action": "include", "key": "incident:1"}),
        ("their_admin", "privacy:decide", [ours], {"decision": "granted"}),
        ("their_admin", "privacy:erase", [ours], {"confirm": "on"}),
        ("admin", "privacy:decide", [theirs], {"decision": "refused", "justification": "Nej"}),
        ("admin", "privacy:erase", [theirs], {"confirm": "on"}),
        ("manager", "stats:report_retry", [stats], {}),
        ("union_rep", "stats:report_retry", [their_report.pk], {}),
        ("manager", "reports:retry", [reference, stats], {}),
    ]
    before = snapshot()
    wrong = [
        f"GET {name}{args} as {who}: {status}"
        for who, name, args in gets
        if (status := clients[who].get(reverse(name, args=args)).status_code) != 404
    ]
    wrong += [
        f"POST {name}{args} as {who}: {status}"
        for who, name, args, data in posts
        if (status := clients[who].post(reverse(name, args=args), data).status_code) != 404
    ]
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    their_request.refresh_from_db()
    assert their_request.status == DataSubjectRequest.Status.RECEIVED and their_request.handled_by is None
