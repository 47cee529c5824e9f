"""Token authentication for the REST API that respects the organisation's two-factor rule.

RequireTwoFactorMiddleware runs before DRF authenticates a token, so it only sees the
session user. A token belonging to a manager or admin whose organisation requires two
factors, and who has not set up an authenticator app, is refused here instead.

Use in settings:

    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api_auth.TwoFactorTokenAuthentication",
    ]
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .middleware import has_totp, mfa_required


class TwoFactorTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if mfa_required(user) and not has_totp(user):
            raise exceptions.AuthenticationFailed(
                _("Din organisation kræver tofaktorlogin for ledere og administratorer. Opsæt en "
                  "godkendelsesapp, før du bruger API'et med en nøgle.")
            )
        return user, token
