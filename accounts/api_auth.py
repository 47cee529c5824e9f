"""Token authentication for the REST API (the name every API view and the settings use).

The keys are the named, hashed, expiring and scoped API tokens of `accounts.api_tokens`
(see `accounts/api_tokens/authentication.py` for every refusal and its JSON). A token of a
manager or admin who must sign in with two factors works only once they have set them up:
RequireTwoFactorMiddleware runs before DRF authenticates a token, so it only sees the
session user, and the check is repeated here.

Use in settings:

    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api_auth.TwoFactorTokenAuthentication",
    ]
"""

from .api_tokens.authentication import ScopedTokenAuthentication


class TwoFactorTokenAuthentication(ScopedTokenAuthentication):
    """Scoped API tokens, refused for users who must use two factors and have not enrolled."""
