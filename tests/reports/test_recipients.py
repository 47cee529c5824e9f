"""The pages around reports for outside recipients (issue 14): the facts reports need, redactions,
marking a report as sent (it ticks the checklist), the Datatilsynet package of loose files, and the
bounded, policy-checked list of earlier incidents with the same perpetrator (issues 24 and 26)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents.models import IncidentDeadline, Redaction, TimelineEntry
from reports import checks, content
from reports.models import Report
from tests.reports.conftest import PERPETRATOR, pdf_text, register

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"reports:{name}", args=list(args))


def test_the_manager_records_consents_and_the_publishers_answer_and_it_is_audited(client, personas, case):
    client.force_login(personas.manager)
    page = client.get(_url("facts", case.reference)).content.decode()
    assert "medarbejderen har givet samtykke til politianmeldelsen" in page.lower()
    response = client.post(
        _url("facts", case.reference),
        {
            "consent_police_report": "on",
            "consent_dsa_notice": "on",
            "publisher_contacted_at": "2026-11-30T10:15",
            "publisher_contact_method": "E-mail til borgeren",
            "publisher_answer": "Intet svar",
            "witnesses": "Kim",
            "employee_police_contact": "+45 12 34 56 78",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.publisher_contact_method, case.publisher_answer, case.witnesses) == (
        "E-mail til borgeren",
        "Intet svar",
        "Kim",
    )
    assert timezone.localtime(case.publisher_contacted_at).strftime("%Y-%m-%d %H:%M") == "2026-11-30 10:15"
    assert not case.compensation_wanted  # unticked boxes are recorded as not given
    event = AuditEvent.objects.filter(
        incident_reference=case.reference, summary="Oplysninger til rapporter ændret"
    ).latest("id")
    assert "publisher_contacted_at" in event.details["fields"] and "Intet svar" not in str(event.details)


def test_bad_facts_are_refused_in_danish_and_nothing_typed_is_lost(client, personas, case):
    client.force_login(personas.manager)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("facts", case.reference),
        {"publisher_contacted_at": future, "publisher_answer": "Svaret jeg skrev", "witnesses": "Mit vidne"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "kan ikke ligge i fremtiden" in page and "Svaret jeg skrev" in page and "Mit vidne" in page
    response = client.post(_url("facts", case.reference), {"publisher_answer": "Svar uden dato"})
    assert response.status_code == 400 and "Skriv, hvornår udgiveren blev bedt" in response.content.decode()
    case.refresh_from_db()
    assert case.publisher_answer == ""


def test_a_redaction_changes_external_documents_not_the_stored_quote_and_is_audited(client, personas, case, generate):
    client.force_login(personas.manager)
    facebook = case.publications.order_by("id").first()
    span = "Jeg ved hvor hun bor på Østergade!"
    response = client.post(_url("redactions", case.reference), {"target": f"quote:{facebook.pk}", "text": span})
    assert response.status_code == 302
    redaction = Redaction.objects.get(incident=case)
    facebook.refresh_from_db()
    assert span in facebook.quote  # the original is unchanged
    created = AuditEvent.objects.filter(object_type="incidents.redaction", action="create").latest("id")
    assert created.incident_reference == case.reference and span not in str(created.details)
    for kind in ("police", "datatilsynet"):
        text = pdf_text(generate(case, kind))
        assert "Østergade" not in text and "[udeladt]" in text, kind
    internal = pdf_text(generate(case, "internal_hr", include_internal_notes=True))
    assert "Østergade" in internal  # HR sees the case as it is
    # A span that is not in the text is refused with a reason.
    response = client.post(_url("redactions", case.reference), {"target": f"quote:{facebook.pk}", "text": "Nørregade"})
    assert response.status_code == 400 and "står ikke ordret" in response.content.decode()
    # Removing it is audited too.
    assert client.post(_url("redaction_delete", case.reference, redaction.pk)).status_code == 302
    assert not Redaction.objects.filter(pk=redaction.pk).exists()
    assert AuditEvent.objects.filter(object_type="incidents.redaction", action="delete").exists()


@pytest.mark.parametrize(("kind", "action"), [("police", "police_report"), ("dsa_notice", "platform_takedown")])
def test_marking_a_report_as_sent_ticks_the_checklist(client, personas, case, generate, kind, action):
    report = generate(case, kind)
    client.force_login(personas.manager)
    sent_on = timezone.localdate() - timedelta(days=1)
    response = client.post(
        _url("mark_sent", case.reference, report.pk),
        {"sent_on": sent_on.isoformat(), "external_reference": "4100-80253-00123-26"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.sent_at and report.sent_by == personas.manager and report.sent_reference == "4100-80253-00123-26"
    entry = TimelineEntry.objects.filter(incident=case, kind="action", action_code=action).latest("id")
    assert (entry.occurred_on, entry.external_reference) == (sent_on, "4100-80253-00123-26")
    if action == "platform_takedown":
        # The case already had a takedown; the 7-day check counts from the first one.
        assert IncidentDeadline.objects.filter(incident=case, code="takedown_follow_up_7_days").exists()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Markeret som sendt" in page


def test_a_first_dsa_notice_marked_sent_starts_the_7_day_check(client, personas, generate):
    incident = register(
        personas,
        named=True,
        private_details=True,
        incitement=True,
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/p/9"}],
    )
    from incidents import services as incident_services

    incident_services.incident_update_report_facts(
        actor=personas.manager, incident=incident, values={"consent_dsa_notice": True}
    )
    report = generate(incident, "dsa_notice")
    assert not IncidentDeadline.objects.filter(incident=incident, code="takedown_follow_up_7_days").exists()
    client.force_login(personas.manager)
    client.post(_url("mark_sent", incident.reference, report.pk), {"sent_on": timezone.localdate().isoformat()})
    due = IncidentDeadline.objects.get(incident=incident, code="takedown_follow_up_7_days").due
    assert timezone.localdate(due) == timezone.localdate() + timedelta(days=7)


def test_a_future_sent_date_is_refused(client, personas, case, generate):
    report = generate(case, "police")
    client.force_login(personas.manager)
    response = client.post(
        _url("mark_sent", case.reference, report.pk),
        {"sent_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400 and "fremtiden" in response.content.decode()
    report.refresh_from_db()
    assert report.sent_at is None


def test_the_datatilsynet_package_lists_loose_files_and_no_zip(client, personas, case, generate):
    report = generate(case, "datatilsynet")
    client.force_login(personas.manager)
    page = client.get(_url("package", case.reference, report.pk)).content.decode()
    assert "sender som regel klagen" in page and "ZIP" in page
    files = list(case.evidence.filter(pk__in=report.evidence_ids))
    assert {f.kind for f in files} <= {"image", "pdf", "text"} and files
    for item in files:
        response = client.get(_url("package_file", case.reference, report.pk, item.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:4] != b"PK\x03\x04"
        assert response["X-Content-SHA256"] == item.sha256
    audio = case.evidence.get(original_name="lydklip.mp3")
    assert client.get(_url("package_file", case.reference, report.pk, audio.pk)).status_code == 404
    # The report page offers the package and no ZIP bundle for Datatilsynet.
    detail = client.get(report.get_absolute_url()).content.decode()
    assert _url("package", case.reference, report.pk) in detail and "Hent ZIP" not in detail
    create = client.get(_url("create", case.reference, "datatilsynet")).content.decode()
    assert "sender som regel klagen til den, der klages over" in create


# --- Earlier incidents with the same perpetrator (issues 24 and 26) -------------------------------


def test_earlier_incidents_are_the_latest_five_by_reference_with_the_total(personas, case):
    now = timezone.now()
    for days in range(1, 8):
        register(
            personas,
            title=f"Tidligere {days}",
            perpetrator_name=f"  {PERPETRATOR.lower()} ",
            discovered_at=now - timedelta(days=100 + days),
        )
    # One in Jobcenter (the other manager's only unit), and one by someone else.
    jobcenter = register(personas, title="I Jobcenter", perpetrator_name=PERPETRATOR, unit=personas.jobcenter)
    register(personas, title="Anden person", perpetrator_name="Anders And")
    latest, total = content.earlier_incidents(case, personas.manager)
    assert total == 9  # seven, the fixture's and Jobcenter's (all under Socialforvaltning); not the other person
    assert len(latest) == content.EARLIER_INCIDENTS_SHOWN == 5
    assert [i.discovered_at for i in latest] == sorted((i.discovered_at for i in latest), reverse=True)
    # Through the access policy: a manager of Jobcenter only gets the one incident there.
    other_latest, other_total = content.earlier_incidents(case, personas.other_manager)
    assert (other_total, [i.pk for i in other_latest]) == (1, [jobcenter.pk])
    # Nobody who manages nothing gets anything.
    assert content.earlier_incidents(case, personas.caseworker) == ([], 0)


def test_the_police_report_shows_the_bounded_list_and_the_employee_never_gets_it(personas, case, generate):
    now = timezone.now()
    made = [
        register(
            personas, title=f"Tidligere {n}", perpetrator_name=PERPETRATOR, discovered_at=now - timedelta(days=200 + n)
        )
        for n in range(6)
    ]
    text = pdf_text(generate(case, "police"))
    assert "7 andre sager med samme navn eller profil" in text and "De 5 seneste" in text
    assert made[0].reference in text and made[5].reference not in text  # the oldest is left out
    plain = generate(case, "internal_hr", include_internal_notes=False)
    assert plain.employee_may_download
    plain_text = pdf_text(plain)
    assert not any(i.reference in plain_text for i in made)
    amo = pdf_text(generate(case, "internal_amo"))
    assert not any(i.reference in amo for i in made)


def test_the_perpetrator_match_uses_the_indexes(personas, case):
    """The planner may use each index for its match (the queries carry the indexes' own
    "not empty" condition; without it PostgreSQL read the whole table)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    case.perpetrator_profile_url = "https://www.facebook.com/ole.opslagsen"
    case.save(update_fields=["perpetrator_profile_url"])
    with CaptureQueriesContext(connection) as captured:
        content.earlier_incidents(case, personas.manager)
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            if "incidents_incident" in query["sql"] and "perpetrator" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) == 5  # count and latest for the name and for the link, the overlap counted once
    assert all("incident_perp_name_latest_idx" in plan or "incident_perp_url_latest_idx" in plan for plan in plans)


def test_report_kinds_without_a_reason_are_refused_with_it(personas, case):
    # The case has no third-party data: no breach record.
    assert checks.unavailable_reasons(Report.Kind.BREACH_RECORD, case)
