"""The guideline: safe text format, versions by effective date, pages, PDF and admin."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from demo.recordings import DEFAULT_PASSAGES, demo_guideline_seed
from recordings import markup, pdf, selectors, services
from recordings.models import GuidelinePassage, RecordingGuideline
from tests.factories import OrganisationFactory, UnitFactory, member
from tests.recordings.conftest import ESCAPED_SCRIPT, PERSONA_NAMES, SCRIPT, assert_login_redirect, login, text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def version(personas, days_from_today: int, title: str, **kwargs) -> RecordingGuideline:
    return services.guideline_create(
        actor=personas.admin,
        organisation=personas.org,
        title=title,
        body=f"Tekst for {title}",
        effective_from=TODAY() + timedelta(days=days_from_today),
        **kwargs,
    )


# --- The text format ------------------------------------------------------------------------------


def test_markup_headings_lists_bold_and_paragraphs():
    html = markup.to_html("## Overskrift\nFørste linje\nanden linje\n\n- et **vigtigt** punkt\n* et andet\n\n### Lille")
    assert html == (
        "<h2>Overskrift</h2>\n<p>Første linje<br>anden linje</p>\n"
        "<ul><li>et <strong>vigtigt</strong> punkt</li><li>et andet</li></ul>\n<h3>Lille</h3>"
    )
    assert markup.to_html("## A", heading_level=4) == "<h4>A</h4>"


@pytest.mark.parametrize(
    "attack",
    [
        SCRIPT,
        "<img src=x onerror=alert(1)>",
        "[klik](javascript:alert(1))",
        "<a href='javascript:alert(1)'>klik</a>",
        "**<b onmouseover=alert(1)>fed</b>**",
        "## <svg onload=alert(1)>",
        "- <iframe src=//evil.example>",
        '" onmouseover="alert(1)',
    ],
)
def test_markup_never_lets_markup_through(attack):
    html = markup.to_html(attack)
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<svg" not in html
    assert "<iframe" not in html and "<b " not in html
    assert 'onmouseover="' not in html


def test_markup_as_data_for_the_browser():
    assert markup.to_data("- **a** b") == [{"kind": "list", "level": 0, "lines": [[[True, "a"], [False, " b"]]]}]


# --- Versions ---------------------------------------------------------------------------------


def test_current_version_is_the_newest_that_has_taken_effect(personas):
    old = version(personas, -400, "Gammel")
    now = version(personas, -10, "Nu")
    coming = version(personas, 20, "Kommende")
    assert selectors.current_guideline(personas.org.pk) == now
    assert selectors.current_guideline(personas.org.pk, on=TODAY() - timedelta(days=11)) == old
    assert selectors.current_guideline(personas.org.pk, on=TODAY() + timedelta(days=20)) == coming
    assert selectors.current_guideline(personas.org.pk, on=TODAY() - timedelta(days=401)) is None
    assert [v.title for v in selectors.guideline_versions(personas.org.pk)] == ["Kommende", "Nu", "Gammel"]
    assert not coming.has_taken_effect and now.has_taken_effect


def test_one_version_per_day(personas):
    from django.core.exceptions import ValidationError

    version(personas, 0, "A")
    with pytest.raises(ValidationError):
        version(personas, 0, "B")


def test_request_is_judged_under_the_version_in_force_on_its_date(personas, make_request):
    strict = version(personas, -100, "Streng", without_legitimate_reason="refused")
    lenient = version(personas, -10, "Mild", without_legitimate_reason="allowed_with_conditions")
    early = make_request(reasons=["distrust"], decision="refused", request_date=TODAY() - timedelta(days=50))
    late = make_request(reasons=["distrust"], decision="refused")
    assert (early.guideline, early.suggested_decision) == (strict, "refused")
    assert (late.guideline, late.suggested_decision) == (lenient, "allowed_with_conditions")


def test_demo_seed_is_idempotent_and_has_a_passage_per_key(personas):
    first = demo_guideline_seed(personas.org)
    assert demo_guideline_seed(personas.org) == first
    assert RecordingGuideline.objects.count() == 1
    assert set(first.passages.values_list("key", flat=True)) == set(DEFAULT_PASSAGES)
    assert "saglig begrundelse" in first.body and "2005, sag 20-2" in first.body


# --- Pages ---------------------------------------------------------------------------------------

READERS = {
    "manager": 200,
    "other_manager": 200,
    "caseworker": 200,
    "other_caseworker": 200,
    "union_rep": 200,
    "admin": 200,
    "outsider": 404,
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("page", ["current", "version", "pdf"])
def test_guideline_pages_for_everyone_with_a_role(client, personas, guideline, name, page):
    url = {
        "current": reverse("recordings:guideline"),
        "version": reverse("recordings:guideline_version", args=[guideline.pk]),
        "pdf": reverse("recordings:guideline_pdf", args=[guideline.pk]),
    }[page]
    response = login(client, personas, name).get(url)
    assert response.status_code == READERS[name]
    if response.status_code == 200 and page != "pdf":
        assert guideline.title in text(response)


@pytest.mark.parametrize("url_name", ["recordings:guideline_version", "recordings:guideline_pdf"])
def test_guideline_pages_anonymous(client, guideline, url_name):
    assert_login_redirect(client.get(reverse(url_name, args=[guideline.pk])))


def test_another_organisations_guideline_is_not_found(client, personas):
    other_org = OrganisationFactory(name="Andenkommune")
    other = services.guideline_create(
        actor=None, organisation=other_org, title="Deres", body="x", effective_from=TODAY()
    )
    client.force_login(personas.manager)
    assert client.get(reverse("recordings:guideline_version", args=[other.pk])).status_code == 404
    assert client.get(reverse("recordings:guideline_pdf", args=[other.pk])).status_code == 404
    assert "Deres" not in text(client.get(reverse("recordings:guideline")))
    outsider_member = member(UnitFactory(organisation=other_org), "caseworker", username="deres_sagsbehandler")
    client.force_login(outsider_member)
    assert "Deres" in text(client.get(reverse("recordings:guideline")))


def test_guideline_page_shows_current_and_lists_versions(client, personas):
    version(personas, -400, "Gammel")
    now = version(personas, -10, "Nu")
    coming = version(personas, 20, "Kommende")
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("recordings:guideline")))
    assert '<h1 class="h2">Nu</h1>' in page
    assert "Det er den version, der gælder nu." in page
    assert "Gælder nu" in page and "Kommende" in page and "Tidligere (til" in page

    old_page = text(client.get(reverse("recordings:guideline_version", args=[now.pk - 1])))
    assert "En tidligere version." in old_page and "Se den version, der gælder nu" in old_page
    coming_page = text(client.get(reverse("recordings:guideline_version", args=[coming.pk])))
    assert "En kommende version." in coming_page


def test_no_guideline_yet(client, personas):
    client.force_login(personas.admin)
    page = text(client.get(reverse("recordings:guideline")))
    assert "har ikke skrevet en retningslinje" in page
    assert reverse("admin:recordings_recordingguideline_add") in page
    client.force_login(personas.caseworker)
    assert reverse("admin:recordings_recordingguideline_add") not in text(client.get(reverse("recordings:guideline")))


def test_admin_text_is_escaped_on_the_page(client, personas):
    guideline = services.guideline_create(
        actor=personas.admin,
        organisation=personas.org,
        title=f"Titel {SCRIPT}",
        body=f"## Hej\n{SCRIPT}",
        effective_from=TODAY(),
        passages={"memory_problems": f"**{SCRIPT}**"},
    )
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("recordings:guideline_version", args=[guideline.pk])))
    assert SCRIPT not in page
    assert ESCAPED_SCRIPT in page
    assert f"<strong>{ESCAPED_SCRIPT}</strong>" in page


# --- PDF ---------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_holds_the_guideline_in_danish(client, personas, guideline):
    client.force_login(personas.caseworker)
    response = client.get(reverse("recordings:guideline_pdf", args=[guideline.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    body = pdf_text(content)
    assert guideline.title in body
    assert "Testkommune" in body
    assert "saglig begrundelse" in body and "Ombudsmand" in body
    assert "Problemer med hukommelsen" in body  # a passage title
    assert "æ" in body and "ø" in body and "å" in body
    assert "Side 1 af" in body


def test_pdf_text_with_markup_stays_text_and_fetches_nothing(personas, monkeypatch):
    guideline = services.guideline_create(
        actor=personas.admin,
        organisation=personas.org,
        title="Farlig",
        effective_from=TODAY(),
        body="<img src='http://127.0.0.1:9/x.png'> <link rel=stylesheet href='file:///etc/passwd'> slut",
    )
    fetched = []
    original = pdf.allowed_file
    monkeypatch.setattr(pdf, "allowed_file", lambda url: fetched.append(url) or original(url))
    body = pdf_text(pdf.guideline_pdf(guideline, [], organisation_name="Testkommune"))
    assert "<img src='http://127.0.0.1:9/x.png'>" in body
    assert fetched == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.css",
        "https://example.com/a.png",
        "ftp://example.com/f",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://remote-host/share/x.css",
    ],
)
def test_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.allowed_file(url)
    with pytest.raises(Exception):  # noqa: B017 - WeasyPrint wraps the refusal
        pdf.url_fetcher().fetch(url)


def test_fetcher_serves_our_static_files():
    from django.conf import settings

    css = settings.STATICFILES_DIRS[0] / "css" / "recordings.css"
    assert pdf.allowed_file(css.as_uri()) == css.resolve()
    assert pdf.url_fetcher().fetch(css.as_uri()).read().startswith(b"/*")


# --- Admin ---------------------------------------------------------------------------------------


def _admin_post(guideline_date: date, title="Ny version", passages=()) -> dict:
    data = {
        "organisation": "",
        "title": title,
        "effective_from": guideline_date.isoformat(),
        "without_legitimate_reason": "refused",
        "body": "## Ny\nTekst",
        "passages-TOTAL_FORMS": str(len(passages)),
        "passages-INITIAL_FORMS": "0",
        "passages-MIN_NUM_FORMS": "0",
        "passages-MAX_NUM_FORMS": "1000",
    }
    for index, (key, value) in enumerate(passages):
        data[f"passages-{index}-key"] = key
        data[f"passages-{index}-text"] = value
    return data


def test_admin_writes_a_new_version(client, personas):
    client.force_login(personas.admin)
    data = _admin_post(TODAY() + timedelta(days=3), passages=[("memory_problems", "Tilladt ved hukommelse")])
    data["organisation"] = personas.org.pk
    response = client.post(reverse("admin:recordings_recordingguideline_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = RecordingGuideline.objects.get()
    assert created.created_by == personas.admin
    assert created.passages.get().key == "memory_problems"


def test_admin_cannot_backdate_or_write_a_cpr_number(client, personas):
    client.force_login(personas.admin)
    data = _admin_post(TODAY() - timedelta(days=1))
    data["organisation"] = personas.org.pk
    data["body"] = "Ring til 010190-1234"
    response = client.post(reverse("admin:recordings_recordingguideline_add"), data)
    assert response.status_code == 200
    assert "tidligst gælde fra i dag" in text(response)
    assert "CPR-nummer" in text(response)
    assert not RecordingGuideline.objects.exists()


def test_version_in_force_is_read_only_and_kept(client, personas, guideline):
    client.force_login(personas.admin)
    url = reverse("admin:recordings_recordingguideline_change", args=[guideline.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="body"' not in text(page)  # shown, not editable
    assert "<h2>Formål</h2>" in text(page)  # the preview of the text
    assert "Kopiér til ny version" in text(page)
    data = _admin_post(TODAY() + timedelta(days=5), title="Ændret")
    data["organisation"] = personas.org.pk
    assert client.post(url, data).status_code == 403
    assert (
        client.post(
            reverse("admin:recordings_recordingguideline_delete", args=[guideline.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    guideline.refresh_from_db()
    assert guideline.title != "Ændret"


def test_admin_copies_the_version_in_force_into_a_new_one(client, personas, guideline):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:recordings_recordingguideline_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [guideline.pk]},
    )
    copy = RecordingGuideline.objects.exclude(pk=guideline.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:recordings_recordingguideline_change", args=[copy.pk])
    assert copy.effective_from == TODAY() + timedelta(days=1)
    assert copy.body == guideline.body and copy.passages.count() == guideline.passages.count()
    assert not copy.has_taken_effect
    assert 'name="body"' in text(client.get(response["Location"]))  # the copy is editable


def test_admin_sees_only_own_organisation(client, personas, guideline):
    other_org = OrganisationFactory(name="Andenkommune")
    services.guideline_create(
        actor=None, organisation=other_org, title="Andres version", body="x", effective_from=TODAY()
    )
    client.force_login(personas.admin)
    page = text(client.get(reverse("admin:recordings_recordingguideline_changelist")))
    assert guideline.title in page and "Andres version" not in page


@pytest.mark.parametrize("name", ["manager", "caseworker", "union_rep", "outsider"])
def test_admin_site_is_closed_to_others(client, personas, guideline, name):
    client.force_login(getattr(personas, name))
    response = client.get(reverse("admin:recordings_recordingguideline_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_passage_model_orders_by_key():
    keys = [GuidelinePassage(key=k).order for k in ("general", "memory_problems", "hidden_recording")]
    assert keys == sorted(keys)
