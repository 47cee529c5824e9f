"""Single sign-on without a browser: group mapping, the MFA statement, CSP for the IdP, config."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import ApiToken, Membership, Role
from accounts.sso.adapter import SSOAdapter
from accounts.sso.mfa import mfa_from_claims
from accounts.sso.models import SSOGrant, SSOGroupMapping, SSOProvider
from accounts.sso.services import groups_from_claims, sso_memberships_sync
from audit.models import AuditEvent
from tests.factories import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(personas):
    provider = SSOProvider.objects.create(
        organisation=personas.org,
        name="Entra ID",
        slug="entra",
        protocol=SSOProvider.Protocol.OIDC,
        oidc_issuer="https://login.example.invalid/tenant/v2.0",
        oidc_client_id="client",
        oidc_client_secret="s",
        allowed_email_domains="testkommune.dk, @mail.testkommune.dk",
    )
    SSOGroupMapping.objects.create(provider=provider, group="ledere", unit=personas.family, role=Role.MANAGER)
    SSOGroupMapping.objects.create(provider=provider, group="tr", unit=personas.root, role=Role.UNION_REP)
    return provider


def test_groups_give_and_take_memberships_but_leave_hand_made_ones(provider, personas):
    user = personas.caseworker  # holds a caseworker membership an admin gave by hand
    result = sso_memberships_sync(user=user, provider=provider, groups=["ledere", "tr", "andet"])
    assert len(result.added) == 2 and result.removed == []
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.CASEWORKER,
        Role.MANAGER,
        Role.UNION_REP,
    }
    key = api_token(user, scopes=["statistics"])

    result = sso_memberships_sync(user=user, provider=provider, groups=["andet"])
    assert len(result.removed) == 2
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.CASEWORKER]
    assert not SSOGrant.objects.exists()
    token = ApiToken.objects.get(user=user)
    assert token.revoked_reason == ApiToken.RevokedReason.MEMBERSHIPS and key
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).latest("id")
    assert event.details["removed"] and event.details["groups"] == ["andet"]


def test_an_unchanged_sign_in_changes_and_audits_nothing(provider, personas):
    sso_memberships_sync(user=personas.outsider, provider=provider, groups=["tr"])
    before = AuditEvent.objects.count()
    assert sso_memberships_sync(user=personas.outsider, provider=provider, groups=["tr"]).added == []
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("claims", "stated"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"acr": "https://data.gov.dk/concept/core/nsis/loa/Substantial"}, True),
        ({"acr": "https://data.gov.dk/concept/core/nsis/loa/Low"}, False),
        ({}, False),
    ],
)
def test_the_idps_statement_about_a_second_factor(claims, stated):
    assert mfa_from_claims(claims)[0] is stated


def test_groups_claim_may_be_a_single_string(provider):
    assert groups_from_claims(provider, {"groups": "ledere"}) == ["ledere"]
    assert groups_from_claims(provider, {}) == []


def test_allowed_domains_are_exact(provider):
    assert provider.email_allowed("a@testkommune.dk") and provider.email_allowed("a@MAIL.testkommune.dk")
    assert not provider.email_allowed("a@testkommune.dk.evil.example")
    assert not provider.email_allowed("a@example.com") and not provider.email_allowed("")


def test_a_provider_needs_its_protocols_settings_and_a_domain(personas):
    with pytest.raises(ValidationError) as error:
        SSOProvider(
            organisation=personas.org, name="x", slug="x", protocol=SSOProvider.Protocol.SAML, allowed_email_domains=""
        ).full_clean()
    assert {"saml_idp_entity_id", "saml_idp_metadata_url", "allowed_email_domains"} <= set(error.value.message_dict)


def test_allauth_sees_the_enabled_providers_only(provider, rf):
    apps = SSOAdapter().list_apps(rf.get("/"), provider="entra")
    assert [(app.provider, app.provider_id, app.client_id) for app in apps] == [("openid_connect", "entra", "client")]
    assert apps[0].settings["oauth_pkce_enabled"] is True
    provider.enabled = False
    provider.save()
    assert SSOAdapter().list_apps(rf.get("/")) == []


def test_the_sign_in_page_may_post_on_to_the_idp_and_no_other_page_may(provider, personas):
    page = Client().get("/accounts/login/")
    assert "Log ind med Entra ID" in page.content.decode()
    assert "form-action 'self' https://login.example.invalid" in page["Content-Security-Policy"]
    client = Client()
    client.force_login(personas.caseworker)
    other = client.get("/mine-sager/")
    assert "form-action 'self';" in other["Content-Security-Policy"] + ";"
    assert "login.example.invalid" not in other["Content-Security-Policy"]
