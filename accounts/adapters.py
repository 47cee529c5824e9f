from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the organisation's admin, never by self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        from .sso.mfa import fresh_sso_sign_in

        if fresh_sso_sign_in(self.request):
            return False  # just signed in through the organisation's IdP, and has no password to type
        return super().is_reauthentication_required(app=app, **kwargs)
