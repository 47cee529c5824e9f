"""The audit log: append-only events chained by SHA-256.

Each event stores the hash of the event before it and its own hash over its content and
that previous hash, so changing, removing or inserting an event breaks the chain from
that point (`python manage.py verify_audit_log`). Events name incidents by reference in
text, not by foreign key, so they outlive a purged incident as its tombstone.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Læst")
        CREATE = "create", _("Oprettet")
        UPDATE = "update", _("Ændret")
        DELETE = "delete", _("Slettet")
        DOWNLOAD = "download", _("Hentet")
        EXPORT = "export", _("Eksporteret")

    at = models.DateTimeField(_("tidspunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("hvem"),
    )
    organisation_id = models.PositiveBigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("hvem (navn)"), max_length=200, blank=True)
    action = models.CharField(_("handling"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("objekttype"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    incident_reference = models.CharField(_("sag"), max_length=20, blank=True, db_index=True)
    summary = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("revisionshændelse")
        verbose_name_plural = _("revisionslog")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def compute_hash(self) -> str:
        payload = {
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "incident_reference": self.incident_reference,
            "summary": self.summary,
            "details": self.details,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                               default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """One row holding the newest hash; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"
