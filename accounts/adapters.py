from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.core.exceptions import ValidationError

from . import client_ip as client_ip_module


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the organisation's admin, never by self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """Throttling counts the client our trusted proxy saw, never a client-written header."""
        return client_ip_module.client_ip(request) or "0.0.0.0"  # noqa: S104 - only a throttling key

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from . import security
            from .models import User

            login = str(credentials.get("username") or credentials.get("email") or "")
            user = User.objects.filter(username__iexact=login).first() if login else None
            security.lockout_recorded(request=request, user=user, login=login)
            raise


def lockout_lift(*, request, user) -> None:
    """Lift the sign-in lockout of one account (the admin's action; a password reset by
    e-mail lifts it too, in allauth)."""
    adapter = AccountAdapter(request)
    for login in {user.username, user.email} - {""}:
        for field in ("username", "email"):
            key = adapter._get_login_attempts_cache_key(request, **{field: login})
            ratelimit.clear(request, action="login_failed", key=key)
