"""Bad input still gives a correct PDF, or a clear Danish reason: never a 500, never markup."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Publication
from reports import pdf, services, tasks
from reports.models import Report
from tests.reports.conftest import compact, pdf_text, png, register, upload

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert('x')</script><b>fed</b><img src=\"http://example.invalid/x.png\">"


@pytest.fixture
def empty_case(personas):
    """No publications, no evidence, nobody named, and an organisation without address or CVR."""
    personas.org.address = ""
    personas.org.cvr = ""
    personas.org.contact_name = ""
    personas.org.save()
    return register(personas, title="Kun en overskrift", targets=[])


@pytest.mark.parametrize("kind", ["police", "internal_hr"])
def test_an_empty_incident_still_gives_a_correct_pdf_saying_what_is_missing(empty_case, generate, kind):
    report = generate(empty_case, kind)
    assert report.status == Report.Status.READY, report.error
    text = pdf_text(report)
    assert empty_case.reference in text and "Side 1 af" in text
    if kind == "internal_hr":
        assert "Der er ikke registreret nogen offentliggørelser i sagen." in text
        assert "Der er ingen dokumentation på sagen." in text
    else:
        assert "ikke oplyst" in text  # address, CVR, employee
        assert compact("Der er ikke registreret nogen offentliggørelser i sagen.") in compact(text)
        assert "Der er ingen dokumentation på sagen." in text


def test_an_empty_incident_cannot_give_a_dsa_notice_and_says_why(empty_case, personas):
    report = services.report_request(
        actor=personas.manager,
        incident=empty_case,
        kind="dsa_notice",
        options={"publication_ids": [], "sender_name": "", "sender_email": ""},
    )
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and not report.file
    assert "DSA-anmeldelse er kun for ulovligt indhold" in report.error  # nothing illegal is registered
    assert "der har et link" in report.error
    assert "afsenderens e-mailadresse" in report.error


def test_an_empty_incident_gives_no_datatilsynet_complaint_and_says_why(empty_case, personas):
    report = services.report_request(actor=personas.manager, incident=empty_case, kind="datatilsynet", options={})
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and not report.file
    assert "kun for medarbejderens egne personoplysninger" in report.error


def test_the_form_says_what_is_missing_before_generating(client, personas, empty_case):
    client.force_login(personas.manager)
    page = client.get(reverse("reports:create", args=[empty_case.reference, "police"])).content.decode()
    assert "Organisationens adresse mangler" in page
    assert "CVR-nummer mangler" in page
    assert "ingen berørt medarbejder" in page
    assert "ikke registreret nogen offentliggørelser" in page
    response = client.post(
        reverse("reports:create", args=[empty_case.reference, "dsa_notice"]),
        {"sender_name": "Mette", "sender_email": "mette@example.invalid"},
    )
    assert response.status_code == 400
    assert "DSA-anmeldelse er kun for ulovligt indhold" in response.content.decode()
    assert not Report.objects.exists()


def test_a_10000_character_description_and_a_3000_character_word_fit_on_the_pages(personas, generate):
    long_word = "x" * 3000
    description = ("Borgeren skriver igen og igen om sagsbehandleren. " * 140)[: 7000 - 1] + "\n" + long_word
    description = description[:10_000]
    incident = register(
        personas,
        description=description,
        named=True,
        private_details=True,
        publications=[{"platform": "blog", "url": "https://blog.example.invalid/" + "a" * 1900}],
    )
    for kind in ("police", "internal_hr", "datatilsynet"):
        report = generate(incident, kind)
        assert report.status == Report.Status.READY, report.error
        text = compact(pdf_text(report))
        assert compact(description[:200]) in text
        assert text.count("x") >= 3000  # wrapped (across pages), not cut off
        # The link whole, in runs of "a" (the row may wrap onto the next page, under its header)
        assert sum(len(run) for run in re.findall("a{50,}", text)) == 1900


def test_200_publications_are_all_listed(personas, generate):
    publications = [
        {
            "platform": "facebook",
            "url": f"https://www.facebook.com/groups/x/posts/{n:06d}",
            "quote": f"Citat nummer {n}",
        }
        for n in range(200)
    ]
    incident = register(personas, named=True, offensive_language=True, publications=publications)
    report = generate(incident, "police")
    assert report.status == Report.Status.READY, report.error
    text = compact(pdf_text(report))
    for n in range(200):
        assert f"https://www.facebook.com/groups/x/posts/{n:06d}" in text
        assert compact(f"Citat nummer {n}") in text
    assert report.page_count > 5


def test_html_in_every_text_field_is_printed_as_text(personas, generate):
    org = personas.org
    org.name = f"Kommune {MARKUP}"
    org.address = f"Vej 1 {MARKUP}"
    org.contact_name = f"Kontakt {MARKUP}"
    org.save()
    personas.caseworker.first_name = f"Sara {MARKUP}"
    personas.caseworker.job_title = f"Rådgiver {MARKUP}"
    personas.caseworker.save()
    personas.manager.first_name = f"Mette {MARKUP}"
    personas.manager.save()
    now = timezone.now()
    incident = register(
        personas,
        title=f"Titel {MARKUP}",
        description=f"Beskrivelse {MARKUP}",
        named=True,
        insulting_description=True,
        private_details=True,
        third_party_confidential=True,  # every kind applies, the breach record too
        perpetrator_name=f"Person {MARKUP}",
        target_names=f"Anden {MARKUP}",
        perpetrator_profile_url="https://example.invalid/?q=<script>",
        publications=[
            {
                "platform": "website",
                "url": "https://example.invalid/<b>side</b>",
                "title": f"Side {MARKUP}",
                "quote": f"Citat {MARKUP}",
                "published_at": now - timedelta(days=1),
            }
        ],
    )
    publication = Publication.objects.get(incident=incident)
    upload(
        incident,
        personas.manager,
        f"fil{MARKUP}.png".replace("/", ""),
        png(),
        description=f"Beskr {MARKUP}",
        publication=publication,
    )
    for visibility in ("internal", "shared"):
        incident_services.note_add(
            actor=personas.manager, incident=incident, body=f"Note {MARKUP}", visibility=visibility
        )
    incident_services.incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=timezone.localdate(),
        note=f"Handling {MARKUP}",
        external_reference=f"Ref {MARKUP}",
    )
    incident_services.incident_update_report_facts(
        actor=personas.manager,
        incident=incident,
        values={
            "consent_dsa_notice": True,
            "publisher_contacted_at": now - timedelta(hours=1),
            "publisher_contact_method": f"Brev {MARKUP}",
            "publisher_answer": f"Svar {MARKUP}",
            "witnesses": f"Vidne {MARKUP}",
            "employee_police_contact": f"Tlf {MARKUP}",
        },
    )
    extra = {
        "employee_address": f"Adresse {MARKUP}",
        "explanations": {str(publication.pk): f"Uddybning {MARKUP}"},
        "sender_name": f"Afsender {MARKUP}",
        "include_internal_notes": True,
        "platform": "website",
        "breach": {"what": f"Hvad {MARKUP}", "consequences": f"Følger {MARKUP}"},
    }
    for kind in Report.INCIDENT_KINDS:
        report = generate(incident, kind, **extra)
        assert report.status == Report.Status.READY, report.error
        text = compact(pdf_text(report))
        assert compact("<script>alert('x')</script><b>fed</b>") in text, kind  # shown as typed
        context = __import__("reports.content", fromlist=["x"]).report_context(report)
        html = pdf.render_html(services.TEMPLATES[kind], context)
        assert "<script>alert" not in html and "<b>fed</b>" not in html, kind
        assert 'src="http://example.invalid/x.png"' not in html, kind
        if report.plain_text:
            assert "<script>alert('x')</script>" in report.plain_text  # plain text keeps it as text


def test_an_unexpected_error_fails_the_report_with_a_danish_reason(case, personas, monkeypatch):
    report = services.report_request(actor=personas.manager, incident=case, kind="police", options={})

    def broken(html):
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "uventet fejl" in report.error and str(report.pk) in report.error
    assert "pango" not in report.error  # no internals shown


def test_transient_errors_are_retried_then_failed_with_a_reason(case, personas, monkeypatch):
    report = services.report_request(actor=personas.manager, incident=case, kind="police", options={})

    def unavailable(report_id, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(services, "report_render", unavailable)
    retried = []

    def retry(*, exc, countdown):
        retried.append((type(exc), countdown))
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(tasks.render_report, "retry", retry)
    with pytest.raises(RuntimeError, match="retry scheduled"):
        tasks.render_report.apply(args=[report.pk], throw=True)
    assert retried == [(OperationalError, 5)]
    report.refresh_from_db()
    assert report.status == Report.Status.PENDING
    # The last try marks the report failed with a reason and a retry button.
    tasks.render_report.apply(args=[report.pk], retries=tasks.MAX_RETRIES, throw=True)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "Prøv igen" in report.error


def test_a_vanished_report_is_skipped(case, personas):
    report = services.report_request(actor=personas.manager, incident=case, kind="police", options={})
    Report.objects.filter(pk=report.pk).delete()
    assert services.report_render(report.pk) is None
    tasks.render_report.apply(args=[report.pk])  # no error


def test_a_broken_options_blob_falls_back_to_defaults(case, personas):
    report = services.report_request(
        actor=personas.manager,
        incident=case,
        kind="police",
        options={"publication_ids": "all", "purposes": 3, "employee_id": "x", "name_perpetrator": "yes"},
    )
    services.report_render(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
