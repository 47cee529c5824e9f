"""Sign-in with a password, refused where the organisation has turned local passwords off."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from accounts import signed_in


def local_password_allowed(user) -> bool:
    """A superuser may always use a password, so the system can be repaired when the IdP is down."""
    organisation = getattr(user, "organisation", None)
    return user.is_superuser or organisation is None or organisation.allow_local_passwords


class LocalPasswordBackend(AuthenticationBackend):
    """allauth's backend (username or e-mail; Django's permissions), plus the organisation's
    `allow_local_passwords`. It is the only backend, so no other one accepts the password."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not local_password_allowed(user):
            if request is not None:
                request.local_password_refused = True
            return None
        return user

    def get_user(self, user_id):
        """Django's, with the values every page reads of the user in the same query
        (accounts/signed_in.py)."""
        model = get_user_model()
        try:
            user = model._default_manager.annotate(**signed_in.annotations()).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
