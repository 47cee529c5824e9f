"""Named API tokens per user: only a SHA-256 hash of the key is stored, never the key."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "udh"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_lookup_prefix(key: str) -> str:
    """The part of a key stored in clear to find its row: «udh_<prefix>_<secret>» → prefix.

    Keys carried over from the old static tokens (40 hex characters) use their first 10.
    """
    parts = key.split("_", 2)
    if len(parts) == 3 and parts[0] == KEY_PREFIX:
        return parts[1][:16]
    return key[:10]


def credentials_fingerprint(user) -> str:
    """Changes whenever the user's password does (a new salt every time)."""
    return hashlib.sha256(f"api-token:{user.password}".encode()).hexdigest()


class ApiToken(models.Model):
    class RevokedReason(models.TextChoices):
        USER = "user", _("Tilbagekaldt af brugeren")
        ADMIN = "admin", _("Tilbagekaldt af en administrator")
        PASSWORD = "password", _("Adgangskoden blev ændret")
        DEACTIVATED = "deactivated", _("Brugeren blev deaktiveret")
        MEMBERSHIPS = "memberships", _("Brugeren har ikke længere de roller, nøglen kræver")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("bruger")
    )
    name = models.CharField(_("navn"), max_length=100)
    prefix = models.CharField(_("nøglens begyndelse"), max_length=16, unique=True)
    key_hash = models.CharField(_("hash af nøglen (SHA-256)"), max_length=64)
    scopes = models.JSONField(_("må bruges til"), default=list)
    credentials_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    expires_at = models.DateTimeField(_("udløber"))
    last_used_at = models.DateTimeField(_("senest brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)
    revoked_reason = models.CharField(_("årsag"), max_length=20, choices=RevokedReason.choices, blank=True)

    class Meta:
        verbose_name = _("API-nøgle")
        verbose_name_plural = _("API-nøgler")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def scope_labels(self) -> list[str]:
        from .scopes import SCOPE_LABELS

        return [str(SCOPE_LABELS.get(scope, scope)) for scope in self.scopes]
