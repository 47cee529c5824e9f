"""Every report kind, read back from the PDF with pypdf: what must be there is, what must not is not."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess

import pytest
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from audit.models import AuditEvent
from incidents.assessment import DEADLINE_TITLES, LEGAL_REFERENCE_TITLES
from incidents.models import Evidence, Publication
from reports import pdf, services
from reports.models import Report
from tests.reports.conftest import (
    INTERNAL_NOTE,
    JUSTIFICATION,
    PERPETRATOR,
    PERPETRATOR_URL,
    QUOTES,
    SHARED_NOTE,
    URLS,
    compact,
    pdf_bytes,
    pdf_text,
    register,
)

pytestmark = pytest.mark.django_db

# The kinds the case calls for (it has no third-party data, so no breach record: see test_scenarios.py).
CASE_KINDS = [kind for kind in Report.INCIDENT_KINDS if kind != "breach_record"]


def _evidence(case, *names):
    return {e.original_name: e for e in Evidence.objects.filter(incident=case) if not names or e.original_name in names}


def _danish_date(value) -> str:
    with translation.override("da"):
        return formats.date_format(timezone.localtime(value), "j. F Y")


def assert_all_in(text: str, expected) -> None:
    squeezed = compact(text)
    missing = [item for item in expected if compact(item) not in squeezed]
    assert not missing, f"missing from the PDF: {missing}"


def assert_none_in(text: str, unexpected) -> None:
    squeezed = compact(text)
    present = [item for item in unexpected if compact(item) in squeezed]
    assert not present, f"must not be in the PDF: {present}"


# --- Every PDF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_every_kind_is_stored_with_hash_size_pages_and_an_a4_footer(case, generate, kind):
    report = generate(case, kind)
    assert report.status == Report.Status.READY, report.error
    content = pdf_bytes(report)
    assert content.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.size == len(content)
    reader = PdfReader(io.BytesIO(content))
    assert report.page_count == len(reader.pages) >= 1
    total = len(reader.pages)
    generated = _danish_date(report.finished_at)
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        text = page.extract_text()
        assert case.reference in text, f"reference missing on page {number}"
        assert f"Side {number} af {total}" in text
        assert f"Dannet {generated}" in text  # the generation time in the footer, Danish date
    assert report.finished_at and report.started_at and report.requested_by_id
    assert report.error == ""


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_fonts_are_embedded_and_danish_letters_survive(case, generate, kind):
    report = generate(case, kind)
    reader = PdfReader(io.BytesIO(pdf_bytes(report)))
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVu" in name for name in fonts)
    text = pdf_text(report)
    assert "ø" in text and "å" in text and "æ" in text
    assert "Testkommune" in text
    assert ("Sagsbehandler" in text) == (kind != "internal_amo")  # AMO gets no name without consent


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_every_kind_is_an_archival_pdf_a_3b_with_tags(case, generate, kind):
    reader = PdfReader(io.BytesIO(pdf_bytes(generate(case, kind))))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B")  # PDF/A-3b identification in the XMP
    assert case.reference in xmp.dc_title["x-default"]
    root = reader.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"  # the PDF/A output intent with its ICC profile
    assert "/DestOutputProfile" in intent
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "da"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs pdffonts (poppler-utils)")
def test_pdffonts_says_every_font_is_embedded(case, generate, tmp_path):
    path = tmp_path / "politianmeldelse.pdf"
    path.write_bytes(pdf_bytes(generate(case, "police")))
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    fonts = lines[2:]  # after the header and the rule
    assert fonts
    for line in fonts:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
        assert "DejaVu" in name


# --- Police -------------------------------------------------------------------------------------

HEALTH_AND_INTERNAL = (
    "Sygefravær",
    "sygefravær",
    "EASY",
    "arbejdsulykke",
    "Opfølgende samtale",
    "Psykisk belastning",
    "ud af 5",
    "Domstolene har ikke anset",
    "svageste",
    "begrænset effekt",
    "Intern vejledning",
)


def test_police_report_holds_every_fact_the_police_need(case, generate, personas):
    report = generate(case, "police")
    text = pdf_text(report)
    evidence = _evidence(case)
    first = case.publications.order_by("published_at", "id")[0]
    assert_all_in(
        text,
        [
            "Politianmeldelse",
            "Til Østjyllands Politi",
            case.reference,
            "Sendes sikkert til Østjyllands Politi",
            "Digital Post",
            # employer
            "Testkommune",
            personas.org.cvr,
            "Torvet 1",
            "8000 Aarhus C",
            "Lone Leder",
            "kontakt@testkommune.invalid",
            # employee, with the contact for the police and the consent
            "Sara Sagsbehandler",
            "Socialrådgiver",
            "Børn og Familie",
            "Offentligt ansat, der udøver myndighed",
            "+45 12 34 56 78",
            "oplyst med medarbejderens samtykke",
            "Medarbejderen har givet samtykke til, at arbejdsgiveren indgiver anmeldelsen.",
            # perpetrator
            PERPETRATOR,
            PERPETRATOR_URL,
            "Borger i egen sag",
            # what happened, when (the first publication), witnesses
            case.title,
            "Han nævner hendes bopæl og børn.",
            "Gerningstidspunkt",
            formats.date_format(timezone.localtime(first.published_at), "j. F Y \\k\\l. H.i"),
            "Vidner",
            "Kollega Kim Kollegasen så opslaget samme aften",
            # publications with platform, URL, dates and reach, and the verbatim quotes
            "Facebook",
            "YouTube",
            *URLS,
            "Offentligt tilgængeligt",
            "ca. 4200 personer",
            *QUOTES,
            # provisions: summaries, each marked how the police can act
            *[LEGAL_REFERENCE_TITLES[code] for code in ("strfl_119", "strfl_266", "strfl_267_268", "strfl_264d")],
            "offentlig påtale",
            "kræver begæring",
            # evidence: file, kind, who captured it, hash (the removed file is not listed)
            "skærmbillede-facebook.png",
            "Billede",
            "opslag-gemt.pdf",
            "lydklip.mp3",
            "Lyd",
            "udskrift.txt",
            "Sikret af",
            "Mette Leder",
            "indtastet",
            "systemets tid ved upload",
            *[e.sha256 for name, e in evidence.items() if name != "forkert-sag.png"],
            # purpose, compensation in the criminal case, bistandsadvokat, the two deadlines
            "Formålet med anmeldelsen",
            "Strafforfølgning af gerningspersonen",
            "herunder offererstatning",
            "rejser krav om erstatning under straffesagen",
            "retsplejeloven § 991",
            "bistandsadvokat",
            "retsplejeloven § 741 a",
            DEADLINE_TITLES["police_report_72h"],
            # consent and the employee's request for prosecution with signature lines
            "Medarbejderens samtykke",
            "Jeg, Sara Sagsbehandler, er indforstået med",
            "Begæring om påtale 1: Medarbejderen",
            "Jeg, Sara Sagsbehandler, begærer hermed påtale",
            "straffeloven § 275, stk. 2",
            "straffeloven § 96, stk. 1",
            "Dato og sted",
            "For arbejdsgiveren",
        ],
    )
    assert_none_in(
        text,
        [
            evidence["forkert-sag.png"].sha256,
            INTERNAL_NOTE,
            JUSTIFICATION,
            SHARED_NOTE,
            *HEALTH_AND_INTERNAL,
            LEGAL_REFERENCE_TITLES["gdpr"],
            "Databeskyttelsesforordningen",
            DEADLINE_TITLES["follow_up_14_days"],
            DEADLINE_TITLES["takedown_follow_up_7_days"],
        ],
    )
    # The earlier incident by the same person, by reference only.
    earlier = case.__class__.objects.get(title="Tidligere opslag")
    assert earlier.reference in text
    assert "Tidligere opslag" not in text


def test_police_report_without_request_only_provisions_has_consent_but_no_prosecution_request(personas, generate):
    incident = register(
        personas,
        threat=True,
        named=True,
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/p/1"}],
    )
    text = pdf_text(generate(incident, "police"))
    assert "Medarbejderens samtykke" in text
    assert "Medarbejderens underskrift" in text
    assert "Begæring om påtale" not in text and "begærer hermed påtale" not in text
    assert_all_in(
        text,
        [
            "Forhold med offentlig påtale kan politiet forfølge på denne anmeldelse",
            "Medarbejderens samtykke til anmeldelsen gives ved underskrift",
        ],
    )


def test_police_report_can_leave_the_perpetrator_out(case, generate):
    text = pdf_text(generate(case, "police", name_perpetrator=False))
    assert_none_in(
        text,
        [PERPETRATOR, PERPETRATOR_URL, "ole.opslagsen", case.__class__.objects.get(title="Tidligere opslag").reference],
    )
    assert_all_in(text, ["Identiteten er udeladt i denne udgave", "Borger i egen sag"])  # the relation stays


def test_police_report_with_chosen_publications_leaves_the_others_and_their_files_out(case, generate):
    first = case.publications.order_by("id").first()
    report = generate(case, "police", publication_ids=[first.pk])
    text = pdf_text(report)
    evidence = _evidence(case)
    assert_all_in(text, [URLS[0], QUOTES[0], evidence["skærmbillede-facebook.png"].sha256])
    assert_none_in(text, [URLS[1], QUOTES[1], evidence["lydklip.mp3"].sha256])
    assert "1 offentliggørelse på sagen er ikke medtaget i denne rapport." in text
    assert evidence["lydklip.mp3"].pk not in report.evidence_ids


def test_police_purposes_follow_the_choice(case, generate):
    text = pdf_text(generate(case, "police", purposes=["restraining_order"]))
    assert "Tilhold, så gerningspersonen" in text
    assert "Strafforfølgning af gerningspersonen" not in text


# --- Datatilsynet ----------------------------------------------------------------------------------


def test_datatilsynet_complaint_with_power_of_attorney_argument_and_only_attachable_files(case, generate, personas):
    from incidents import services as incident_services

    contacted = timezone.now().replace(microsecond=0) - timezone.timedelta(days=1)
    incident_services.incident_update_report_facts(
        actor=personas.manager,
        incident=case,
        values={
            "publisher_contacted_at": contacted,
            "publisher_contact_method": "Brev til borgeren",
            "publisher_answer": "Borgeren svarede ikke på vores henvendelse.",
        },
    )
    report = generate(case, "datatilsynet", employee_address="Skovvej 3, 8200 Aarhus N")
    text = pdf_text(report)
    evidence = _evidence(case)
    assert_all_in(
        text,
        [
            "Klage til Datatilsynet",
            "Til Datatilsynet",
            case.reference,
            "Klager",
            "Sara Sagsbehandler",
            "Skovvej 3, 8200 Aarhus N",
            "Repræsentant (med fuldmagt): arbejdsgiveren",
            "Fuldmagt",
            "Jeg, Sara Sagsbehandler, Skovvej 3, 8200 Aarhus N, giver hermed Testkommune fuldmagt",
            "Medarbejderens underskrift (fuldmagtsgiver)",
            PERPETRATOR,
            # what personal data, where, when
            "Medarbejderens navn",
            "Oplysninger om medarbejderens private forhold",
            *URLS,
            # asked to remove it: when, how, the answer (facts on the incident), apart from the platform notice
            _danish_date(contacted),
            "Brev til borgeren",
            "Borgeren svarede ikke på vores henvendelse.",
            "det er ikke en henvendelse til udgiveren",
            "FB-ticket-991",
            # the legal argument and what is asked for
            "art. 2, stk. 2, litra c",
            "C-101/01",
            "Lindqvist",
            "C-345/17",
            "Buivids",
            "ubestemt kreds",
            "art. 5, stk. 1, litra a",
            "art. 6, stk. 1",
            "art. 58, stk. 2, litra g",
            "slette",
            # attachments: images, PDF and text only, as loose files
            "ingen ZIP-fil",
            "Datatilsynet modtager ikke lyd- eller videofiler eller links",
            evidence["skærmbillede-facebook.png"].sha256,
            evidence["opslag-gemt.pdf"].sha256,
            evidence["udskrift.txt"].sha256,
            "Ikke vedlagt",
            "lydklip.mp3",
        ],
    )
    # No internal caveats, no assertion of a fact not given (consent was never recorded either way).
    assert_none_in(
        text,
        [
            "siden 2020",
            "svageste",
            "begrænset effekt",
            "uden medarbejderens samtykke",
            "uden samtykke",
            "Anmeldt via Facebooks formular",
            INTERNAL_NOTE,
            "Sygefravær",
        ],
    )
    assert evidence["lydklip.mp3"].sha256 not in compact(text)
    attachable = ("skærmbillede-facebook.png", "opslag-gemt.pdf", "udskrift.txt")
    assert sorted(report.evidence_ids) == sorted(e.pk for name, e in evidence.items() if name in attachable)


def test_datatilsynet_without_a_publisher_contact_says_so_and_shows_no_platform_notice_as_one(case, generate):
    text = pdf_text(generate(case, "datatilsynet"))
    assert_all_in(
        text,
        [
            "Det er ikke registreret, at udgiveren er bedt om at fjerne oplysningerne.",
            "det er ikke en henvendelse til udgiveren",
        ],
    )
    assert "Svar" not in text.split("Henvendelse til den, der har offentliggjort")[1].split("7.")[0]


# --- DSA notice ------------------------------------------------------------------------------------


def test_dsa_notice_has_the_article_16_elements_in_pdf_and_plain_text(case, generate, personas):
    from incidents.redactions import redaction_add

    facebook, youtube = case.publications.order_by("id")
    redaction_add(
        actor=personas.manager,
        incident=case,
        field="quote",
        publication=facebook,
        text="Jeg ved hvor hun bor på Østergade!",
    )
    explanation = "Opslaget kalder hende en tyv («stjæler børn») og oplyser hendes bopæl: § 264 d og § 267."
    report = generate(case, "dsa_notice", platform="facebook", explanations={str(facebook.pk): explanation})
    text = pdf_text(report)
    article_16 = [
        URLS[0],  # the exact URL on this platform only
        explanation,  # which words break which provision
        LEGAL_REFERENCE_TITLES["strfl_119"],
        LEGAL_REFERENCE_TITLES["strfl_267_268"],
        "Mette Leder",
        "mette.leder@testkommune.invalid",
        "Testkommune",  # sender name and e-mail
        "på medarbejderens vegne og med medarbejderens samtykke",
        "Jeg erklærer i god tro",  # good faith
        "Sara Sagsbehandler stjæler børn fra familierne. [udeladt]",  # the quote, redacted
        "Meta Platforms Ireland Ltd.",  # the legal entity in the EU
    ]
    assert_all_in(text, ["Anmeldelse af ulovligt indhold", "artikel 16", *article_16])
    unwanted = [
        URLS[1],
        QUOTES[1],
        "Østergade",
        "Børn og Familie",
        "Socialrådgiver",
        *HEALTH_AND_INTERNAL,
        "Intern vejledning",
        PERPETRATOR,
    ]
    assert_none_in(text, unwanted)
    plain = report.plain_text
    assert_all_in(plain, article_16)
    assert_none_in(plain, unwanted)
    assert URLS[0] in plain  # unbroken, ready to paste
    assert "&amp;" not in plain and "&#x27;" not in plain and "<" not in plain
    assert plain.startswith("ANMELDELSE AF ULOVLIGT INDHOLD")


def test_dsa_notice_withholds_an_unredacted_quote_of_a_case_with_private_details(case, generate):
    youtube = case.publications.get(platform="youtube")
    report = generate(
        case,
        "dsa_notice",
        platform="youtube",
        explanations={str(youtube.pk): "Videoens titel kalder hende en løgner: § 267."},
    )
    assert report.status == Report.Status.READY, report.error
    text = pdf_text(report)
    assert_all_in(text, [URLS[1], "Google Ireland Limited", "YouTube", "Det ordrette citat er ikke gengivet"])
    assert_none_in(text, [QUOTES[1], QUOTES[0], URLS[0], "Meta Platforms"])
    assert QUOTES[1] not in report.plain_text


def test_dsa_notice_leaves_out_publications_without_a_link(case, generate):
    Publication.objects.create(incident=case, platform="book", title="Bogen «Sandheden om kommunen»", url="")
    report = generate(case, "dsa_notice")
    assert "Sandheden om kommunen" not in report.plain_text
    assert report.status == Report.Status.READY


# --- Internal ---------------------------------------------------------------------------------------


def test_internal_report_with_internal_notes_has_the_whole_case(case, generate):
    text = pdf_text(generate(case, "internal_hr", include_internal_notes=True))
    assert_all_in(
        text,
        [
            "Intern sagsrapport",
            "HR og ledelse",
            "Fortroligt",
            case.reference,
            case.title,
            "Sara Sagsbehandler",
            "2 dage",
            "Beregnet alvorlighed",
            "Kritisk",
            "Bekræftet af leder",
            "Alvorlig",
            "Lederen har ændret niveauet",
            JUSTIFICATION,
            "Politianmeldelse ved arbejdsgiveren",
            "FB-ticket-991",
            "Tidslinje",
            "Registreret",
            "Frister",
            "Opfølgende samtale med medarbejderen",
            *URLS,
            *QUOTES,
            INTERNAL_NOTE,
            SHARED_NOTE,
            "Fjernet fra sagen",
            "forkert-sag.png",
            PERPETRATOR,
            "Intern vejledning",
            "Næste skridt",
            "Hvem",
            "Senest",
            case.__class__.objects.get(title="Tidligere opslag").reference,
        ],
    )


def test_internal_report_without_internal_notes_leaves_them_out_everywhere(case, generate):
    report = generate(case, "internal_hr", include_internal_notes=False)
    assert report.includes_internal_notes is False and report.employee_may_download
    text = pdf_text(report)
    assert_all_in(
        text,
        [
            "uden interne noter",
            SHARED_NOTE,
            "Interne noter er ikke medtaget",
            "Tidslinje",
            "Begrundelsen er intern og ikke medtaget",
        ],
    )
    # Internal notes are also timeline entries hidden from the employee; the justification is internal too;
    # earlier incidents with the same perpetrator never reach a document the employee receives.
    assert_none_in(text, [INTERNAL_NOTE, JUSTIFICATION, case.__class__.objects.get(title="Tidligere opslag").reference])


def test_internal_report_can_leave_the_perpetrator_out(case, generate):
    text = pdf_text(generate(case, "internal_hr", name_perpetrator=False))
    assert_none_in(text, [PERPETRATOR, PERPETRATOR_URL])


def test_internal_hr_timeline_follows_the_events_own_dates(case, generate, personas):
    from incidents import services as incident_services

    incident_services.incident_record_action(
        actor=personas.manager,
        incident=case,
        action_code="police_report",
        occurred_on=timezone.localdate() - timezone.timedelta(days=30),
        external_reference="JOURNAL-EARLY",
    )
    text = pdf_text(generate(case, "internal_hr", include_internal_notes=True))
    timeline = text.split("Tidslinje")[1]
    assert timeline.index("JOURNAL-EARLY") < timeline.index("FB-ticket-991")


def test_amo_report_is_minimised_and_preventive(case, generate):
    text = pdf_text(generate(case, "internal_amo"))
    assert_all_in(
        text,
        [
            "Rapport til arbejdsmiljøorganisationen",
            "Børn og Familie",
            "navnet er udeladt",
            "Borger i egen sag",
            "identiteten er udeladt",
            "Facebook",
            "Alvorlig",
            "APV",
            "Anmeldelse af arbejdsskade",
            "Gennemført",
            "Planlagt",
            "Politianmeldelse ved arbejdsgiveren",
        ],
    )
    assert_none_in(
        text,
        [
            "Sara Sagsbehandler",
            PERPETRATOR,
            PERPETRATOR_URL,
            *QUOTES,
            INTERNAL_NOTE,
            SHARED_NOTE,
            case.description.splitlines()[0],
            "Sygefravær",
            "2 dage",
            "Psykisk",
            "ud af 5",
            "Intern vejledning",
            *URLS,
        ],
    )


def test_amo_report_names_the_employee_only_with_consent(case, generate, personas):
    from incidents import services as incident_services

    incident_services.incident_update_report_facts(
        actor=personas.manager, incident=case, values={"consent_name_to_amo": True}
    )
    assert "Sara Sagsbehandler" in pdf_text(generate(case, "internal_amo"))


# --- Versions, audit, isolation ----------------------------------------------------------------


def test_generating_again_makes_a_new_version_and_keeps_the_old(case, generate, personas):
    first = generate(case, "police")
    second = generate(case, "police")
    other_kind = generate(case, "internal_hr")
    assert (first.version, second.version, other_kind.version) == (1, 2, 1)
    first.refresh_from_db()
    assert first.status == Report.Status.READY and first.file.name != second.file.name
    assert pdf_bytes(first)[:5] == b"%PDF-"
    events = AuditEvent.objects.filter(incident_reference=case.reference, object_type="reports.report")
    assert events.filter(action="create", summary="Rapport bestilt").count() == 3
    made = events.filter(action="create", summary="Rapport dannet").order_by("id")
    assert [e.details["sha256"] for e in made] == [first.sha256, second.sha256, other_kind.sha256]


def test_a_ready_report_is_not_rendered_twice(case, generate):
    report = generate(case, "police")
    again = services.report_render(report.pk)
    again.refresh_from_db()
    assert again.sha256 == report.sha256 and again.attempts == 1


def test_the_fetcher_loads_our_stylesheet_and_nothing_else(settings, tmp_path):
    assert pdf._allowed_path(pdf.base_url() + pdf.STYLESHEET).name == "report-print.css"
    for url in (
        "http://example.com/x.css",
        "https://169.254.169.254/latest",
        "file:///etc/passwd",
        pdf.base_url() + "../../etc/passwd",
        "data:text/css,body{}",
        "ftp://example.com/a",
    ):
        with pytest.raises(pdf.RefusedURL):
            pdf._allowed_path(url)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not ours")
    fetched = []
    fetcher = pdf._fetcher()
    original = fetcher.fetch

    def spy(url, headers=None):
        fetched.append(url)
        return original(url, headers)

    fetcher.fetch = spy
    from weasyprint import HTML

    html = (
        f'<link rel="stylesheet" href="{pdf.STYLESHEET}"><img src="{secret.as_uri()}">'
        '<img src="http://example.invalid/a.png"><p>Hej</p>'
    )
    HTML(string=html, base_url=pdf.base_url(), url_fetcher=fetcher).write_pdf()
    assert any(url.endswith("report-print.css") for url in fetched)


def test_pdf_text_is_read_back_exactly_for_hashes(case, generate):
    """A SHA-256 is printed on one line, so it can be compared character by character."""
    text = pdf_text(generate(case, "police"))
    for item in Evidence.objects.filter(incident=case, removed_at__isnull=True):
        assert re.search(rf"SHA-256:\s*{item.sha256}\b", text), item.original_name


def test_the_report_context_costs_the_same_queries_for_2_or_20_publications(case, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.content import report_context
    from tests.reports.conftest import upload

    def count() -> int:
        report = services.report_request(
            actor=personas.manager, incident=case, kind="internal_hr", options={"include_internal_notes": True}
        )
        report = Report.objects.select_related("requested_by").get(pk=report.pk)
        with CaptureQueriesContext(connection) as queries:
            report_context(report)
        return len(queries)

    count()  # warms the per-user access cache (accounts/access_cache.py)
    few = count()
    for n in range(18):
        publication = Publication.objects.create(incident=case, platform="x", url=f"https://x.com/p/{n}", quote="q")
        upload(case, personas.manager, f"bevis-{n}.txt", f"tekst {n}\n".encode(), publication=publication)
    assert count() == few
