"""Creating, using and revoking API tokens. Every creation and revocation is audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.models import AuditEvent
from audit.services import audit_record

from .models import KEY_PREFIX, ApiToken, credentials_fingerprint, key_hash
from .scopes import SCOPE_ROLES, scopes_for_roles

EXPIRY_CHOICES_DAYS = (30, 90, 180, 365)
MAX_EXPIRY_DAYS = 365


def allowed_scopes(user) -> list[str]:
    """Scopes the user's current memberships allow a token to carry."""
    return scopes_for_roles(permissions.roles(user))


def _audit(*, token: ApiToken, action: str, summary: str, actor=None, request=None, details=None) -> None:
    audit_record(
        request=request,
        actor=actor,
        action=action,
        obj=token,
        organisation_id=token.user.organisation_id,
        summary=summary,
        details={"name": token.name, "prefix": token.prefix, "user": token.user.get_username(), **(details or {})},
    )


@transaction.atomic
def token_create(*, user, name: str, scopes: list[str], expires_in_days: int, request=None) -> tuple[ApiToken, str]:
    """A new token; the key is returned once and only its hash is kept."""
    allowed = set(allowed_scopes(user))
    if not scopes or not set(scopes) <= allowed:
        raise ValueError("scopes not allowed for this user")
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValueError("expiry out of range")
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=key_hash(key),
        scopes=[scope for scope in SCOPE_ROLES if scope in scopes],
        credentials_fingerprint=credentials_fingerprint(user),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    _audit(
        token=token,
        action=AuditEvent.Action.CREATE,
        actor=user,
        request=request,
        summary=_("API-nøgle oprettet"),
        details={"scopes": token.scopes, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, reason: str, actor=None, request=None) -> bool:
    """Revoke one token; False when it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if not updated:
        return False
    token.refresh_from_db()
    _audit(
        token=token,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        request=request,
        summary=_("API-nøgle tilbagekaldt"),
        details={"reason": reason},
    )
    return True


def tokens_revoke_for_user(*, user, reason: str, actor=None, request=None) -> int:
    """Revoke every live token of the user (deactivation, erasure, password change)."""
    count = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"):
        count += token_revoke(token=token, reason=reason, actor=actor, request=request)
    return count


def tokens_revoke_lost_scopes(*, user, actor=None, request=None) -> int:
    """Revoke the tokens carrying a scope the user's memberships no longer allow."""
    permissions.forget(user)
    allowed = set(allowed_scopes(user))
    count = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"):
        if not set(token.scopes) <= allowed:
            count += token_revoke(token=token, reason=ApiToken.RevokedReason.MEMBERSHIPS, actor=actor, request=request)
    return count


def token_check_still_valid(token: ApiToken) -> str | None:
    """Revoke the token if its user changed password, was deactivated or lost a scope's roles.

    Returns the revocation reason, or None when the token still stands. Asked on every use,
    so no path that changes a password or a membership can forget to revoke.
    """
    user = token.user
    if not user.is_active:
        reason = ApiToken.RevokedReason.DEACTIVATED
    elif token.credentials_fingerprint != credentials_fingerprint(user):
        reason = ApiToken.RevokedReason.PASSWORD
    elif not set(token.scopes) <= set(allowed_scopes(user)):
        reason = ApiToken.RevokedReason.MEMBERSHIPS
    else:
        return None
    token_revoke(token=token, reason=reason)
    return reason


def token_touch(token: ApiToken) -> None:
    """Note the use (at most once a minute, so a busy client does not write every request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
