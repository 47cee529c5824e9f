"""The employer's DPO in the complaint to Datatilsynet (DOMAIN.md section 10), and a warning when it is missing."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from reports import checks
from tests.reports.conftest import pdf_text


def flat(text: str) -> str:
    return " ".join(text.split())


pytestmark = pytest.mark.django_db


def test_the_complaint_names_the_employers_dpo(case, generate):
    text = flat(pdf_text(generate(case, "datatilsynet")))
    assert "Arbejdsgiverens databeskyttelsesrådgiver (DPO)" in text
    assert "Dorte Databeskytter" in text and "dpo@testkommune.invalid" in text


def test_without_a_dpo_the_complaint_says_so_and_the_manager_is_told(case, generate, personas):
    Organisation.objects.filter(pk=personas.org.pk).update(dpo_name="", dpo_email="", dpo_phone="")
    case.refresh_from_db()
    missing = checks.missing_information("datatilsynet", case, targets=[], publications=[], evidence=[])
    assert "Databeskyttelsesrådgiveren (DPO) mangler i organisationens indstillinger." in missing
    text = flat(pdf_text(generate(case, "datatilsynet")))
    assert "Arbejdsgiverens databeskyttelsesrådgiver (DPO)" in text and "Dorte Databeskytter" not in text
