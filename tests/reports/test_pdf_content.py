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
from incidents.assessment import FEATURE_LABELS, LEGAL_REFERENCE_TITLES
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

CASE_FEATURES = ("named", "threat", "private_details", "insulting_description", "offensive_language")


def _evidence(case, *names):
    return {e.original_name: e for e in Evidence.objects.filter(incident=case)
            if not names or e.original_name in names}


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

@pytest.mark.parametrize("kind", Report.INCIDENT_KINDS)
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


@pytest.mark.parametrize("kind", Report.INCIDENT_KINDS)
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
    assert "Sagsbehandler" in text and "Testkommune" in text


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

def test_police_report_holds_every_fact_the_police_need(case, generate, personas):
    report = generate(case, "police")
    text = pdf_text(report)
    evidence = _evidence(case)
    assert_all_in(text, [
        "Politianmeldelse", "Til Politiet", case.reference,
        # employer
        "Testkommune", personas.org.cvr, "Torvet 1", "8000 Aarhus C", "Lone Leder", "kontakt@testkommune.invalid",
        # employee
        "Sara Sagsbehandler", "Socialrådgiver", "Børn og Familie", "Offentligt ansat, der udøver myndighed",
        # perpetrator
        PERPETRATOR, PERPETRATOR_URL, "Borger i egen sag",
        # what happened
        case.title, "Han nævner hendes bopæl og børn.",
        # publications with platform, URL, dates and reach, and the verbatim quotes
        "Facebook", "YouTube", *URLS, "Offentligt tilgængeligt", "ca. 4200 personer", *QUOTES,
        timezone.localtime(case.publications.order_by("id")[0].published_at).strftime("%d.%m.%Y"),
        # features and provisions with one-line summaries
        *[FEATURE_LABELS[code] for code in CASE_FEATURES],
        *[LEGAL_REFERENCE_TITLES[code] for code in ("strfl_119", "strfl_266", "strfl_267_268", "strfl_264d")],
        "Det er strafbart at true en person i offentlig tjeneste med vold",  # the neutral summary (2026.2)
        # evidence: file, kind, hash (the removed file is not listed)
        "skærmbillede-facebook.png", "Billede", "opslag-gemt.pdf", "lydklip.mp3", "Lyd", "udskrift.txt",
        *[e.sha256 for name, e in evidence.items() if name != "forkert-sag.png"],
        # purpose, deadlines, consent and the request for prosecution with signature lines
        "Formålet med anmeldelsen", "Strafforfølgning af gerningspersonen", "herunder offererstatning",
        "Anmeld til politiet inden 72 timer",
        "Medarbejderens samtykke", "Jeg, Sara Sagsbehandler, er indforstået med",
        "Begæring om påtale", "begærer hermed påtale", "straffelovens § 275",
        "Medarbejderens underskrift (påtalebegæring)", "Dato og sted", "For arbejdsgiveren",
    ])
    assert_none_in(text, [evidence["forkert-sag.png"].sha256, INTERNAL_NOTE, JUSTIFICATION])
    # The earlier incident by the same person, by reference only.
    earlier = case.__class__.objects.get(title="Tidligere opslag")
    assert earlier.reference in text
    assert "Tidligere opslag" not in text


def test_police_report_without_request_only_provisions_has_consent_but_no_prosecution_request(personas, generate):
    incident = register(personas, threat=True, named=True,
                        publications=[{"platform": "facebook", "url": "https://www.facebook.com/p/1"}])
    text = pdf_text(generate(incident, "police"))
    assert "Medarbejderens samtykke" in text
    assert "Medarbejderens underskrift" in text
    assert "Begæring om påtale" not in text and "påtalebegæring" not in text
    assert_all_in(text, ["Flere af forholdene er undergivet offentlig påtale"])


def test_police_report_can_leave_the_perpetrator_out(case, generate):
    text = pdf_text(generate(case, "police", name_perpetrator=False))
    assert_none_in(text, [PERPETRATOR, PERPETRATOR_URL, "ole.opslagsen",
                          case.__class__.objects.get(title="Tidligere opslag").reference])
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

def test_datatilsynet_complaint_with_power_of_attorney_and_only_attachable_files(case, generate):
    report = generate(case, "datatilsynet", takedown_answer="Borgeren svarede ikke på vores henvendelse.")
    text = pdf_text(report)
    evidence = _evidence(case)
    assert_all_in(text, [
        "Klage til Datatilsynet", "Til Datatilsynet", case.reference,
        "Klager", "Sara Sagsbehandler", "Repræsentant (med fuldmagt): arbejdsgiveren", "Testkommune",
        "Fuldmagt", "giver hermed Testkommune fuldmagt", "Medarbejderens underskrift (fuldmagtsgiver)",
        PERPETRATOR,
        # what personal data, where, when
        "Medarbejderens navn", "Oplysninger om private forhold", *URLS,
        # asked to remove it, and the answer
        "Borgeren svarede ikke på vores henvendelse.", "FB-ticket-991",
        # attachments: images, PDF and text only
        "Datatilsynet modtager ikke lyd- eller videofiler eller links",
        evidence["skærmbillede-facebook.png"].sha256, evidence["opslag-gemt.pdf"].sha256,
        evidence["udskrift.txt"].sha256, "Ikke vedlagt", "lydklip.mp3",
        # the GDPR concern and the 2020 caveat
        "Hvorfor det strider mod databeskyttelsesreglerne", "kræver et lovligt grundlag", "siden 2020",
    ])
    assert evidence["lydklip.mp3"].sha256 not in compact(text)
    attachable = ("skærmbillede-facebook.png", "opslag-gemt.pdf", "udskrift.txt")
    assert sorted(report.evidence_ids) == sorted(e.pk for name, e in evidence.items() if name in attachable)


def test_datatilsynet_form_starts_from_the_takedown_actions(case, generate):
    report = generate(case, "datatilsynet")
    assert "FB-ticket-991" in report.options["takedown_answer"]
    assert "Anmeldt via Facebooks formular" in pdf_text(report)


# --- DSA notice ------------------------------------------------------------------------------------

def test_dsa_notice_has_the_article_16_elements_in_pdf_and_plain_text(case, generate, personas):
    report = generate(case, "dsa_notice", explanation="Opslaget opfordrer andre til at opsøge hende.")
    text = pdf_text(report)
    article_16 = [
        *URLS,  # the exact URLs
        LEGAL_REFERENCE_TITLES["strfl_119"], LEGAL_REFERENCE_TITLES["strfl_267_268"],  # why it is illegal
        "Opslaget opfordrer andre til at opsøge hende.",
        "Mette Leder", "mette.leder@testkommune.invalid", "Testkommune",  # sender name and e-mail
        "Jeg erklærer i god tro",  # good faith
    ]
    assert_all_in(text, ["Anmeldelse af ulovligt indhold", "artikel 16", "Facebook, YouTube", *article_16, *QUOTES])
    plain = report.plain_text
    assert_all_in(plain, article_16)
    for url in URLS:
        assert url in plain  # unbroken, ready to paste
    assert "&amp;" not in plain and "&#x27;" not in plain and "<" not in plain
    assert plain.startswith("ANMELDELSE AF ULOVLIGT INDHOLD")


def test_dsa_notice_leaves_out_publications_without_a_link(case, generate):
    Publication.objects.create(incident=case, platform="book", title="Bogen «Sandheden om kommunen»", url="")
    report = generate(case, "dsa_notice")
    assert "Sandheden om kommunen" not in report.plain_text
    assert report.status == Report.Status.READY


# --- Internal ---------------------------------------------------------------------------------------

def test_internal_report_with_internal_notes_has_the_whole_case(case, generate):
    text = pdf_text(generate(case, "internal", include_internal_notes=True))
    assert_all_in(text, [
        "Intern sagsrapport", "Fortroligt", case.reference, case.title, "Sara Sagsbehandler", "2 dage",
        "Beregnet alvorlighed", "Kritisk", "Bekræftet af leder", "Alvorlig", "Lederen har ændret niveauet",
        JUSTIFICATION, "Politianmeldelse ved arbejdsgiveren", "FB-ticket-991", "Tidslinje", "Registreret",
        "Frister", "Opfølgende samtale med medarbejderen", *URLS, *QUOTES,
        INTERNAL_NOTE, SHARED_NOTE, "Fjernet fra sagen", "forkert-sag.png", PERPETRATOR,
    ])


def test_internal_report_without_internal_notes_leaves_them_out_everywhere(case, generate):
    report = generate(case, "internal", include_internal_notes=False)
    assert report.includes_internal_notes is False and report.employee_may_download
    text = pdf_text(report)
    assert_all_in(text, ["uden interne noter", SHARED_NOTE, "Interne noter er ikke medtaget", "Tidslinje",
                         "Begrundelsen er intern og ikke medtaget"])
    # Internal notes are also timeline entries hidden from the employee; the justification is internal too.
    assert_none_in(text, [INTERNAL_NOTE, JUSTIFICATION])


def test_internal_report_can_leave_the_perpetrator_out(case, generate):
    text = pdf_text(generate(case, "internal", name_perpetrator=False))
    assert_none_in(text, [PERPETRATOR, PERPETRATOR_URL])


# --- Versions, audit, isolation ----------------------------------------------------------------

def test_generating_again_makes_a_new_version_and_keeps_the_old(case, generate, personas):
    first = generate(case, "police")
    second = generate(case, "police")
    other_kind = generate(case, "internal")
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
    for url in ("http://example.com/x.css", "https://169.254.169.254/latest", "file:///etc/passwd",
                pdf.base_url() + "../../etc/passwd", "data:text/css,body{}", "ftp://example.com/a"):
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

    html = (f'<link rel="stylesheet" href="{pdf.STYLESHEET}"><img src="{secret.as_uri()}">'
            '<img src="http://example.invalid/a.png"><p>Hej</p>')
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
        report = services.report_request(actor=personas.manager, incident=case, kind="internal",
                                         options={"include_internal_notes": True})
        report = Report.objects.select_related("requested_by").get(pk=report.pk)
        with CaptureQueriesContext(connection) as queries:
            report_context(report)
        return len(queries)

    few = count()
    for n in range(18):
        publication = Publication.objects.create(incident=case, platform="x", url=f"https://x.com/p/{n}", quote="q")
        upload(case, personas.manager, f"bevis-{n}.txt", f"tekst {n}\n".encode(), publication=publication)
    assert count() == few
