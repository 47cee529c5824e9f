"""`Authorization: Token <key>` for the REST API: hashed, expiring, scoped, revocable keys.

Every refusal answers JSON with a `detail` in Danish and a machine-readable `code`:

- 401 `token_invalid`   no such key;
- 401 `token_revoked`   revoked by the user or an admin, or because the password changed,
                        the user was deactivated or lost the roles a scope needs;
- 401 `token_expired`   past its expiry;
- 401 `mfa_required`    the user must use two factors and has not set them up;
- 403 `token_out_of_scope`  the key is valid but not for this endpoint or method;
- 429 `throttled`       too many requests (see `throttling.py`).
"""

from __future__ import annotations

import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.middleware import has_totp, mfa_required

from . import services
from .models import ApiToken, key_hash, key_lookup_prefix
from .scopes import ANY_SCOPE, SCOPE_LABELS, required_scope

REVOKED_MESSAGES = {
    ApiToken.RevokedReason.PASSWORD: gettext_lazy(
        "API-nøglen er tilbagekaldt, fordi adgangskoden er ændret. Lav en ny nøgle."
    ),
    ApiToken.RevokedReason.DEACTIVATED: gettext_lazy("API-nøglen er tilbagekaldt, fordi brugeren er deaktiveret."),
    ApiToken.RevokedReason.MEMBERSHIPS: gettext_lazy(
        "API-nøglen er tilbagekaldt, fordi brugeren ikke længere har de roller, nøglen kræver."
    ),
}


def _refuse(message: str, code: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed({"detail": message, "code": code})


class ScopedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        match = getattr(request._request, "resolver_match", None)
        needed = required_scope(match.url_name if match else None, request.method)
        if needed != ANY_SCOPE and needed not in token.scopes:
            if needed is None:
                message = _("API-nøgler kan ikke bruges til denne adresse.")
            else:
                message = _("API-nøglen må ikke bruges til dette. Den kræver adgangen «%(scope)s».") % {
                    "scope": SCOPE_LABELS[needed]
                }
            raise exceptions.PermissionDenied(
                {"detail": message, "code": "token_out_of_scope", "required_scope": needed or ""}
            )
        services.token_touch(token)
        return user, token

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(prefix=key_lookup_prefix(key)).first()
        if token is None or not hmac.compare_digest(token.key_hash, key_hash(key)):
            raise _refuse(_("Ugyldig API-nøgle."), "token_invalid")
        if token.revoked_at is not None:
            raise _refuse(
                str(REVOKED_MESSAGES.get(token.revoked_reason, _("API-nøglen er tilbagekaldt."))), "token_revoked"
            )
        if token.expires_at <= timezone.now():
            raise _refuse(
                _("API-nøglen er udløbet %(date)s. Lav en ny nøgle.")
                % {"date": timezone.localtime(token.expires_at).strftime("%d.%m.%Y")},
                "token_expired",
            )
        reason = services.token_check_still_valid(token)
        if reason is not None:
            raise _refuse(str(REVOKED_MESSAGES[reason]), "token_revoked")
        if mfa_required(token.user) and not has_totp(token.user):
            raise _refuse(
                _(
                    "Din organisation kræver tofaktorlogin for ledere og administratorer. Opsæt en "
                    "godkendelsesapp, før du bruger API'et med en nøgle."
                ),
                "mfa_required",
            )
        return token.user, token
