"""Single sign-on through a real OpenID Connect provider (panva/oidc-provider, started here).

Just-in-time account, roles from the group claim, roles lost when the groups change, the
IdP's second factor (amr) trusted and said so, other e-mail domains refused, and the
periodic directory check deactivating a user the IdP no longer knows.
"""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import Membership, Role, User
from accounts.sso.models import SSOGrant, SSOGroupMapping, SSOProvider
from accounts.sso.services import sso_directory_check
from tests.sso_idps import start_oidc_idp, stop

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "testkommune-entra"


@pytest.fixture
def idp(live_server):
    idp, process = start_oidc_idp(redirect_uri=f"{live_server.url}/accounts/oidc/{SLUG}/login/callback/")
    yield idp
    stop(process)


@pytest.fixture
def provider(idp, personas):
    provider = SSOProvider.objects.create(
        organisation=personas.org,
        name="Testkommunes login",
        slug=SLUG,
        protocol=SSOProvider.Protocol.OIDC,
        oidc_issuer=idp.url,
        oidc_client_id=idp.client_id,
        oidc_client_secret=idp.client_secret,
        allowed_email_domains="testkommune.dk",
        groups_claim="groups",
        directory_url=f"{idp.url}/directory/users/{{uid}}",
    )
    SSOGroupMapping.objects.create(provider=provider, group="udh-ledere", unit=personas.family, role=Role.MANAGER)
    SSOGroupMapping.objects.create(
        provider=provider, group="udh-sagsbehandlere", unit=personas.team, role=Role.CASEWORKER
    )
    return provider


def _sign_in_at_idp(page, live_server, sub: str, *, mfa: bool) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Log ind med Testkommunes login").click()
    page.get_by_label("User name").fill(sub)
    if mfa:
        page.get_by_label("Used a second factor").check()
    page.get_by_role("button", name="Sign in at the IdP").click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Kirsten Kommune").click()
    page.get_by_role("button", name="Log ud").click()
    page.context.clear_cookies()  # the IdP's own session too, so it asks who signs in next


def test_oidc_sign_in_creates_the_user_with_mapped_roles_and_groups_changes_take_them(
    page, live_server, idp, provider, personas, screenshot
):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    idp.put_user("kirsten", email="kirsten@testkommune.dk", groups=["udh-ledere", "ukendt-gruppe"])

    _sign_in_at_idp(page, live_server, "kirsten", mfa=True)
    expect(page).to_have_url(f"{live_server.url}/leder/")
    expect(page.get_by_text("bekræftede, at du brugte to faktorer (mfa, pwd)")).to_be_visible()
    screenshot("sso-oidc-manager-landing")
    user = User.objects.get(email="kirsten@testkommune.dk")
    assert user.organisation == personas.org and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Kirsten", "Kommune")
    assert SocialAccount.objects.get(user=user).uid == "kirsten"
    assert list(Membership.objects.filter(user=user).values_list("unit__name", "role")) == [
        ("Børn og Familie", Role.MANAGER)
    ]
    assert SSOGrant.objects.filter(membership__user=user, group="udh-ledere").exists()

    # The IdP moves her to the caseworkers' group: at the next sign-in the manager role is gone.
    _sign_out(page)
    idp.put_user("kirsten", email="kirsten@testkommune.dk", groups=["udh-sagsbehandlere"])
    _sign_in_at_idp(page, live_server, "kirsten", mfa=False)
    expect(page).to_have_url(f"{live_server.url}/mine-sager/")
    expect(page.get_by_role("link", name="Hændelser")).to_have_count(0)
    assert list(Membership.objects.filter(user=user).values_list("unit__name", "role")) == [
        ("Team Nord", Role.CASEWORKER)
    ]
    assert User.objects.filter(email="kirsten@testkommune.dk").count() == 1


def test_a_manager_whose_idp_states_no_second_factor_must_enrol_here(page, live_server, idp, provider, personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    idp.put_user("kirsten", email="kirsten@testkommune.dk", groups=["udh-ledere"])
    _sign_in_at_idp(page, live_server, "kirsten", mfa=False)
    expect(page.get_by_text("oplyste ikke, at du brugte to faktorer")).to_be_visible()
    page.goto(f"{live_server.url}/leder/")
    expect(page).not_to_have_url(f"{live_server.url}/leder/")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Opsæt tofaktorlogin")).to_be_visible()


def test_an_existing_local_user_is_linked_not_duplicated(page, live_server, idp, provider, personas):
    personas.caseworker.email = "sara@testkommune.dk"
    personas.caseworker.save()
    idp.put_user("sara-idp", email="sara@testkommune.dk", groups=[], given_name="Sara", family_name="Sagsbehandler")
    _sign_in_at_idp(page, live_server, "sara-idp", mfa=False)
    expect(page).to_have_url(f"{live_server.url}/mine-sager/")  # her own memberships stay
    assert SocialAccount.objects.get(uid="sara-idp").user == personas.caseworker
    assert Membership.objects.filter(user=personas.caseworker, role=Role.CASEWORKER).exists()


def test_an_email_outside_the_allowed_domains_is_refused(page, live_server, idp, provider):
    idp.put_user("mallory", email="mallory@example.com", groups=["udh-ledere"])
    _sign_in_at_idp(page, live_server, "mallory", mfa=True)
    expect(page.get_by_role("heading", name="Du kan ikke logge ind her med denne konto")).to_be_visible()
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_local_passwords_can_be_turned_off(page, live_server, provider, personas, sign_in):
    from tests.factories import TEST_PASSWORD

    personas.org.allow_local_passwords = False
    personas.org.save()
    sign_in("caseworker", TEST_PASSWORD)
    expect(page.get_by_text("Din organisation har slået log ind med adgangskode fra")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_the_directory_check_deactivates_users_the_idp_no_longer_knows(page, live_server, idp, provider):
    idp.put_user("kirsten", email="kirsten@testkommune.dk", groups=["udh-ledere"])
    idp.put_user("ole", email="ole@testkommune.dk", groups=["udh-sagsbehandlere"], given_name="Ole")
    for sub in ("kirsten", "ole"):
        _sign_in_at_idp(page, live_server, sub, mfa=True)
        expect(page).not_to_have_url(f"{live_server.url}/accounts/login/")
        page.context.clear_cookies()
    idp.delete_user("ole")
    assert sso_directory_check(provider=provider) == [User.objects.get(email="ole@testkommune.dk").username]
    assert User.objects.get(email="kirsten@testkommune.dk").is_active
    assert not User.objects.get(email="ole@testkommune.dk").is_active
