from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.core.exceptions import ValidationError

from common import client_ip as client_ip_module


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the organisation's admin, never by self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        from .sso.mfa import fresh_sso_sign_in

        if fresh_sso_sign_in(self.request):
            return False  # just signed in through the organisation's IdP, and has no password to type
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_client_ip(self, request) -> str:
        """Throttling counts the client our trusted proxy saw, never a client-written header."""
        return client_ip_module.client_ip(request) or "0.0.0.0"  # noqa: S104 - only a throttling key

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failures count per account, whether the user typed the username or the e-mail
        address, so a password reset by e-mail lifts the lockout of both."""
        login = str(credentials.get("email") or credentials.get("username") or "").strip()
        user = _user_for(login)
        return f"account:{user.pk}" if user is not None else f"login:{login.lower()}"

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from . import security

            login = str(credentials.get("username") or credentials.get("email") or "")
            security.lockout_recorded(request=request, user=_user_for(login), login=login)
            raise


def _user_for(login: str):
    from .models import User

    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is None and "@" in login:
        user = User.objects.filter(email__iexact=login).first()
    return user


def lockout_lift(*, request, user) -> None:
    """Lift the sign-in lockout of one account (the admin's action; a password reset by
    e-mail lifts it too, in allauth)."""
    key = AccountAdapter(request)._get_login_attempts_cache_key(request, username=user.username)
    ratelimit.clear(request, action="login_failed", key=key)
