"""The knowledge base: every section the assessment links to exists, reads well and stays our own words."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from incidents.assessment import ANCHORS
from knowledge import sections
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

LEGAL_NOTE_DA = "Systemet støtter, men erstatter ikke juridisk rådgivning."
LEGAL_NOTE_EN = "The system supports, but does not replace, legal advice."
GUIDANCE = Path(settings.BASE_DIR).parent / "shared" / "guidance" / "ds-vejledning-udhaengning.txt"
TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "knowledge"
SLUGS = [section.slug for section in sections.SECTIONS]
EXTRA_SLUGS = ("hvad-er-udhaengning", "hvorfor", "arbejdsgiveren", "jura", "hvor-anmelder-man")
COPY_RUN = 12


def _get(client, url, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url)


def _text(html: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _h1(html: str) -> list[str]:
    return [_text(heading) for heading in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)]


# --- The registry ---------------------------------------------------------------------------


def test_every_assessment_anchor_is_a_section():
    assert set(ANCHORS) <= set(SLUGS)


def test_the_extra_sections_exist_and_slugs_are_unique():
    assert set(EXTRA_SLUGS) <= set(SLUGS)
    assert len(SLUGS) == len(set(SLUGS))


@pytest.mark.parametrize("slug", ANCHORS)
def test_section_url_resolves_for_every_anchor(slug):
    assert sections.section_url(slug) == f"/viden/{slug}/"
    assert reverse("knowledge:section", args=[slug]) == sections.section_url(slug)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_section_has_a_danish_and_an_english_text(slug):
    section = sections.get_section(slug)
    assert get_template(section.template_name)
    assert get_template(f"knowledge/en/{slug}.html")
    assert section.title_da and section.title_en and section.group in sections.GROUPS


def test_every_group_has_sections():
    used = {section.group for section in sections.SECTIONS}
    assert used == set(sections.GROUPS)


def test_language_falls_back_to_danish():
    assert sections.language_of("en") == "en"
    assert sections.language_of("en-gb") == "en"
    assert sections.language_of("de") == "da"
    assert sections.language_of(None) == "da"
    assert sections.get_section("beviser").template_names("en") == [
        "knowledge/en/beviser.html",
        "knowledge/da/beviser.html",
    ]
    assert sections.get_section("beviser").template_names("da") == ["knowledge/da/beviser.html"]


def test_neighbours_follow_reading_order():
    assert sections.neighbours(SLUGS[0]) == (None, sections.SECTIONS[1])
    assert sections.neighbours(SLUGS[-1]) == (sections.SECTIONS[-2], None)


# --- Who may read ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_every_section_renders_for_each_persona(client, personas, persona):
    client.force_login(getattr(personas, persona))
    for section in sections.SECTIONS:
        response = client.get(section.url)
        assert response.status_code == 200, section.slug
        html = response.content.decode()
        assert _h1(html) == [section.title_da], section.slug
        text = _text(html)
        assert "Kilde:" in text, section.slug
        assert LEGAL_NOTE_DA in text, section.slug


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_index_lists_every_section_for_each_persona(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("knowledge:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert LEGAL_NOTE_DA in _text(html)
    for section in sections.SECTIONS:
        assert f'href="{section.url}"' in html
        assert section.title_da in html
    for group in sections.GROUPS:
        assert group.title_da in html


@pytest.mark.parametrize("url", ["/viden/", "/viden/beviser/", "/viden/findes-ikke/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("slug", ["findes-ikke", "straffeloven-999", "Beviser"])
def test_unknown_section_answers_404(client, personas, slug):
    client.force_login(personas.caseworker)
    response = client.get(f"/viden/{slug}/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_only_get_is_allowed(client, personas):
    client.force_login(personas.manager)
    assert client.post(reverse("knowledge:index")).status_code == 405
    assert client.post(sections.section_url("beviser")).status_code == 405


# --- What the reader sees -------------------------------------------------------------------


def test_section_page_has_navigation_and_neighbours(client, personas):
    client.force_login(personas.caseworker)
    slug = "straffeloven-119a"
    previous, following = sections.neighbours(slug)
    html = client.get(sections.section_url(slug)).content.decode()
    assert f'href="{sections.section_url(slug)}" aria-current="page"' in html
    assert f'href="{previous.url}" rel="prev"' in html
    assert f'href="{following.url}" rel="next"' in html
    for section in sections.SECTIONS:
        assert f'href="{section.url}"' in html
    assert 'lang="da"' in html


def test_first_and_last_sections_have_one_neighbour(client, personas):
    client.force_login(personas.caseworker)
    first = client.get(sections.SECTIONS[0].url).content.decode()
    last = client.get(sections.SECTIONS[-1].url).content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_law_overview_links_every_criminal_code_section_and_says_who_prosecutes(client, personas):
    client.force_login(personas.manager)
    html = client.get(sections.section_url("jura")).content.decode()
    for slug in SLUGS:
        if slug.startswith("straffeloven-"):
            assert f'href="{sections.section_url(slug)}"' in html, slug
    assert '<th scope="col">Hvem rejser sagen</th>' in html
    text = _text(html)
    assert "begæring" in text
    assert "6 måneder" in text


@pytest.mark.parametrize(
    ("slug", "facts"),
    [
        ("hvad-er-udhaengning", ["mobning", "trusler", "stalking", "klagesystemet"]),
        ("politianmeldelse", ["114", "e-mail", "72 timer", "onlineformularer"]),
        ("easy", ["14 dage", "EASY"]),
        ("datatilsynet", ["2020", "fuldmagt", "svagere", "persondataloven"]),
        ("platforme", ["art. 16", "URL", "god", "e-mail"]),
        ("beviser", ["URL", "tidspunkt", "log", "dialog"]),
        ("straffeloven-242", ["2022", "114"]),
        ("arbejdsgiveren", ["1406", "APV", "MED"]),
        ("optagelser", ["saglig", "2005", "sag 20-2"]),
    ],
)
def test_sections_carry_the_current_law(client, personas, slug, facts):
    client.force_login(personas.caseworker)
    text = _text(client.get(sections.section_url(slug)).content.decode())
    for fact in facts:
        assert fact.lower() in text.lower(), fact


def test_pure_complaint_is_sent_to_the_complaint_system(client, personas):
    client.force_login(personas.caseworker)
    html = client.get(sections.section_url("hvad-er-udhaengning")).content.decode()
    assert f'href="{sections.section_url("klagesystem")}"' in html


# --- English --------------------------------------------------------------------------------


def test_english_rendering(client, personas):
    client.force_login(personas.union_rep)
    for section in sections.SECTIONS:
        response = _get(client, section.url, language="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert _h1(html) == [section.title_en], section.slug
        text = _text(html)
        assert "Source:" in text, section.slug
        assert LEGAL_NOTE_EN in text, section.slug
        assert LEGAL_NOTE_DA not in text
        assert 'lang="en"' in html


def test_english_index(client, personas):
    client.force_login(personas.caseworker)
    html = _get(client, reverse("knowledge:index"), language="en").content.decode()
    assert LEGAL_NOTE_EN in _text(html)
    assert "About being hung out" in html
    assert sections.get_section("beviser").title_en in html


def test_unsupported_language_reads_danish(client, personas):
    client.force_login(personas.caseworker)
    html = _get(client, sections.section_url("beviser"), language="de").content.decode()
    assert _h1(html) == ["Sådan sikrer du beviser"]
    assert LEGAL_NOTE_DA in _text(html)


# --- Markup and CSP -------------------------------------------------------------------------


def test_no_inline_scripts_styles_or_handlers(client, personas):
    client.force_login(personas.manager)
    for url in [reverse("knowledge:index"), *(section.url for section in sections.SECTIONS)]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle\s*=", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert "<style" not in html, url


def test_tables_have_scoped_headers(client, personas):
    client.force_login(personas.manager)
    for slug in ("jura", "hvor-anmelder-man"):
        html = client.get(sections.section_url(slug)).content.decode()
        assert "<caption>" in html
        assert len(re.findall(r"<th\b", html)) == html.count('<th scope="')


def test_headings_are_in_order(client, personas):
    client.force_login(personas.manager)
    for section in sections.SECTIONS:
        html = client.get(section.url).content.decode()
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
        assert levels[0] == 1, section.slug
        assert levels.count(1) == 1, section.slug
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), section.slug


def test_query_count_is_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas.caseworker)
    client.get(sections.section_url("beviser"))  # warm up
    with django_assert_max_num_queries(8):
        client.get(sections.section_url("jura"))
    with django_assert_max_num_queries(8):
        client.get(reverse("knowledge:index"))


# --- Our own words --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _template_words(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", " ", source, flags=re.S)
    return _words(unescape(re.sub(r"<[^>]+>", " ", source)))


def _runs(words: list[str], size: int = COPY_RUN) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.fixture(scope="module")
def guidance_runs():
    if not GUIDANCE.exists():
        pytest.skip(f"the guidance text is not at {GUIDANCE}")
    return _runs(_words(GUIDANCE.read_text(encoding="utf-8")))


def test_copy_check_catches_a_pasted_sentence(guidance_runs):
    pasted = GUIDANCE.read_text(encoding="utf-8").splitlines()[4]
    assert _runs(_words(f"<p>{pasted}</p>")) & guidance_runs


@pytest.mark.parametrize("path", sorted((TEMPLATE_DIR / "da").glob("*.html")), ids=lambda p: p.name)
def test_danish_sections_do_not_copy_the_guidance(path, guidance_runs):
    copied = _runs(_template_words(path)) & guidance_runs
    assert not copied, [" ".join(run) for run in copied]


def test_every_danish_template_is_checked():
    checked = {path.stem for path in (TEMPLATE_DIR / "da").glob("*.html")}
    assert set(SLUGS) <= checked
