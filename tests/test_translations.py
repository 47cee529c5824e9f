"""English is complete (issue 17.8): the catalogue has no untranslated or fuzzy entry, every
text of the assessment engine has an English translation, and an English page shows the
engine's texts and its dates in English.

The English page is rendered with a catalogue compiled here from the .po file, so the test
reads what the .po says, not a .mo compiled at some earlier time.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override

from incidents import services

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
ENGINE = ROOT / "incidents" / "assessment"
DANISH_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs msgfmt (apt-get install gettext)")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """locale/ compiled from the .po into a temporary LOCALE_PATHS folder."""
    folder = tmp_path_factory.mktemp("locale")
    target = folder / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "--check-format", "-o", str(target / "django.mo"), str(PO)], check=True)
    return folder


def _engine_texts() -> set[str]:
    """Every literal the engine marks with gettext_noop."""
    texts = set()
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "gettext_noop"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                texts.add(node.args[0].value)
    return texts


@needs_msgfmt
def test_the_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C"},
    )
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


@needs_msgfmt
def test_every_engine_text_is_translated(compiled):
    with (compiled / "en" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    texts = _engine_texts()
    assert len(texts) > 100  # the engine's labels, reasons, actions and deadlines
    missing = sorted(text for text in texts if not catalogue.get(text))
    assert missing == []


@needs_msgfmt
@pytest.mark.django_db
def test_an_english_page_shows_english_engine_text_and_dates(client, personas, settings, compiled):
    settings.LOCALE_PATHS = [compiled]
    case = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={
            "title": "Trussel på Facebook",
            "threat": True,
            "named": True,
            "discovered_at": timezone.now() - timedelta(hours=2),
        },
        targets=[personas.caseworker],
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/p/1"}],
    )
    # The manager's page: the engine's recommendations in English, dates in English format.
    client.force_login(personas.manager)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert "Police report by the employer" in page and "Report to the police within 72 hours" in page
    assert "Politianmeldelse ved arbejdsgiveren" not in page and "Anmeld til politiet" not in page
    with override("en"):
        registered = formats.date_format(timezone.localtime(case.registered_at), "SHORT_DATETIME_FORMAT")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d{1,2}(:\d\d)? [ap]\.m\.|\d\d/\d\d/\d{4} (noon|midnight)", registered)
    assert registered in page

    # The employee's page: the long format ("Dec. 2, 2026, 2:30 p.m."), no Danish month names.
    client.force_login(personas.caseworker)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    with override("en"):
        registered = formats.date_format(timezone.localtime(case.registered_at), "DATETIME_FORMAT")
    assert registered in page
    assert "If you are in danger right now, call 112." in page
    assert not [month for month in DANISH_MONTHS if re.search(rf"\d\. {month} \d{{4}}", page)]

    # The same page in Danish keeps the Danish format ("2. december 2026 kl. 14.30").
    assert client.post("/i18n/setlang/", {"language": "da", "next": "/"}).status_code == 302
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    with override("da"):
        registered = formats.date_format(timezone.localtime(case.registered_at), "DATETIME_FORMAT")
    assert re.fullmatch(r"\d{1,2}\. [a-z]+ \d{4} kl\. \d\d\.\d\d", registered)
    assert registered in page
