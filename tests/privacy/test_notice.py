"""The privacy notice for employees (art. 13), linked from the self-report form and the footer, and the DPO and
police district printed where DOMAIN.md section 10 says (record of processing, Datatilsynet complaint, settings)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from privacy import processing
from tests.conftest import PERSONA_NAMES
from tests.factories import member

pytestmark = pytest.mark.django_db

UNTRUE = "kun du og ledelsen"


def test_the_self_report_form_no_longer_says_only_you_and_management_and_links_the_notice(client, personas):
    client.force_login(personas.caseworker)
    body = client.get(reverse("incidents:self_report")).content.decode()
    assert UNTRUE not in body
    assert "lederne i din enhed og enhederne over den" in body
    assert "tillidsrepræsentant ser det kun, hvis du selv deler sagen" in body
    assert body.count(f'href="{reverse("privacy:notice")}"') == 2  # the form and the footer


def test_the_notice_names_the_managers_who_would_see_the_case_and_the_dpo(client, personas):
    team_manager = member(
        personas.team, Role.MANAGER, username="team_manager", first_name="Tina", last_name="Teamleder"
    )
    client.force_login(personas.caseworker)
    body = client.get(reverse("privacy:notice")).content.decode()
    # The caseworker is in Børn og Familie (under Socialforvaltning): its managers and those above it.
    assert "<strong>Børn og Familie:</strong> Mette Leder" in body
    assert str(team_manager) not in body and str(personas.other_manager) not in body  # below / beside: not
    for expected in (
        "Hvem kan se din sag",
        "kun, hvis du selv deler sagen",
        "Organisationens administratorer ser ikke sagerne",
        "Dine kolleger, også andre sagsbehandlere i din enhed, kan ikke se sagen",
        "Dorte Databeskytter, dpo@testkommune.invalid, +45 87 65 43 21",
        "Testkommune",
        "Datatilsynet (art. 77)",
        "Politiet: politianmeldelse",
    ):
        assert expected in body, expected
    assert UNTRUE not in body


@pytest.mark.parametrize("persona", [*PERSONA_NAMES, "anonymous"])
def test_everyone_may_read_the_notice(client, personas, persona):
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sådan behandler vi oplysninger om dig" in body and "Hvem kan se din sag" in body
    assert ("Testkommune" in body) == (persona != "anonymous")


def test_the_record_of_processing_prints_the_dpo_or_says_it_is_missing(client, personas):
    record = processing.build_record(personas.org)
    assert (
        "Databeskyttelsesrådgiver (DPO)",
        "Dorte Databeskytter, dpo@testkommune.invalid, +45 87 65 43 21",
    ) in record.controller
    Organisation.objects.filter(pk=personas.org.pk).update(dpo_name="", dpo_email="", dpo_phone="")
    personas.org.refresh_from_db()
    missing = dict(processing.build_record(personas.org).controller)["Databeskyttelsesrådgiver (DPO)"]
    assert missing.startswith("ikke oplyst")
    client.force_login(personas.manager)
    page = client.get(reverse("privacy:record")).content.decode()
    assert "Databeskyttelsesrådgiver (DPO)" in page and "ikke oplyst" in page


def test_the_admin_edits_dpo_and_police_district_in_the_organisation_settings(client, personas):
    client.force_login(personas.admin)
    url = reverse("admin:accounts_organisation_change", args=[personas.org.pk])
    form = client.get(url).content.decode()
    assert 'name="dpo_name"' in form and 'name="police_district"' in form
    assert "konsekvensanalysen (DPIA)" in form
    data = {
        "name": personas.org.name,
        "cvr": personas.org.cvr,
        "address": personas.org.address,
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "police_district": "Fyns Politi",
        "dpo_name": "Ditte DPO",
        "dpo_email": "ikke-en-mail",
        "dpo_phone": "+45 11 11 11 11",
        "statistics_threshold": "5",
        "statistics_lag_months": "1",
        "retention_months": "24",
        "recording_retention_months": "36",
        "audit_retention_months": "60",
        "notify_union_reps_of_serious": "on",
        "mfa_relaxed_reason": "Testorganisation",
        "allow_local_passwords": "on",
    }
    bad = client.post(url, data)
    assert bad.status_code == 200 and 'value="Ditte DPO"' in bad.content.decode()
    assert Organisation.objects.get(pk=personas.org.pk).dpo_name == "Dorte Databeskytter"
    assert client.post(url, {**data, "dpo_email": "ditte@testkommune.invalid"}).status_code == 302
    org = Organisation.objects.get(pk=personas.org.pk)
    assert (org.dpo_name, org.dpo_email, org.police_district) == (
        "Ditte DPO",
        "ditte@testkommune.invalid",
        "Fyns Politi",
    )
    client.force_login(personas.manager)
    assert "Ditte DPO, ditte@testkommune.invalid" in client.get(reverse("privacy:notice")).content.decode()


@pytest.mark.parametrize("persona", ["manager", "caseworker", "union_rep", "outsider"])
def test_only_admins_reach_the_organisation_settings(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("admin:accounts_organisation_change", args=[personas.org.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
