"""Two factors by default for managers and admins; relaxing it needs a reason and is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Organisation, Role
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UnitFactory, member

pytestmark = pytest.mark.django_db


def test_a_new_organisation_requires_two_factors_for_managers():
    organisation = Organisation.objects.create(name="Ny Kommune")
    assert organisation.require_mfa_for_managers is True


def test_a_manager_of_a_default_organisation_is_sent_to_set_up_two_factors(client):
    unit = UnitFactory(organisation=Organisation.objects.create(name="Ny Kommune"))
    manager = member(unit, Role.MANAGER, username="ny_leder")
    client.force_login(manager)
    response = client.get(reverse("dashboard:manager"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_relaxing_without_a_reason_is_refused_in_danish():
    organisation = Organisation(name="Ny Kommune", require_mfa_for_managers=False)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "Skriv hvorfor" in str(error.value.message_dict["mfa_relaxed_reason"])


def _admin_form(organisation, **changes):
    data = {
        "name": organisation.name,
        "cvr": "",
        "address": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "statistics_threshold": "5",
        "statistics_lag_months": "1",
        "retention_months": "24",
        "recording_retention_months": "36",
        "audit_retention_months": "60",
        "notify_union_reps_of_serious": "on",
        "allow_local_passwords": "on",
        "mfa_relaxed_reason": "",
    }
    if organisation.require_mfa_for_managers:
        data["require_mfa_for_managers"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_admin_relaxes_the_rule_with_a_reason_and_it_is_audited(client, personas):
    personas.org.require_mfa_for_managers = True
    personas.org.mfa_relaxed_reason = ""
    personas.org.save()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(personas.admin, generate_totp_secret())
    client.force_login(personas.admin)
    url = reverse("admin:accounts_organisation_change", args=[personas.org.pk])

    refused = client.post(url, _admin_form(personas.org, require_mfa_for_managers=None))
    assert refused.status_code == 200 and "Skriv hvorfor" in refused.content.decode()
    personas.org.refresh_from_db()
    assert personas.org.require_mfa_for_managers

    reason = "Vikarer uden arbejdstelefon indtil 1. marts; kompenseret med IP-begrænsning."
    done = client.post(url, _admin_form(personas.org, require_mfa_for_managers=None, mfa_relaxed_reason=reason))
    assert done.status_code == 302
    personas.org.refresh_from_db()
    assert not personas.org.require_mfa_for_managers
    event = AuditEvent.objects.get(object_type="accounts.organisation", object_id=str(personas.org.pk))
    assert event.actor == personas.admin
    assert event.details == {"require_mfa_for_managers": False, "previous": True, "reason": reason}
    assert "lempet" in event.summary


def test_recovery_codes_are_shown_in_plain_danish_and_not_cached(client, personas):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(personas.manager, generate_totp_secret())
    codes = RecoveryCodes.activate(personas.manager).get_unused_codes()
    client.force_login(personas.manager)
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302
    response = client.get(reverse("mfa_view_recovery_codes"))
    page = response.content.decode()
    assert response.status_code == 200, response.get("Location")
    assert "Gendannelseskoder" in page and codes[0] in page and "Hver kode virker én gang" in page
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
