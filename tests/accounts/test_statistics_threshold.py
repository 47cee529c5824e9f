"""The organisation's statistics threshold k is at least 3 (DOMAIN.md section 7): with k = 2,
«< 2» could only mean 1. The admin form refuses smaller values in Danish, and the database
refuses them too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("k", "ok"), [(2, False), (3, True), (50, True), (51, False)])
def test_model_validation(personas, k, ok):
    org = personas.org
    org.statistics_threshold = k
    if ok:
        org.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert list(error.value.message_dict) == ["statistics_threshold"]


def test_the_database_refuses_a_threshold_below_3(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=personas.org.pk).update(statistics_threshold=2)
    assert Organisation.objects.get(pk=personas.org.pk).statistics_threshold == 5


def test_the_admin_form_explains_it_in_danish_and_keeps_the_value(client, personas):
    client.force_login(personas.admin)
    url = reverse("admin:accounts_organisation_change", args=[personas.org.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Mindst 3." in form.content.decode()
    data = {
        "name": personas.org.name,
        "cvr": "",
        "address": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "statistics_threshold": "2",
        "statistics_lag_months": "1",
        "retention_months": "24",
        "recording_retention_months": "36",
        "audit_retention_months": "60",
        "notify_union_reps_of_serious": "on",
        "mfa_relaxed_reason": "Testorganisation",
        "allow_local_passwords": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Denne værdi skal være større end eller lig 3." in body and 'name="statistics_threshold" value="2"' in body
    assert Organisation.objects.get(pk=personas.org.pk).statistics_threshold == 5
    response = client.post(url, {**data, "statistics_threshold": "3"})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=personas.org.pk).statistics_threshold == 3
