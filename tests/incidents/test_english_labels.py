"""The assessment engine's Danish labels and texts reach English users in English.

The engine (``incidents.assessment``) keeps Danish strings marked with ``gettext_noop``;
forms translate them lazily and templates with the ``translated`` filter. Danish pages
must look exactly as before.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from incidents import services
from incidents.assessment import FEATURE_LABELS, LEVEL_LABELS
from incidents.assessment.texts import ACTION_TEXTS
from incidents.templatetags.i18n_text import translated

pytestmark = pytest.mark.django_db

POLICE_REPORT_DA = "Politianmeldelse ved arbejdsgiveren"
POLICE_REPORT_EN = "Police report by the employer"


@pytest.fixture
def case(personas):
    return services.incident_register(
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


def _login(client, personas, language):
    client.force_login(personas.manager)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


def test_the_engine_keeps_its_danish_values():
    assert FEATURE_LABELS["threat"] == "Trusler om vold eller anden skade"
    assert LEVEL_LABELS[4] == "Kritisk"
    assert ACTION_TEXTS["police_report"].title == POLICE_REPORT_DA


def test_the_case_recommends_a_police_report(case):
    titles = [item["title"] for item in case.assessment["actions"]]
    assert POLICE_REPORT_DA in titles


def test_translated_filter():
    with override("en"):
        assert translated("Trusler") == "Threats"
        assert translated(POLICE_REPORT_DA) == POLICE_REPORT_EN
        assert translated("Noget helt ukendt") == "Noget helt ukendt"
        assert translated(None) == ""
        assert translated("") == ""
    with override("da"):
        assert translated("Trusler") == "Trusler"


def test_incident_form_in_english(client, personas):
    _login(client, personas, "en")
    page = client.get(reverse("incidents:create")).content.decode()
    assert "Threats of violence or other harm" in page
    assert "The words are addressed to the employee" in page
    assert "The employee is named or is easy to recognise" in page
    assert "Trusler" not in page
    assert "Medarbejderen nævnes ved navn" not in page


def test_incident_form_in_danish(client, personas):
    _login(client, personas, "da")
    page = client.get(reverse("incidents:create")).content.decode()
    assert "Trusler" in page
    assert "Medarbejderen nævnes ved navn eller er let genkendelig" in page
    assert "Threats" not in page


def test_incident_page_in_english(client, personas, case):
    _login(client, personas, "en")
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert POLICE_REPORT_EN in page
    assert POLICE_REPORT_DA not in page
    assert "Danish Criminal Code § 266: threats" in page
    assert "Critical" in page
    assert "Facebook" in page


def test_incident_page_in_danish(client, personas, case):
    _login(client, personas, "da")
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()
    assert POLICE_REPORT_DA in page
    assert POLICE_REPORT_EN not in page
    assert "Straffeloven § 266: trusler" in page
    assert "Kritisk" in page


def test_reasons_summaries_and_deadlines_are_english_on_the_english_page(client, personas, case):
    _login(client, personas, "en")
    page = client.get(reverse("incidents:detail", args=[case.reference])).content.decode()

    assert "Triggered by:" in page and "Udløst af" not in page
    assert "Threats against an employee during or because of their work may be covered." in page
    assert "Public prosecution: the police can act on a report" in page  # the neutral summary
    assert "Report to the police within 72 hours of the offence" in page
    assert "Anmeld til politiet" not in page
    # The stored assessment stays Danish: the API and the reports read it as it is.
    case.refresh_from_db()
    assert "Udløst af:" in case.assessment["legal_references"][0]["reason"]
