"""API tokens and the organisation's two-factor rule (accounts.api_auth)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.factories import api_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


@pytest.fixture
def mfa_org(personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    return personas


def _get(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client.get(URL)


def test_every_api_view_uses_the_two_factor_token_class():
    """DRF's stock token class let a manager without TOTP past the organisation's rule."""
    from accounts.api_auth import TwoFactorTokenAuthentication
    from incidents.api.views import ApiMixin

    assert TwoFactorTokenAuthentication in ApiMixin.authentication_classes
    assert TwoFactorTokenAuthentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES


@pytest.mark.parametrize("persona", ["manager"])
def test_token_of_manager_without_totp_is_refused_in_danish(mfa_org, persona):
    response = _get(getattr(mfa_org, persona))
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_required"
    assert "tofaktorlogin" in response.json()["detail"]


def test_token_of_manager_with_totp_is_accepted(mfa_org):
    TOTP.activate(mfa_org.manager, generate_totp_secret())
    response = _get(mfa_org.manager)
    assert response.status_code == 200, response.json()


def test_the_same_token_works_once_the_manager_has_enrolled(mfa_org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(mfa_org.manager)}")
    assert client.get(URL).status_code == 401
    TOTP.activate(mfa_org.manager, generate_totp_secret())
    assert client.get(URL).status_code == 200


def test_caseworker_token_is_not_touched_by_the_rule(mfa_org):
    assert _get(mfa_org.caseworker).status_code == 200


def test_manager_token_works_when_the_org_does_not_require_two_factors(personas):
    assert _get(personas.manager).status_code == 200


def test_unknown_token_is_still_refused(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "token_invalid"


def test_the_report_api_is_covered_too(mfa_org):
    from reports.api import ReportListView

    assert ReportListView.authentication_classes[0].__name__ == "TwoFactorTokenAuthentication"
