"""The audit log: append-only events in one keyed chain per organisation.

Each event stores the hash of the event before it in its organisation's chain, its
position (`seq`) and its own HMAC-SHA256 over its content and that previous hash, keyed
with `AUDIT_HMAC_KEY`, which lives in the environment or a secrets file and never in the
database. Changing, removing or inserting an event breaks the chain from that point, and
someone holding only the database credentials cannot recompute it
(`python manage.py verify_audit_log`). Each chain's head is also exported outside the
database (audit/anchors.py), so a rewritten or truncated chain is caught even if the head
row is rewritten too. Events name incidents by reference in text, not by foreign key, so
they outlive a purged incident as its tombstone.

Events written before the keyed chains (`seq` empty) form the legacy unkeyed SHA-256
chain, verified as it was.
"""

import datetime
import hashlib
import hmac
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
        SECURITY = "security", _("Sikkerhed")

    at = models.DateTimeField(_("tidspunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hvem"),
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
    # The chain: the organisation's id, or 0 for events of no organisation.
    chain = models.PositiveBigIntegerField(_("kæde"), default=0)
    seq = models.PositiveBigIntegerField(_("nummer i kæden"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("revisionshændelse")
        verbose_name_plural = _("revisionslog")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="audit_event_unique_chain_seq", condition=models.Q(seq__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def _payload(self) -> dict:
        return {
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

    @staticmethod
    def _canonical(payload: dict) -> bytes:
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode(
            "utf-8"
        )

    def compute_hash(self, key: bytes | None = None) -> str:
        """The event's hash: keyed HMAC for chained events, plain SHA-256 for legacy ones."""
        if self.seq is None:
            return hashlib.sha256(self._canonical(self._payload())).hexdigest()
        payload = {**self._payload(), "chain": self.chain, "seq": self.seq}
        return hmac.new(key if key is not None else audit_key(), self._canonical(payload), hashlib.sha256).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The newest hash of one organisation's chain; locking it serialises appends to that
    chain only. The row with no chain is the legacy unkeyed chain's head."""

    chain = models.PositiveBigIntegerField(_("kæde"), null=True, blank=True, unique=True)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"chain {self.chain}: {self.count} events, last {self.last_hash[:12]}"


def audit_key() -> bytes:
    """The HMAC key of the chain, from the settings (environment or secrets file)."""
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set.")
    return key.encode("utf-8") if isinstance(key, str) else key


class PendingAuditEvent(models.Model):
    """A read recorded without waiting for its chain: written with one INSERT and no lock.

    List pages are read far more often than anything is changed, and locking the
    organisation's chain head for each of them made every manager's list wait for the
    others. A read is stored here with an HMAC of its own content (keyed as the chain is,
    so a changed row is caught) and sealed into its organisation's chain, in the order it
    was written, by `audit_seal_pending` (the beat task `audit-seal-pending`, every minute)
    in one locked transaction per batch. `audit_verify` checks the rows still waiting.
    """

    at = models.DateTimeField(_("tidspunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hvem"),
    )
    organisation_id = models.PositiveBigIntegerField(_("organisation"), null=True, blank=True)
    actor_label = models.CharField(_("hvem (navn)"), max_length=200, blank=True)
    action = models.CharField(_("handling"), max_length=20, choices=AuditEvent.Action.choices)
    object_type = models.CharField(_("objekttype"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    incident_reference = models.CharField(_("sag"), max_length=20, blank=True)
    summary = models.CharField(_("beskrivelse"), max_length=300, blank=True)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    chain = models.PositiveBigIntegerField(_("kæde"), default=0)
    mac = models.CharField(_("nøglet hash (HMAC)"), max_length=64)

    class Meta:
        verbose_name = _("revisionshændelse, der venter på kæden")
        verbose_name_plural = _("revisionshændelser, der venter på kæden")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} (waiting)"

    FIELDS = (
        "at",
        "actor_id",
        "actor_label",
        "organisation_id",
        "action",
        "object_type",
        "object_id",
        "incident_reference",
        "summary",
        "details",
        "ip_address",
        "user_agent",
        "chain",
    )

    def compute_mac(self, key: bytes | None = None) -> str:
        payload = {name: getattr(self, name) for name in self.FIELDS}
        payload["at"] = self.at.astimezone(datetime.UTC).isoformat()
        return hmac.new(
            key if key is not None else audit_key(), AuditEvent._canonical(payload), hashlib.sha256
        ).hexdigest()


class AuditCheckpoint(models.Model):
    """Where a chain starts after the retention run deleted its oldest events (retention/, the
    organisation's `audit_retention_months`): the position and hash of the last deleted event,
    so the first kept event still links to it and `audit_verify` checks the rest of the chain as
    before. The row carries its own HMAC (keyed like the events), so a checkpoint written through
    the database alone does not verify. Append-only like the events; on PostgreSQL a trigger lets
    an event be deleted only when a checkpoint of its chain covers it (migration 0004)."""

    chain = models.PositiveBigIntegerField(_("kæde"))
    seq = models.PositiveBigIntegerField(_("sidst slettede nummer i kæden"))
    hash = models.CharField(_("sidst slettede hændelses hash"), max_length=64)
    before = models.DateTimeField(_("hændelser før"))
    at = models.DateTimeField(_("tidspunkt"))
    deleted = models.PositiveBigIntegerField(_("slettet i denne kørsel"), default=0)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("kontrolpunkt i revisionsloggen")
        verbose_name_plural = _("kontrolpunkter i revisionsloggen")
        ordering = ["chain", "-seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_unique_chain_seq")]

    def __str__(self) -> str:
        return f"chain {self.chain}: from {self.seq + 1}, after {self.hash[:12]}"

    def compute_mac(self, key: bytes | None = None) -> str:
        payload = {
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "before": self.before.astimezone(datetime.UTC).isoformat(),
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "deleted": self.deleted,
        }
        return hmac.new(
            key if key is not None else audit_key(), AuditEvent._canonical(payload), hashlib.sha256
        ).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit checkpoints are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit checkpoints are append-only.")
