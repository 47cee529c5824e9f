"""Two-factor sign-in required by the organisation.

When the organisation requires it (the default), a manager or admin who has not set up TOTP
is sent to the set-up page before anything else; allauth itself asks every user who has
TOTP for a code at sign-in. A single sign-on whose identity provider stated a second factor
(the `amr`/`acr` claims, see accounts/sso/mfa.py) counts as two factors for that session.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions
from .models import Role

# Set at a single sign-on when the identity provider stated that a second factor was used.
SSO_MFA_SESSION_KEY = "sso_mfa"

_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/favicon.ico")


def mfa_required(user) -> bool:
    """Does the organisation require this user to sign in with two factors?"""
    if not (user.is_authenticated and user.is_active):
        return False
    held = permissions.roles(user)
    if not (held & {Role.MANAGER, Role.ADMIN} or user.is_superuser):
        return False
    return permissions.shared(user)["requires_mfa"]


def has_totp(user) -> bool:
    """Has the user set up TOTP? Kept in the user's cached access entry (accounts/access_cache.py,
    dropped when an authenticator is saved or deleted)."""
    from allauth.mfa.models import Authenticator

    return permissions.kept(
        user, "totp", lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not request.session.get(SSO_MFA_SESSION_KEY)
            and mfa_required(user)
            and not has_totp(user)
        ):
            messages.warning(
                request,
                _(
                    "Din organisation kræver tofaktorlogin for ledere og administratorer. "
                    "Opsæt en godkendelsesapp for at fortsætte."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
