"""The statistics PDF report (DOMAIN.md section 6, kind `statistics`) through the reports
machinery: "Dan PDF-rapport" on the statistics page asks for a report with the page's
filters, the worker counts the statistics for the user who asked and renders the PDF, and
the report's page shows its status, SHA-256, pages and the download. Only the user who
asked sees it; everybody else gets 404.

The worker's work is `reports.services.report_render`, called directly as the Celery task
does (a real worker renders one in test_report_worker.py).
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Membership, Role
from audit.models import AuditEvent
from notifications.models import Notification
from reports import services
from reports.models import Report
from stats.forms import default_period
from stats.queries import add_months
from tests.conftest import PERSONA_NAMES
from tests.factories import member

from .conftest import bulk_incidents
from .readers import check_rules, from_json, from_pdf, pdf_text

pytestmark = pytest.mark.django_db

THIS_MONTH = default_period()[1]
LAST_MONTH = add_months(THIS_MONTH, -1)  # the last month a union rep sees
PARAMS = {"from": add_months(LAST_MONTH, -1).strftime("%Y-%m"), "to": LAST_MONTH.strftime("%Y-%m")}


@pytest.fixture
def data(personas):
    """Jobcenter big enough to stand alone; Børn og Familie with Team Nord (3 critical) folded into it."""
    for unit, n in ((personas.jobcenter, 5), (personas.family, 2), (personas.team, 2)):
        for _ in range(n):
            member(unit, Role.CASEWORKER)
    for _ in range(5):  # Socialforvaltning stands on its own, so no sub-unit has to be folded into it
        member(personas.root, Role.CASEWORKER)
    return bulk_incidents(
        [
            {
                "unit": personas.jobcenter,
                "registered": LAST_MONTH,
                "level": 2,
                "platforms": ["facebook"],
                "actions": [("police_report", 1)],
            }
            for _ in range(12)
        ]
        + [
            {"unit": personas.team, "registered": LAST_MONTH, "level": 4, "platforms": ["youtube"], "status": "closed"}
            for _ in range(3)
        ]
        + [{"unit": personas.family, "registered": add_months(LAST_MONTH, -1), "level": 3} for _ in range(6)]
    )


def _request(client, params=PARAMS) -> Report:
    response = client.post(reverse("stats:report_request"), params)
    assert response.status_code == 302, response.content[:300]
    report = Report.objects.get(kind=Report.Kind.STATISTICS, pk=int(response["Location"].split("/")[-2]))
    assert response["Location"] == reverse("stats:report_detail", args=[report.pk])
    return report


def _download(client, report) -> bytes:
    response = client.get(reverse("stats:report_download", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


# --- Request → render → read back ---------------------------------------------------------------


def test_union_rep_asks_for_a_report_and_gets_the_pdf_under_disclosure_control(client, personas, data):
    rep = personas.union_rep
    client.force_login(rep)
    report = _request(client, {**PARAMS, "unit": ""})
    assert (report.status, report.incident_id, report.organisation_id, report.requested_by_id, report.version) == (
        "pending",
        None,
        personas.org.pk,
        rep.pk,
        1,
    )
    assert report.options == {"from": PARAMS["from"], "to": PARAMS["to"], "unit": None, "unit_label": ""}
    pending = client.get(reverse("stats:report_detail", args=[report.pk])).content.decode()
    assert "Rapporten venter på at blive dannet." in pending and "Hent PDF" not in pending
    assert client.get(reverse("stats:report_download", args=[report.pk])).status_code == 404

    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    content = _download(client, report)
    assert hashlib.sha256(content).hexdigest() == report.sha256 and len(content) == report.size
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == report.page_count
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4
    text = pdf_text(content)
    assert "Statistik over udhængning" in text and "Testkommune" in text
    assert "afrundet" in text and "anonymiserede" in text.lower()
    assert "Hændelser pr. enhed" in text and "Team Nord" in text  # folded, and said so
    assert f"Rapport STAT-{report.pk}" in text and f"Side 1 af {report.page_count}" in text
    assert "Dannet " in text  # Danish date of generation in the footer
    for incident in data:
        assert incident.reference not in text
    # The same numbers as the rep's JSON download, under the same rules.
    result = client.get(reverse("stats:export_json"), PARAMS).json()
    assert from_pdf(content, result) == from_json(result)
    check_rules(from_pdf(content, result), 5)

    page = client.get(reverse("stats:report_detail", args=[report.pk])).content.decode()
    assert report.sha256 in page and "Hent PDF" in page and reverse("stats:report_download", args=[report.pk]) in page
    assert f'<dd class="col-sm-9">{report.page_count}</dd>' in page


def test_manager_report_has_exact_figures(client, personas, data):
    client.force_login(personas.manager)
    report = _request(client)
    services.report_render(report.pk)
    text = pdf_text(_download(client, report))
    assert "Præcise tal" in text and "< 5" not in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Team Nord 3" in lines  # its own row, exact


def test_filters_are_kept_and_the_figures_are_counted_when_the_worker_renders(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client, {**PARAMS, "unit": personas.jobcenter.pk})
    assert report.options["unit"] == personas.jobcenter.pk and report.options["unit_label"] == "Jobcenter"
    bulk_incidents([{"unit": personas.jobcenter, "registered": LAST_MONTH} for _ in range(8)])  # after the request
    services.report_render(report.pk)
    report.refresh_from_db()
    text = pdf_text(_download(client, report))
    assert "Jobcenter, " in text and "Børn og Familie" not in text
    figures = client.get("/api/v1/statistics/", {**PARAMS, "unit": personas.jobcenter.pk}).json()
    assert figures["incidents"]["display"] == "20"
    assert from_pdf(_download(client, report), figures) == from_json(figures)
    assert report.download_name == f"statistik-{PARAMS['from']}-{PARAMS['to']}-v1.pdf"
    response = client.get(reverse("stats:report_download", args=[report.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{report.download_name}"'
    assert response["X-Content-SHA256"] == report.sha256 and response["Cache-Control"] == "private, no-store"


def test_versions_count_per_user(client, personas, data):
    client.force_login(personas.union_rep)
    assert [_request(client).version for _ in range(2)] == [1, 2]
    client.force_login(personas.manager)
    assert _request(client).version == 1


def test_status_json_follows_the_report(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client)
    url = reverse("stats:report_status", args=[report.pk])
    pending = client.get(url).json()
    assert pending["status"] == "pending" and pending["unfinished"] is True and pending["download_url"] is None
    services.report_render(report.pk)
    report.refresh_from_db()
    ready = client.get(url)
    assert ready["Cache-Control"] == "private, no-store"
    assert ready.json() == {
        "id": report.pk,
        "kind": "statistics",
        "version": 1,
        "status": "ready",
        "status_label": "Klar",
        "unfinished": False,
        "error": "",
        "attempts": 1,
        "retried_at": None,
        "sha256": report.sha256,
        "pages": report.page_count,
        "size": report.size,
        "download_url": reverse("stats:report_download", args=[report.pk]),
        "bundles": [],
    }


def test_the_requester_is_notified_with_a_link_to_the_report(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client)
    services.report_render(report.pk)
    notification = Notification.objects.get(recipient=personas.union_rep, kind="report_ready", channel="in_app")
    assert notification.target_url == reverse("stats:report_detail", args=[report.pk])
    assert notification.incident_id is None and notification.organisation_id == personas.org.pk
    assert "Statistikrapport" in notification.body


# --- Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [p for p in PERSONA_NAMES if p != "union_rep"])
def test_nobody_but_the_requester_sees_the_report(client, personas, data, persona):
    client.force_login(personas.union_rep)
    report = _request(client)
    services.report_render(report.pk)
    client.force_login(getattr(personas, persona))
    for name in ("stats:report_detail", "stats:report_status", "stats:report_download"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404, (name, persona)
    assert client.post(reverse("stats:report_retry", args=[report.pk])).status_code == 404


def test_another_union_rep_of_the_same_units_gets_404(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client)
    services.report_render(report.pk)
    other = member(personas.root, Role.UNION_REP, username="other_rep")
    client.force_login(other)
    assert client.get(reverse("stats:report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("stats:report_download", args=[report.pk])).status_code == 404
    assert f'href="{report.get_absolute_url()}"' not in client.get(reverse("dashboard:union_rep")).content.decode()


def test_a_user_who_lost_statistics_no_longer_sees_their_report(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client)
    services.report_render(report.pk)
    Membership.objects.filter(user=personas.union_rep, role=Role.UNION_REP).delete()
    assert client.get(reverse("stats:report_download", args=[report.pk])).status_code == 404


def test_statistics_reports_are_not_incident_reports(client, personas, data):
    from tests.reports.conftest import register

    incident = register(personas)
    client.force_login(personas.manager)
    assert client.get(reverse("reports:create", args=[incident.reference, "statistics"])).status_code == 404
    page = client.get(reverse("reports:list", args=[incident.reference])).content.decode()
    assert "Statistikrapport" not in page
    api = client.post(
        f"/api/v1/incidents/{incident.reference}/reports/", {"kind": "statistics"}, content_type="application/json"
    )
    assert api.status_code == 400 and "statistics" not in api.json()["kind"][0]
    with pytest.raises(ValueError):
        services.report_request(actor=personas.manager, incident=incident, kind="statistics", options={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(incident=incident, kind="statistics", version=1, requested_by=personas.manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(kind="police", version=1, organisation=personas.org, requested_by=personas.manager)


# --- The page ---------------------------------------------------------------------------------


def test_dashboard_offers_the_report_with_the_current_filters_and_lists_own_reports(client, personas, data):
    client.force_login(personas.manager)
    managers = _request(client)
    client.force_login(personas.union_rep)
    page = client.get(reverse("dashboard:union_rep"), {**PARAMS, "unit": personas.family.pk}).content.decode()
    assert "Hent som PDF" not in page
    form = page[page.index(f'action="{reverse("stats:report_request")}"') :]
    form = form[: form.index("</form>")]
    assert 'method="post"' in page and "csrfmiddlewaretoken" in form and "Dan PDF-rapport" in form
    for name, value in (("from", PARAMS["from"]), ("to", PARAMS["to"]), ("unit", personas.family.pk)):
        assert f'name="{name}" value="{value}"' in form
    assert "Dine statistikrapporter" not in page
    mine = _request(client, {**PARAMS, "unit": personas.family.pk})
    page = client.get(reverse("dashboard:union_rep")).content.decode()
    assert "Dine statistikrapporter" in page and f'href="{mine.get_absolute_url()}"' in page
    assert "Børn og Familie" in page and "Venter" in page
    assert f'href="{managers.get_absolute_url()}"' not in page


def test_bad_filters_are_explained_and_kept_and_nothing_is_asked_for(client, personas, data):
    client.force_login(personas.union_rep)
    response = client.post(reverse("stats:report_request"), {"from": "2026-05", "to": "2026-02"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Til-måneden skal være samme måned som fra-måneden eller senere." in body
    assert 'value="2026-05"' in body and 'value="2026-02"' in body
    folded = client.post(reverse("stats:report_request"), {**PARAMS, "unit": personas.team.pk})
    assert folded.status_code == 400 and "Vælg en af enhederne på listen." in folded.content.decode()
    assert not Report.objects.filter(kind="statistics").exists()


def test_request_needs_post_and_statistics(client, personas):
    client.force_login(personas.union_rep)
    assert client.get(reverse("stats:report_request")).status_code == 405
    client.force_login(personas.caseworker)
    assert client.post(reverse("stats:report_request"), PARAMS).status_code == 404
    assert not Report.objects.exists()


def test_request_view_and_download_are_audited(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client, {**PARAMS, "unit": personas.jobcenter.pk})
    client.get(reverse("stats:report_detail", args=[report.pk]))
    services.report_render(report.pk)
    _download(client, report)
    events = list(AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk)).order_by("id"))
    assert [(e.action, e.summary, e.actor_id) for e in events] == [
        ("create", "Statistikrapport bestilt", personas.union_rep.pk),
        ("view", "Statistikrapport vist", personas.union_rep.pk),
        ("create", "Rapport dannet", None),
        ("download", "Statistikrapport hentet", personas.union_rep.pk),
    ]
    assert all(e.incident_reference == "" and e.organisation_id == personas.org.pk for e in events)
    assert events[0].details == {
        "kind": "statistics",
        "version": 1,
        "from": PARAMS["from"],
        "to": PARAMS["to"],
        "unit": personas.jobcenter.pk,
    }
    assert events[3].details["sha256"] == events[2].details["sha256"] == Report.objects.get(pk=report.pk).sha256


def test_report_page_and_dashboard_queries_are_bounded(client, personas, data, django_assert_max_num_queries):
    client.force_login(personas.union_rep)
    dashboard = reverse("dashboard:union_rep")
    client.get(dashboard)
    with CaptureQueriesContext(connection) as without_reports:
        client.get(dashboard)
    queries_without_reports = len(without_reports.captured_queries)  # read now: each request resets the log
    report = _request(client)
    services.report_render(report.pk)
    for _ in range(5):
        _request(client)
    url = reverse("stats:report_detail", args=[report.pk])
    client.get(url)
    with django_assert_max_num_queries(15):  # session, user, roles, the report, its audit event, the badge
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(queries_without_reports):  # the list is one query, however many reports
        assert "Dine statistikrapporter" in client.get(dashboard).content.decode()


# --- Failures ---------------------------------------------------------------------------------


def test_a_report_that_cannot_be_made_fails_with_a_danish_reason_and_can_be_tried_again(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client, {**PARAMS, "unit": personas.jobcenter.pk})
    # Before the worker gets to it, Jobcenter shrinks below k employees and is folded: no longer a choice.
    Membership.objects.filter(unit=personas.jobcenter, role=Role.CASEWORKER).delete()
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and not report.file
    assert (
        report.error == "Rapporten kunne ikke dannes: filtrene gælder ikke længere: Enhed: Vælg en af "
        "enhederne på listen."
    )
    page = client.get(reverse("stats:report_detail", args=[report.pk])).content.decode()
    assert "filtrene gælder ikke længere" in page and "Prøv igen" in page
    failed = Notification.objects.get(recipient=personas.union_rep, kind="report_failed", channel="in_app")
    assert failed.target_url == report.get_absolute_url()

    for _ in range(5):
        member(personas.jobcenter, Role.CASEWORKER)
    response = client.post(reverse("stats:report_retry", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == Report.Status.PENDING and report.error == ""
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts == 2


def test_a_requester_without_statistics_any_more_gets_a_failed_report(client, personas, data):
    client.force_login(personas.union_rep)
    report = _request(client)
    Membership.objects.filter(user=personas.union_rep).delete()
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "Rapporten kunne ikke dannes: du har ikke længere adgang til statistik."
