"""Bookkeeping of the storage and the retention purge: files still to delete and each run's counts.

Imported by `incidents.models`, so they belong to the incidents app and its migrations.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingFileDeletion(models.Model):
    """A private-storage file that must go because its rows were deleted (`retention.services`).

    Written in the same transaction as the deletion of the rows, removed once the file is
    gone. A delete that fails (storage down) leaves the row, with the error, for the next
    retention run to retry; a file already missing counts as deleted."""

    name = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("fil der skal slettes")
        verbose_name_plural = _("filer der skal slettes")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RetentionRun(models.Model):
    """One run of the retention purge (the nightly task or `manage.py purge_incidents`): when, how
    long, and the counts, for the admin overview. One row per organisation (its own counts, so an
    admin sees only theirs) and one without an organisation for the whole run. Holds no
    reference or name."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    started_at = models.DateTimeField(_("startet"))
    seconds = models.FloatField(_("varighed (sekunder)"), default=0)
    dry_run = models.BooleanField(_("prøvekørsel"), default=False)
    candidates = models.PositiveIntegerField(_("sager over perioden"), default=0)
    held = models.PositiveIntegerField(_("holdt af retligt hold"), default=0)
    purged = models.PositiveIntegerField(_("slettet"), default=0)
    skipped = models.PositiveIntegerField(_("sprunget over"), default=0)
    remaining = models.PositiveIntegerField(_("tilbage til næste kørsel"), default=0)
    files_deleted = models.PositiveIntegerField(_("filer slettet"), default=0)
    files_pending = models.PositiveIntegerField(_("filer der mangler at blive slettet"), default=0)

    class Meta:
        verbose_name = _("sletningskørsel")
        verbose_name_plural = _("sletningskørsler")
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
