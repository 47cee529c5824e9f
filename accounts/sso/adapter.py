"""allauth's social accounts driven by the organisations' SSO providers (accounts.sso.models).

- The providers are not SocialApp rows: `list_apps` builds them from `SSOProvider`, so the
  organisation admin edits one screen and nothing is copied.
- Just-in-time accounts: the first sign-in creates the user in the provider's organisation
  (no password); an existing user of that organisation with the same e-mail is linked instead.
- Only e-mail addresses in the provider's allowed domains get in.
- Every sign-in maps the groups claim to memberships (services.sso_memberships_sync).
- The IdP's statement about a second factor (mfa.py) is kept in the session and shown.
"""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.middleware import SSO_MFA_SESSION_KEY
from accounts.models import User

from .mfa import mfa_from_claims
from .models import SSOProvider
from .services import groups_from_claims, sso_memberships_sync

OIDC = "openid_connect"
SAML = "saml"


def social_app_for(provider: SSOProvider):
    from allauth.socialaccount.models import SocialApp

    if provider.protocol == SSOProvider.Protocol.OIDC:
        return SocialApp(
            provider=OIDC,
            provider_id=provider.slug,
            name=provider.name,
            client_id=provider.oidc_client_id,
            secret=provider.oidc_client_secret,
            settings={
                "server_url": provider.oidc_issuer,
                "oauth_pkce_enabled": True,
                "scope": ["openid", "profile", "email", provider.groups_claim],
            },
        )
    idp = {"entity_id": provider.saml_idp_entity_id}
    if provider.saml_idp_metadata_url:
        idp["metadata_url"] = provider.saml_idp_metadata_url
    else:
        idp.update(sso_url=provider.saml_idp_sso_url, x509cert=provider.saml_idp_x509_cert)
    return SocialApp(
        provider=SAML,
        provider_id=provider.slug,
        name=provider.name,
        client_id=provider.slug,
        settings={
            "idp": idp,
            "attribute_mapping": {
                "uid": ["uid", "http://schemas.microsoft.com/identity/claims/objectidentifier"],
                "email": ["email", "mail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
                "first_name": ["givenName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"],
                "last_name": ["sn", "surname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
            },
            "advanced": {
                "reject_idp_initiated_sso": True,
                "want_assertion_signed": True,
                "allow_single_label_domains": True,
            },
        },
    )


def _claims(sociallogin) -> tuple[dict, dict]:
    """(all claims or attributes, the ID token's own claims)."""
    data = sociallogin.account.extra_data or {}
    if sociallogin.account.get_provider().id == OIDC:
        id_token = data.get("id_token") or {}
        return {**id_token, **(data.get("userinfo") or {})}, id_token
    return data, data


class SSOAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        apps = []
        try:
            rows = list(SSOProvider.objects.filter(enabled=True).select_related("organisation"))
        except DatabaseError:  # no sign-in buttons while the database is unreachable
            rows = []
        for row in rows:
            app = social_app_for(row)
            if provider and provider not in (app.provider, app.provider_id):
                continue
            if client_id and client_id != app.client_id:
                continue
            apps.append(app)
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # only providers the organisation configured get here; pre_social_login checks the e-mail

    def _provider_row(self, sociallogin) -> SSOProvider:
        return SSOProvider.objects.select_related("organisation").get(slug=sociallogin.account.provider)

    def pre_social_login(self, request, sociallogin) -> None:
        provider = self._provider_row(sociallogin)
        claims, id_token = _claims(sociallogin)
        email = (sociallogin.user.email or claims.get("email") or "").strip()
        if not provider.email_allowed(email):
            raise ImmediateHttpResponse(
                render(request, "sso/refused.html", {"provider": provider, "email": email}, status=403)
            )
        if not sociallogin.is_existing:
            existing = User.objects.filter(organisation=provider.organisation, email__iexact=email).first()
            if existing is not None:
                sociallogin.user = existing
                sociallogin.save(request, connect=True)
        if sociallogin.is_existing:
            sso_memberships_sync(
                user=sociallogin.user, provider=provider, groups=groups_from_claims(provider, claims), request=request
            )
        self._note_mfa(request, provider, id_token if provider.protocol == SSOProvider.Protocol.OIDC else claims)

    def save_user(self, request, sociallogin, form=None):
        provider = self._provider_row(sociallogin)
        user = sociallogin.user
        user.organisation = provider.organisation
        user.set_unusable_password()
        user = super().save_user(request, sociallogin, form)
        claims, _id_token = _claims(sociallogin)
        sso_memberships_sync(user=user, provider=provider, groups=groups_from_claims(provider, claims), request=request)
        return user

    def _note_mfa(self, request, provider: SSOProvider, claims: dict) -> None:
        amr_key = "amr" if provider.protocol == SSOProvider.Protocol.OIDC else provider.mfa_attribute
        stated, values = mfa_from_claims(claims, amr_key=amr_key)
        request.session[SSO_MFA_SESSION_KEY] = stated
        if stated:
            messages.info(
                request,
                _(
                    "Du er logget ind via %(idp)s, som bekræftede, at du brugte to faktorer "
                    "(%(values)s). Systemet beder derfor ikke om sin egen kode."
                )
                % {"idp": provider.name, "values": values},
            )
        else:
            messages.info(
                request,
                _(
                    "Du er logget ind via %(idp)s. Den oplyste ikke, at du brugte to faktorer; "
                    "skal du som leder eller administrator bruge tofaktorlogin, beder systemet "
                    "om sin egen kode."
                )
                % {"idp": provider.name},
            )
