"""Did the identity provider say the user signed in with more than one factor?

A single sign-on relies on the identity provider's own second factor. We count it only when
the provider says so in the sign-in it sends us:

- OpenID Connect: the ID token's `amr` (RFC 8176) contains "mfa", or its `acr` is one of
  `MFA_ACR_VALUES` (multi-factor or NSIS «betydelig»/«høj»);
- SAML 2.0: the attribute named in the provider's `mfa_claim` (by default Entra ID's
  `authnmethodsreferences`) contains one of `MFA_AMR_VALUES`.

When it does not, a manager or admin who must use two factors is asked for this system's
own TOTP code, exactly as at a sign-in with a password.
"""

from __future__ import annotations

MFA_AMR_VALUES = frozenset(
    {
        "mfa",
        "http://schemas.microsoft.com/claims/multipleauthn",
    }
)
MFA_ACR_VALUES = frozenset(
    {
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
        "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        "https://data.gov.dk/concept/core/nsis/loa/High",
        "urn:dk:gov:saml:attribute:AssuranceLevel:3",
    }
)


def _values(value) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(item) for item in value}


def mfa_from_claims(claims: dict, *, amr_key: str = "amr") -> tuple[bool, str]:
    """(two factors stated?, what was stated) from OIDC claims or SAML attributes."""
    amr = _values(claims.get(amr_key))
    acr = _values(claims.get("acr"))
    stated = ", ".join(sorted(amr | acr))
    return bool(amr & MFA_AMR_VALUES or acr & MFA_ACR_VALUES), stated


def fresh_sso_sign_in(request) -> bool:
    """Did this session sign in through an identity provider in the last few minutes?

    Setting up TOTP asks allauth to re-authenticate first; a user who signed in through the
    IdP just now (and has no local password to type) counts as freshly authenticated.
    """
    import time

    from allauth.account import app_settings
    from allauth.account.internal.flows.login import get_authentication_records

    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or user.has_usable_password():
        return False
    records = [r for r in get_authentication_records(request, user) if r.get("method") == "socialaccount"]
    return bool(records) and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT
