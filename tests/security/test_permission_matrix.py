"""The permission matrix: every URL of the project × every persona.

`EXPECTED` maps each URL name to how its arguments are built and what each persona gets for
a GET. A URL name missing from the table fails the build: a new view needs a policy
expectation here before it ships. Django admin internals, allauth's own pages, static files
and the language switch are left out; /admin/ and the sign-in page are checked on their own.

POST-only views answer GET with 405; a POST by a persona who may not use them answers 404
(or 403) and changes nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from incidents.models import (
    CaseExclusion,
    CaseMessage,
    DeadlineDismissal,
    Evidence,
    Incident,
    IncidentDeadline,
    Note,
    Publication,
    Redaction,
    TimelineEntry,
    WatchListEntry,
)
from knowledge.sections import SECTIONS
from notifications.models import Notification
from privacy.models import DataSubjectRequest
from recordings.models import RecordingRequest
from reports.models import EvidenceBundle, Report
from tests.security.world import PERSONAS, build_world, private_storage, url_patterns

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "accounts/", "i18n/", "static/")

SIGNED_IN = PERSONAS[1:]


def row(anonymous: int = 302, default: int = 404, **answers: int) -> dict[str, int]:
    """What every persona gets: `default` for the signed-in ones not named."""
    return {"anonymous": anonymous, **{name: answers.get(name, default) for name in SIGNED_IN}}


EVERYONE = row(default=200)
PUBLIC = row(anonymous=200, default=200)
MANAGERS = row(manager=200, other_manager=200)
CASE = row(manager=200, caseworker=200)  # the incident's manager and the employee concerned
CASE_MANAGER = row(manager=200)  # the incident's manager only
POST_ONLY = row(default=405)
API_CASE = row(anonymous=401, manager=200, caseworker=200)
API_CASE_MANAGER = row(anonymous=401, manager=200)
WITH_ROLE = row(default=200, outsider=404)  # anyone holding a role in the organisation

# URL name → (which object the "pk"/"report_id" argument names, expected GET answer per persona)
EXPECTED: dict[str, tuple[str | None, dict[str, int]]] = {
    "home": (None, row(default=302)),  # sends each user to their role's landing page
    "healthz": (None, PUBLIC),
    "dashboard:manager": (None, MANAGERS),
    "dashboard:caseworker": (None, row(caseworker=200, other_caseworker=200)),
    "dashboard:union_rep": (None, row(manager=200, other_manager=200, union_rep=200)),
    "stats:export_csv": (None, row(manager=200, other_manager=200, union_rep=200)),
    "stats:export_json": (None, row(manager=200, other_manager=200, union_rep=200)),
    "stats:report_request": (None, POST_ONLY),
    "stats:report_detail": ("statistics", row(union_rep=200)),  # the user who asked for it, nobody else
    "stats:report_status": ("statistics", row(union_rep=200)),
    "stats:report_retry": ("statistics", POST_ONLY),
    "stats:report_download": ("statistics", row(union_rep=200)),
    "incidents:share": (None, POST_ONLY),
    "incidents:share_withdraw": (None, POST_ONLY),
    "dashboard:admin": (None, row(admin=200)),
    "dashboard:no_role": (None, EVERYONE),
    "incidents:list": (None, MANAGERS),
    "incidents:create": (None, MANAGERS),
    "incidents:edit": (None, CASE_MANAGER),
    "incidents:status": (None, POST_ONLY),
    "incidents:action": (None, POST_ONLY),
    "incidents:note": (None, POST_ONLY),
    "incidents:assess": (None, POST_ONLY),
    "incidents:legal_hold": (None, POST_ONLY),
    "incidents:deadline_dismiss": (None, POST_ONLY),
    "incidents:art14": (None, POST_ONLY),
    "incidents:owner": (None, POST_ONLY),  # issue 17: take or assign the case
    "incidents:exclusion": (None, POST_ONLY),  # keep a manager out of the case
    "incidents:watch": (None, POST_ONLY),  # the manager's own watch list
    "incidents:message": (None, POST_ONLY),  # the thread between the employee and the managers
    "incidents:detail": (None, CASE),
    "incidents:evidence_upload": (None, CASE),
    "incidents:evidence_download": (None, CASE),
    "incidents:evidence_remove": (None, POST_ONLY),
    "incidents:self_report": (None, row(caseworker=200, other_caseworker=200)),
    "reports:list": ("report", CASE),
    "reports:create": ("report", CASE_MANAGER),
    "reports:detail": ("report", CASE),  # internal report without internal notes
    "reports:status": ("report", CASE),
    "reports:retry": ("report", POST_ONLY),
    "reports:download": ("report", CASE),
    "reports:text": ("dsa", CASE_MANAGER),
    "reports:bundle": ("police", CASE_MANAGER),
    "reports:bundle_download": ("police", CASE_MANAGER),
    # «Sikr side» (incidents.capture): the incident's managers only; the files are evidence (above).
    "capture:list": (None, CASE_MANAGER),
    "capture:upload": (None, POST_ONLY),
    "capture:detail": (None, CASE_MANAGER),
    "capture:status": (None, CASE_MANAGER),
    "capture:again": (None, POST_ONLY),
    "capture:token": (None, CASE_MANAGER),
    "reports:facts": ("report", CASE_MANAGER),
    "reports:redactions": ("report", CASE_MANAGER),
    "reports:redaction_delete": ("report", POST_ONLY),
    "reports:mark_sent": ("police", POST_ONLY),
    "reports:package": ("datatilsynet", CASE_MANAGER),  # the loose files of a Datatilsynet complaint
    "reports:package_file": ("datatilsynet", CASE_MANAGER),
    "reports:archive": ("report", CASE_MANAGER),  # journalisation: the case archive (issue 16)
    "reports:archive_create": ("report", POST_ONLY),
    "reports:journal_number": ("report", POST_ONLY),
    "reports:archive_status": ("report", CASE_MANAGER),
    "reports:archive_download": ("report", CASE_MANAGER),
    "knowledge:index": (None, EVERYONE),
    "knowledge:section": (None, EVERYONE),
    "recordings:list": ("recording", row(manager=200, other_manager=200, caseworker=200, other_caseworker=200)),
    "recordings:create": ("recording", row(manager=200, other_manager=200, caseworker=200, other_caseworker=200)),
    "recordings:suggest": ("recording", POST_ONLY),
    "recordings:detail": ("recording", CASE),  # the registering caseworker and the unit's manager
    "recordings:hidden": ("recording", POST_ONLY),
    "recordings:link_incident": ("recording", POST_ONLY),
    "recordings:note_text": ("recording", CASE),  # the note for the citizen's case file: as the request
    "recordings:note_pdf": ("recording", CASE),
    "recordings:review": ("recording", POST_ONLY),
    "recordings:overview": ("recording", MANAGERS),
    "recordings:guideline": ("guideline", WITH_ROLE),
    "recordings:guideline_version": ("guideline", WITH_ROLE),
    "recordings:guideline_pdf": ("guideline", WITH_ROLE),
    "notifications:list": ("notification", EVERYONE),
    "notifications:open": ("notification", row(caseworker=302)),  # the recipient is sent on to the target
    "notifications:mark_all_read": ("notification", POST_ONLY),
    "notifications:preferences": ("notification", EVERYONE),
    "privacy:list": (None, row(admin=200)),  # data subject requests: the org's admins
    "privacy:create": (None, row(admin=200)),
    "privacy:detail": ("subject_request", row(admin=200)),
    "privacy:export_request": ("subject_request", POST_ONLY),  # the worker renders the export (issue 16)
    "privacy:export_status": ("subject_request", row(admin=200)),
    "privacy:export_download": ("subject_request", row(admin=200)),
    "privacy:identity": ("subject_request", POST_ONLY),
    "privacy:item": ("subject_request", POST_ONLY),
    "privacy:decide": ("subject_request", POST_ONLY),
    "privacy:erase": ("subject_request", POST_ONLY),
    "privacy:record": (None, row(manager=200, other_manager=200, admin=200)),  # record of processing (art. 30)
    "privacy:record_download": (None, row(manager=200, other_manager=200, admin=200)),
    "privacy:dpia": (None, row(manager=200, other_manager=200, admin=200)),  # DPIA draft (art. 35): as the record
    "privacy:dpia_request": (None, POST_ONLY),
    "privacy:dpia_detail": ("dpia", row(manager=200, other_manager=200, admin=200)),
    "privacy:dpia_status": ("dpia", row(manager=200, other_manager=200, admin=200)),
    "privacy:dpia_retry": ("dpia", POST_ONLY),
    "privacy:dpia_download": ("dpia", row(manager=200, other_manager=200, admin=200)),
    "privacy:notice": (None, PUBLIC),  # information to employees (art. 13): anyone
    "api:incident-list": (None, row(anonymous=401, default=200)),  # each sees only what the policy lets them
    "api:incident-detail": (None, API_CASE),
    "api:incident-evidence": (None, API_CASE),
    "api:incident-evidence-download": (None, API_CASE),
    "api:incident-timeline": (None, API_CASE),
    "api:incident-art14": (None, API_CASE_MANAGER),  # the perpetrator's art. 14 record: managers only
    "api:assessment-preview": (None, row(anonymous=401, default=405)),
    "reports-api:report-list": ("report", API_CASE),
    "reports-api:report-detail": ("report", API_CASE),
    "reports-api:report-download": ("police", API_CASE_MANAGER),
    "stats-api:statistics": (None, row(anonymous=401, manager=200, other_manager=200, union_rep=200)),
    # The schema and its docs hold no data but map every endpoint: signed-in users only (issue 9).
    "api-schema": (None, row(anonymous=401, default=200)),
    "api-docs": (None, EVERYONE),  # a browser without a session is sent to sign in
    # The user's own API tokens: anyone whose roles allow a scope (not an admin only, not an outsider).
    "api_tokens:list": (None, row(default=200, admin=404, outsider=404)),
    "api_tokens:revoke": ("api_token", POST_ONLY),
}

# POST-only views: who may use them; everyone else signed in must get 404/403 and change nothing.
POST_ALLOWED: dict[str, set[str]] = {
    "incidents:status": {"manager"},
    "incidents:action": {"manager"},
    "incidents:note": {"manager"},
    "incidents:assess": {"manager"},
    "incidents:legal_hold": {"manager"},
    "incidents:deadline_dismiss": {"manager"},
    "incidents:art14": {"manager"},
    "incidents:owner": {"manager"},
    "incidents:exclusion": {"manager"},
    "incidents:watch": {"manager"},
    "incidents:message": {"manager", "caseworker"},  # never the union rep the case is shared with
    "incidents:evidence_remove": {"manager"},
    "reports:retry": {"manager"},
    "capture:upload": {"manager"},
    "capture:again": {"manager"},
    "reports:redaction_delete": {"manager"},
    "reports:mark_sent": {"manager"},
    "reports:archive_create": {"manager"},
    "reports:journal_number": {"manager"},
    "stats:report_request": {"manager", "other_manager", "union_rep"},
    "stats:report_retry": {"union_rep"},
    "incidents:share": {"caseworker"},
    "incidents:share_withdraw": {"caseworker"},
    "recordings:hidden": {"manager", "caseworker"},
    "recordings:link_incident": {"manager", "caseworker"},
    "recordings:review": {"manager"},
    "privacy:decide": {"admin"},
    "privacy:erase": {"admin"},
    "privacy:dpia_request": {"manager", "other_manager", "admin"},
    "privacy:dpia_retry": {"manager", "other_manager", "admin"},
    "privacy:export_request": {"admin"},
    "privacy:identity": {"admin"},
    "privacy:item": {"admin"},
    "api_tokens:revoke": {"caseworker"},  # the token's owner
    # Acting on the user's own data only, or computing nothing stored: every signed-in persona may.
    "recordings:suggest": set(SIGNED_IN),
    "notifications:mark_all_read": set(SIGNED_IN),
    "api:assessment-preview": set(SIGNED_IN),
}


def project_routes():
    return [(name, route, pattern) for name, route, pattern in url_patterns() if not route.startswith(SKIPPED_PREFIXES)]


@pytest.fixture
def world(personas, settings, tmp_path):
    private_storage(settings, tmp_path)
    built = build_world(personas)
    capture_of(built)
    return built


def concrete_url(name: str, pattern, world, subject: str | None) -> str:
    objects = {
        "report": world.report,
        "dsa": world.dsa,
        "police": world.police,
        "statistics": world.statistics,
        "datatilsynet": world.datatilsynet,
    }
    pks = {
        "recording": world.recording,
        "guideline": world.guideline,
        "notification": world.notification,
        "subject_request": world.subject_request,
        "api_token": world.api_token,
        "dpia": dpia_of(world),
    }
    kwargs = {}
    for arg in pattern.pattern.converters:
        if arg == "reference":
            kwargs[arg] = world.incident.reference
        elif arg == "evidence_id":
            kwargs[arg] = world.evidence.pk
        elif arg == "report_id":
            kwargs[arg] = objects[subject].pk
        elif arg == "share_id":
            kwargs[arg] = 1  # withdrawing is POST-only; a GET answers 405 whatever the id
        elif arg in ("capture_id", "token_id"):
            capture, token = capture_of(world)
            kwargs[arg] = capture.pk if arg == "capture_id" else token.pk
        elif arg == "redaction_id":
            kwargs[arg] = world.redaction.pk
        elif arg == "bundle_id":
            kwargs[arg] = world.bundle.pk
        elif arg == "archive_id":
            kwargs[arg] = case_archive_of(world).pk
        elif arg == "export_id":
            kwargs[arg] = access_export_of(world).pk
        elif arg == "kind":
            kwargs[arg] = "internal_hr"
        elif arg == "slug":
            kwargs[arg] = SECTIONS[0].slug
        elif arg == "pk":
            kwargs[arg] = pks[subject].pk
        else:
            raise AssertionError(f"{name}: no rule to fill the URL argument {arg!r}; add one to concrete_url()")
    return reverse(name, kwargs=kwargs)


def dpia_of(world):
    """A finished DPIA draft PDF of the world's organisation (a row and a stored file)."""
    from django.core.files.base import ContentFile

    from privacy.dpia_models import DpiaDraft

    draft = DpiaDraft.objects.filter(organisation=world.incident.unit.organisation).first()
    if draft is None:
        draft = DpiaDraft(
            organisation=world.incident.unit.organisation,
            version=1,
            status="ready",
            sha256="0" * 64,
            size=8,
            page_count=1,
        )
        draft.file.save("dpia.pdf", ContentFile(b"%PDF-1.7"), save=False)
        draft.save()
    return draft


def case_archive_of(world):
    """A ready case archive of the world's incident, with a stored file."""
    from django.core.files.base import ContentFile

    from reports.models import CaseArchive

    archive = CaseArchive.objects.filter(incident=world.incident).first()
    if archive is None:
        archive = CaseArchive(
            incident=world.incident, status=CaseArchive.Status.READY, sha256="0" * 64, size=4, document_count=0
        )
        archive.file.save("archive.zip", ContentFile(b"PK\x05\x06"), save=False)
        archive.save()
    return archive


def access_export_of(world):
    """A ready export (JSON) of the world's data subject request, with a stored file."""
    from django.core.files.base import ContentFile

    from privacy.models import AccessExport

    export = AccessExport.objects.filter(request=world.subject_request).first()
    if export is None:
        export = AccessExport(
            request=world.subject_request, fmt="json", status=AccessExport.Status.READY, sha256="0" * 64, size=2
        )
        export.file.save("export.json", ContentFile(b"{}"), save=False)
        export.save()
    return export


def capture_of(world):
    """A finished capture of the world's incident with one stored time-stamp token (rows only)."""
    from incidents.capture.models import Capture, TimestampToken

    capture = Capture.objects.filter(incident=world.incident).first()
    if capture is None:
        capture = Capture.objects.create(
            incident=world.incident,
            url="https://www.facebook.com/groups/1/posts/2",
            status=Capture.Status.DONE,
            http_status=200,
        )
        TimestampToken.objects.create(capture=capture, tsa_url="http://tsa.invalid/", response=b"\x30\x03\x02\x01\x00")
    return capture, capture.tokens.first()


def client_for(personas, name: str, **options) -> Client:
    client = Client(**options)
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


def snapshot() -> list:
    """Everything a POST could change."""
    from incidents.capture.models import Capture, Watch

    models = (
        Incident,
        Publication,
        Evidence,
        TimelineEntry,
        Note,
        IncidentDeadline,
        DeadlineDismissal,
        Report,
        EvidenceBundle,
        RecordingRequest,
        Notification,
        Capture,
        Watch,
        Redaction,
        CaseExclusion,
        CaseMessage,
        WatchListEntry,
        DataSubjectRequest,
    )  # last: tests that open a request compare snapshot()[:-1]
    return [list(model.objects.order_by("pk").values()) for model in models]


def test_every_url_has_a_policy_expectation():
    missing = sorted({name or route for name, route, _ in project_routes()} - set(EXPECTED))
    assert not missing, f"new view without a policy expectation: {missing} – add it to EXPECTED"
    stale = sorted(set(EXPECTED) - {name for name, _, _ in project_routes()})
    assert not stale, f"EXPECTED names URLs the project no longer has: {stale}"


def test_every_persona_gets_the_expected_answer_on_every_url(personas, world):
    clients = {name: client_for(personas, name) for name in PERSONAS}
    wrong = []
    for name, _, pattern in project_routes():
        if name not in EXPECTED:
            continue  # reported by test_every_url_has_a_policy_expectation
        subject, expected = EXPECTED[name]
        url = concrete_url(name, pattern, world, subject)
        answers = {persona: clients[persona].get(url).status_code for persona in PERSONAS}
        if answers != expected:
            wrong.append(
                f"{name} {url}: "
                + ", ".join(
                    f"{p} got {answers[p]} (expected {expected[p]})" for p in PERSONAS if answers[p] != expected[p]
                )
            )
    assert not wrong, "\n".join(wrong)


def test_anonymous_is_sent_to_sign_in_not_shown_a_page(personas, world):
    client = Client()
    for name, _, pattern in project_routes():
        subject, expected = EXPECTED.get(name, (None, {}))
        if expected.get("anonymous") != 302:
            continue
        response = client.get(concrete_url(name, pattern, world, subject))
        assert response["Location"].startswith("/accounts/login/"), name


def test_post_by_a_persona_without_access_is_refused_and_changes_nothing(personas, world):
    before = snapshot()
    wrong = []
    for name, _, pattern in project_routes():
        if name not in POST_ALLOWED:
            continue
        url = concrete_url(name, pattern, world, EXPECTED[name][0])
        for persona in SIGNED_IN:
            if persona in POST_ALLOWED[name]:
                continue
            status = (
                client_for(personas, persona)
                .post(url, {"to_status": "closed", "body": "x", "reason": "x", "note": "x", "visibility": "shared"})
                .status_code
            )
            if status not in (403, 404):
                wrong.append(f"{name}: {persona} got {status}")
        anonymous = Client().post(url)
        if anonymous.status_code not in (302, 401, 403):
            wrong.append(f"{name}: anonymous got {anonymous.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_post_only_views_answer_get_with_405(personas, world):
    client = client_for(personas, "manager")
    for name in POST_ALLOWED:
        _, route, pattern = next(r for r in project_routes() if r[0] == name)
        assert client.get(concrete_url(name, pattern, world, EXPECTED[name][0])).status_code == 405, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_is_for_admins_only(personas, persona):
    response = client_for(personas, persona).get("/admin/")
    if persona == "admin":
        assert response.status_code == 200
        assert "Udhængning – administration" in response.content.decode()
    else:
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_sign_in_page_is_reachable_anonymously(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
