"""Single sign-on through a real SAML 2.0 IdP (pysaml2, tests/saml_idp.py, started here).

Signed response and assertion checked by python3-saml (xmlsec1); just-in-time account,
roles from the groups attribute, roles lost when the groups change, the IdP's MFA attribute.
"""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import Membership, Role, User
from accounts.sso.models import SSOGroupMapping, SSOProvider
from tests.sso_idps import free_port, start_saml_idp, stop

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "testkommune-saml"


@pytest.fixture
def saml(live_server, personas, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = SSOProvider.objects.create(
        organisation=personas.org,
        name="Testkommunes SAML-login",
        slug=SLUG,
        protocol=SSOProvider.Protocol.SAML,
        saml_idp_entity_id=f"{base}/metadata",
        saml_idp_metadata_url=f"{base}/metadata",
        allowed_email_domains="testkommune.dk",
        groups_claim="groups",
    )
    SSOGroupMapping.objects.create(provider=provider, group="udh-ledere", unit=personas.family, role=Role.MANAGER)
    SSOGroupMapping.objects.create(provider=provider, group="udh-tr", unit=personas.root, role=Role.UNION_REP)
    idp, process = start_saml_idp(
        port=port, sp_metadata_url=f"{live_server.url}/accounts/saml/{SLUG}/metadata/", workdir=tmp_path
    )
    yield idp
    stop(process)


def _sign_in(page, live_server, uid: str, *, mfa: bool) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Log ind med Testkommunes SAML-login").click()
    page.get_by_label("SAML user name").fill(uid)
    if mfa:
        page.get_by_label("Used a second factor at the SAML IdP").check()
    page.get_by_role("button", name="Sign in at the SAML IdP").click()
    page.get_by_role("button", name="Continue to the service").click()


def test_saml_sign_in_lands_with_mapped_roles_and_loses_them_when_groups_change(
    page, live_server, saml, personas, screenshot
):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    saml.put_user("sam", email="sam@testkommune.dk", groups=["udh-ledere"], mfa=True)
    _sign_in(page, live_server, "sam", mfa=True)
    expect(page).to_have_url(f"{live_server.url}/leder/")
    expect(page.get_by_text("bekræftede, at du brugte to faktorer")).to_be_visible()
    screenshot("sso-saml-manager-landing")
    user = User.objects.get(email="sam@testkommune.dk")
    assert user.organisation == personas.org and not user.has_usable_password()
    assert SocialAccount.objects.get(user=user, provider=SLUG).uid == "sam"
    assert list(Membership.objects.filter(user=user).values_list("unit__name", "role")) == [
        ("Børn og Familie", Role.MANAGER)
    ]

    page.context.clear_cookies()
    saml.put_user("sam", email="sam@testkommune.dk", groups=["udh-tr"])
    _sign_in(page, live_server, "sam", mfa=False)
    expect(page).to_have_url(f"{live_server.url}/statistik/")
    assert list(Membership.objects.filter(user=user).values_list("unit__name", "role")) == [
        ("Socialforvaltning", Role.UNION_REP)
    ]
