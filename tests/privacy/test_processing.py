"""The record of processing (art. 30): generated from the models and settings, complete, and the README's copy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents.models import Incident
from privacy import activities, processing
from reports.models import Report

README = Path(settings.BASE_DIR) / "README.md"


def test_every_model_of_the_project_apps_is_classified():
    missing = processing.unclassified_models()
    assert not missing, (
        f"models without a place in the record of processing: {missing} – add each to REGISTRY in "
        "privacy/activities.py (an activity, or None with a note saying why it holds no personal data), then run "
        "`python manage.py record_of_processing --update-readme`"
    )


def test_every_project_app_is_covered_and_no_entry_is_stale():
    assert set(processing.PROJECT_APPS) >= {
        "accounts",
        "incidents",
        "reports",
        "notifications",
        "recordings",
        "audit",
        "stats",
        "privacy",
    }
    assert not processing.stale_entries(), "REGISTRY names models that no longer exist"
    for label, classification in processing.REGISTRY.items():
        assert classification.activity is None or classification.activity in processing.ACTIVITIES, label
        if classification.activity is None:
            assert str(classification.note), f"{label}: say why it holds no personal data"


def test_every_report_kind_has_a_recipient():
    kinds = [value for value, _ in Report.Kind.choices]
    missing = [kind for kind in kinds if kind not in activities.REPORT_RECIPIENTS]
    assert not missing, f"report kinds without a recipient in privacy/activities.py: {missing}"
    lines = processing.report_recipients()
    for label in Report.Kind.labels:
        assert any(line.startswith(str(label)) for line in lines)


@pytest.mark.django_db
def test_categories_of_data_are_the_models_own_field_names():
    record = processing.build_record()
    incidents = next(a for a in record.activities if a.code == "incidents")
    incident = next(m for m in incidents.models if m.label == "incidents.incident")
    for name in ("perpetrator_name", "perpetrator_profile_url", "description", "legal_hold"):
        assert str(Incident._meta.get_field(name).verbose_name) in incident.fields
    assert "sygefravær (dage) (helbredsoplysning, art. 9)" in incident.fields
    every_model = {m.label for a in record.activities for m in a.models} | {
        m.label for m in record.without_personal_data
    }
    assert {m._meta.label_lower for m in processing.project_models()} <= every_model
    assert all(a.models for a in record.activities), "an activity without any model"


@pytest.mark.django_db
def test_retention_and_security_come_from_the_organisation_and_the_settings(personas, settings):
    settings.SESSION_COOKIE_AGE = 10 * 60
    settings.LOGIN_FAILURES_PER_USER = 7
    personas.org.retention_months = 36
    personas.org.save()
    record = processing.build_record(personas.org)
    incidents = next(a for a in record.activities if a.code == "incidents")
    assert "36 måneder (organisationens indstilling «opbevaring efter afslutning (måneder)»)" in incidents.retention
    users = next(a for a in record.activities if a.code == "users")
    assert "10 minutters inaktivitet" in users.retention
    assert any("Efter 7 mislykkede forsøg" in item for item in record.security)
    assert ("Dataansvarlig", "Testkommune") in record.controller
    generic = processing.build_record()
    assert "24 måneder (standard; organisationen vælger mellem 1 og 120" in generic.activities[0].retention


@pytest.mark.django_db
def test_the_readme_section_is_the_commands_output():
    out = io.StringIO()
    call_command("record_of_processing", stdout=out)
    section = processing.readme_section(README.read_text(encoding="utf-8"))
    assert section == out.getvalue(), (
        "The README section «Fortegnelse over behandlinger» differs from the generated record: run "
        "`python manage.py record_of_processing --update-readme` and commit README.md"
    )


@pytest.mark.django_db
def test_the_command_names_an_organisation(personas):
    out = io.StringIO()
    call_command("record_of_processing", organisation=personas.org.pk, stdout=out)
    assert "- **Dataansvarlig:** Testkommune" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("record_of_processing", organisation=999999, stdout=io.StringIO())


def test_readme_splicing_keeps_the_rest():
    readme = f"intro\n{processing.README_START}old\n{processing.README_END}\nafter\n"
    updated = processing.readme_with_section(readme, "new\n")
    assert updated == f"intro\n{processing.README_START}new\n{processing.README_END}\nafter\n"
    assert processing.readme_section(updated) == "new\n"


@pytest.mark.django_db
def test_the_page_and_the_download(client, personas):
    personas.org.retention_months = 18
    personas.org.save()
    client.force_login(personas.manager)
    page = client.get(reverse("privacy:record")).content.decode()
    assert "Fortegnelse over behandlinger" in page
    assert "18 måneder (organisationens indstilling" in page
    assert str(Report.Kind.POLICE.label) in page and "Politiet" in page
    assert "Anonymiserede rester af slettede hændelser" in page
    download = client.get(reverse("privacy:record_download"))
    assert download["Content-Type"] == "text/markdown; charset=utf-8"
    text = download.content.decode()
    assert text.startswith("# Fortegnelse over behandlinger – Testkommune")
    assert "### 1. Registrering og håndtering af udhængning" in text
