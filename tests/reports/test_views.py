"""Report pages for every persona: who may list, generate, see, poll, download and bundle."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from reports import services, tasks
from reports.models import EvidenceBundle, Report
from tests.conftest import PERSONA_NAMES
from tests.reports.conftest import options_for, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(case, generate, personas):
    """Reports of the case: police (ready, with a bundle), internal with and without notes, and a failed one."""
    police = generate(case, "police")
    bundle = services.bundle_request(actor=personas.manager, report=police)
    services.bundle_build(bundle.pk)
    failed = services.report_request(actor=personas.manager, incident=case, kind="dsa_notice", options={})
    services.report_fail(failed.pk, "Rapporten kunne ikke dannes: testårsag.")
    return {
        "police": police,
        "bundle": EvidenceBundle.objects.get(pk=bundle.pk),
        "internal_notes": generate(case, "internal_hr", include_internal_notes=True),
        "internal_plain": generate(case, "internal_hr", include_internal_notes=False),
        "failed": Report.objects.get(pk=failed.pk),
    }


@pytest.fixture
def synchronous_worker(monkeypatch):
    """Enqueueing calls the service at once (instead of a broker), as the worker would."""
    monkeypatch.setattr(tasks.render_report, "delay", lambda pk: services.report_render(pk))
    monkeypatch.setattr(tasks.build_bundle, "delay", lambda pk: services.bundle_build(pk))


def _url(name, case, report=None, **extra):
    args = [case.reference]
    if report is not None:
        args.append(report.pk)
    args.extend(extra.values())
    return reverse(f"reports:{name}", args=args)


def _login(client, personas, name):
    client.force_login(getattr(personas, name))
    return client


MANAGER_ONLY = {"manager": 200}
CASE_VIEWERS = {"manager": 200, "caseworker": 200}


def _expected(table: dict, name: str) -> int:
    return table.get(name, 404)


# --- The persona matrix ---------------------------------------------------------------------------


# (page, report, who gets 200); everyone else gets 404.
MATRIX = [
    ("list", None, CASE_VIEWERS),
    ("detail", "police", MANAGER_ONLY),
    ("status", "police", MANAGER_ONLY),
    ("download", "police", MANAGER_ONLY),
    ("detail", "internal_notes", MANAGER_ONLY),
    ("download", "internal_notes", MANAGER_ONLY),
    ("detail", "internal_plain", CASE_VIEWERS),
    ("status", "internal_plain", CASE_VIEWERS),
    ("download", "internal_plain", CASE_VIEWERS),
    ("bundle", "police", MANAGER_ONLY),
]


def test_who_may_get_what(client, personas, case, made):
    """Every persona on every page of the matrix, the reports rendered once for all of them
    (a test per page rendered them again each time): hidden is 404, never 403."""
    answers, expected = {}, {}
    for url_name, report_key, allowed in MATRIX:
        report = made[report_key] if report_key else None
        for name in PERSONA_NAMES:
            key = (url_name, report_key, name)
            answers[key] = _login(client, personas, name).get(_url(url_name, case, report)).status_code
            expected[key] = _expected(allowed, name)
    assert answers == expected


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_only_managers_may_open_the_form_or_generate(client, personas, case, name, synchronous_worker):
    client = _login(client, personas, name)
    assert client.get(_url("create", case, kind="police")).status_code == _expected(MANAGER_ONLY, name)
    response = client.post(_url("create", case, kind="internal_hr"), {"name_perpetrator": "on"})
    assert response.status_code == (302 if name == "manager" else 404)
    assert Report.objects.exists() is (name == "manager")


def test_only_managers_may_retry_or_bundle(client, personas, case, made, synchronous_worker):
    for name in (n for n in PERSONA_NAMES if n != "manager"):
        client = _login(client, personas, name)
        assert client.post(_url("retry", case, made["failed"])).status_code == 404, name
        assert client.post(_url("bundle", case, made["police"])).status_code == 404, name
        download = client.get(_url("bundle_download", case, made["police"], bundle=made["bundle"].pk))
        assert download.status_code == 404, name
    assert EvidenceBundle.objects.count() == 1
    assert Report.objects.get(pk=made["failed"].pk).status == Report.Status.FAILED
    client = _login(client, personas, "manager")
    assert client.post(_url("retry", case, made["failed"])).status_code == 302
    assert client.post(_url("bundle", case, made["police"])).status_code == 302
    assert client.get(_url("bundle_download", case, made["police"], bundle=made["bundle"].pk)).status_code == 200
    assert EvidenceBundle.objects.count() == 2


def test_anonymous_is_sent_to_sign_in(client, case, made):
    for url_name in ("list", "detail", "status", "download", "text", "bundle", "retry"):
        report = None if url_name == "list" else made["police"]
        url = _url(url_name, case, report)
        response = client.post(url) if url_name == "retry" else client.get(url)
        assert response.status_code == 302, url_name
        assert response["Location"].startswith("/accounts/login/"), url_name


def test_other_managers_units_report_is_hidden_as_404(client, personas, case, made):
    client.force_login(personas.other_manager)
    assert client.get(_url("list", case)).status_code == 404
    assert client.get(_url("create", case, kind="police")).status_code == 404


def test_a_report_of_another_incident_is_404(client, personas, case, made):
    from tests.reports.conftest import register

    other = register(personas, title="Anden sag")
    client.force_login(personas.manager)
    assert client.get(_url("download", other, made["police"])).status_code == 404
    assert client.get(_url("status", other, made["police"])).status_code == 404


# --- What each one sees -----------------------------------------------------------------------------


def test_the_caseworker_sees_only_the_internal_report_without_notes(client, personas, case, made):
    client.force_login(personas.caseworker)
    page = client.get(_url("list", case)).content.decode()
    assert "Rapporter du kan hente" in page
    assert _url("download", case, made["internal_plain"]) in page
    assert _url("detail", case, made["internal_notes"]) not in page
    assert _url("detail", case, made["police"]) not in page
    assert "Lav en ny rapport" not in page
    response = client.get(_url("download", case, made["internal_plain"]))
    assert b"".join(response.streaming_content) == pdf_bytes(made["internal_plain"])
    detail = client.get(_url("detail", case, made["internal_plain"])).content.decode()
    assert "Lav bevispakke" not in detail and "Prøv igen" not in detail


def test_the_manager_lists_every_version_and_may_generate(client, personas, case, made):
    client.force_login(personas.manager)
    response = client.get(_url("list", case))
    page = response.content.decode()
    for kind, label in Report.Kind.choices:
        if kind in Report.INCIDENT_KINDS:
            assert _url("create", case, kind=kind) in page
            assert str(label) in page
    assert _url("create", case, kind="statistics") not in page  # statistics reports are made on /statistik/
    for report in (made["police"], made["internal_notes"], made["internal_plain"], made["failed"]):
        assert _url("detail", case, report) in page
    assert made["police"].sha256 in page
    assert AuditEvent.objects.filter(action="view", summary="Rapporter vist", incident_reference=case.reference)


def test_generating_from_the_form_redirects_to_the_status_page_and_the_file_is_ready(
    client, personas, case, synchronous_worker, django_capture_on_commit_callbacks
):
    client.force_login(personas.manager)
    form_page = client.get(_url("create", case, kind="police")).content.decode()
    assert "Formålet med anmeldelsen" in form_page and "Navngiv gerningspersonen" in form_page
    first = case.publications.order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("create", case, kind="police"),
            {
                "publications": [first.pk],
                "purposes": ["prosecution"],
                "name_perpetrator": "",
            },
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == Report.Status.READY, report.error
    assert report.options["publication_ids"] == [first.pk]
    assert report.options["name_perpetrator"] is False
    page = client.get(response["Location"]).content.decode()
    assert "Rapporten er klar." in page and report.sha256 in page
    assert _url("download", case, report) in page
    download = client.get(_url("download", case, report))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"{case.reference}-politianmeldelse-v1.pdf" in download["Content-Disposition"]
    assert download["X-Content-SHA256"] == report.sha256
    assert download["Cache-Control"] == "private, no-store"
    assert (
        AuditEvent.objects.filter(
            action="download", object_type="reports.report", details__sha256=report.sha256
        ).count()
        == 1
    )


def test_the_form_keeps_what_was_typed_when_it_has_errors(client, personas, case):
    client.force_login(personas.manager)
    response = client.post(
        _url("create", case, kind="dsa_notice"),
        {
            "sender_name": "Mette <Leder>",
            "sender_email": "ikke-en-adresse",
            "platform": "facebook",
            f"explanation_{case.publications.order_by('id').first().pk}": "Min begrundelse",
            "publications": [case.publications.order_by("id").first().pk],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Skriv en gyldig e-mailadresse." in page
    assert "Mette &lt;Leder&gt;" in page and "Min begrundelse" in page
    assert not Report.objects.exists()


def test_an_unknown_kind_is_404(client, personas, case):
    client.force_login(personas.manager)
    assert client.get(_url("create", case, kind="statistics")).status_code == 404


def test_the_status_page_polls_with_an_external_script_and_the_json_says_the_status(client, personas, case):
    report = services.report_request(
        actor=personas.manager, incident=case, kind="police", options=options_for("police", case, personas.manager)
    )
    client.force_login(personas.manager)
    page = client.get(_url("detail", case, report)).content.decode()
    assert f'data-status-url="{_url("status", case, report)}"' in page
    assert 'data-report-status="pending"' in page
    assert '<script src="/static/js/report-status.js"></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert " on" + "click=" not in page and "style=" not in page
    data = client.get(_url("status", case, report)).json()
    assert data["status"] == "pending" and data["unfinished"] is True and data["download_url"] is None
    assert data["status_label"] == "Venter"
    services.report_render(report.pk)
    data = client.get(_url("status", case, report)).json()
    assert data["status"] == "ready" and data["unfinished"] is False
    assert data["download_url"] == _url("download", case, report)
    assert data["sha256"] == Report.objects.get(pk=report.pk).sha256


def test_a_failed_report_shows_the_reason_and_a_retry_button(
    client, personas, case, made, synchronous_worker, django_capture_on_commit_callbacks
):
    client.force_login(personas.manager)
    page = client.get(_url("detail", case, made["failed"])).content.decode()
    assert "Rapporten kunne ikke dannes: testårsag." in page
    assert f'action="{_url("retry", case, made["failed"])}"' in page and "Prøv igen" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("retry", case, made["failed"]))
    assert response.status_code == 302
    failed = Report.objects.get(pk=made["failed"].pk)
    # The stored choices had no sender, so the notice still cannot be made: failed again, with the reason.
    assert failed.status == Report.Status.FAILED and "afsenderens e-mailadresse" in failed.error
    assert failed.attempts == 1


def test_a_broker_outage_fails_the_report_with_a_retry_button(
    client, personas, case, monkeypatch, django_capture_on_commit_callbacks
):
    def down(pk):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.render_report, "delay", down)
    client.force_login(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("create", case, kind="internal_hr"), {})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.FAILED
    assert "Rapportkøen kunne ikke nås" in report.error


def test_the_dsa_notice_page_offers_the_text_to_copy(client, personas, case, generate):
    report = generate(case, "dsa_notice")
    client.force_login(personas.manager)
    page = client.get(_url("detail", case, report)).content.decode()
    assert 'id="dsa-text"' in page and 'data-copy-target="dsa-text"' in page
    assert "ANMELDELSE AF ULOVLIGT INDHOLD" in page
    text = client.get(_url("text", case, report))
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == report.plain_text


def test_bundles_are_made_from_the_page_and_downloaded(
    client, personas, case, made, synchronous_worker, django_capture_on_commit_callbacks
):
    client.force_login(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("bundle", case, made["police"]))
    assert response.status_code == 302
    newest = EvidenceBundle.objects.order_by("-id").first()
    assert newest.status == Report.Status.READY, newest.error
    page = client.get(_url("detail", case, made["police"])).content.decode()
    assert newest.manifest_sha256 in page and made["bundle"].manifest_sha256 in page
    download = client.get(_url("bundle", case, made["police"]))
    assert download["Content-Type"] == "application/zip"
    assert download["X-Content-SHA256"] == newest.sha256
    assert AuditEvent.objects.filter(action="download", object_type="reports.evidencebundle").count() == 1


def test_a_report_not_ready_cannot_be_downloaded_or_bundled(client, personas, case):
    report = services.report_request(actor=personas.manager, incident=case, kind="police", options={})
    client.force_login(personas.manager)
    assert client.get(_url("download", case, report)).status_code == 404
    response = client.post(_url("bundle", case, report), follow=True)
    assert "Rapporten er ikke klar endnu" in response.content.decode()
    assert not EvidenceBundle.objects.exists()


def test_pages_use_a_constant_number_of_queries(client, personas, case, generate):
    client.force_login(personas.manager)
    generate(case, "police")
    client.get(_url("list", case))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(_url("list", case))
    for _ in range(5):
        generate(case, "internal_hr")
    with CaptureQueriesContext(connection) as many:
        client.get(_url("list", case))
    assert len(many) == len(few)
    report = Report.objects.filter(kind="internal_hr").first()
    with CaptureQueriesContext(connection) as detail:
        client.get(_url("detail", case, report))
    assert len(detail) <= len(few) + 2


def test_a_report_stuck_for_long_may_be_tried_again(
    client, personas, case, synchronous_worker, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    report = services.report_request(actor=personas.manager, incident=case, kind="internal_hr", options={})
    client.force_login(personas.manager)
    assert "Prøv igen" not in client.get(_url("detail", case, report)).content.decode()
    Report.objects.filter(pk=report.pk).update(status="rendering", started_at=timezone.now() - timedelta(minutes=20))
    page = client.get(_url("detail", case, report)).content.decode()
    assert "ikke blevet færdig" in page and "Prøv igen" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("retry", case, report))
    assert Report.objects.get(pk=report.pk).status == Report.Status.READY


def test_a_union_rep_the_case_is_shared_with_never_sees_reports(client, personas, case, made):
    from django.template import Context, Template

    from incidents import models as incident_models
    from incidents import policy as incident_policy

    share_model = getattr(incident_models, "IncidentShare", None)
    if share_model is None:
        pytest.skip("incident sharing is not in this version")
    share_model.objects.create(incident=case, union_rep=personas.union_rep, shared_by=personas.caseworker)
    assert incident_policy.may_view(personas.union_rep, case)  # the rep may read the case itself ...
    client.force_login(personas.union_rep)
    for url in (
        _url("list", case),
        _url("detail", case, made["internal_plain"]),
        _url("download", case, made["internal_plain"]),
        _url("status", case, made["internal_plain"]),
    ):
        assert client.get(url).status_code == 404, url  # ... but never its reports
    api = client.get(f"/api/v1/incidents/{case.reference}/reports/")
    assert api.status_code == 404
    html = Template('{% include "reports/includes/incident_reports_card.html" %}').render(
        Context({"incident": case, "user": personas.union_rep})
    )
    assert "Rapporter" not in html and "Hent PDF" not in html
    employee_html = Template('{% include "reports/includes/incident_reports_card.html" %}').render(
        Context({"incident": case, "user": personas.caseworker})
    )
    assert _url("download", case, made["internal_plain"]) in employee_html
    assert _url("download", case, made["internal_notes"]) not in employee_html
