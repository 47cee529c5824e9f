"""The case workspace's own rows (issue 17): managers kept out of a case, the message thread
with the employee, the managers' watch lists and the employee's shares with a union rep.

Imported by `incidents.models`, so they belong to the incidents app and its migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditedPartOfIncident, Incident


class CaseExclusion(AuditedPartOfIncident, models.Model):
    """A manager who is kept out of one case (issue 17), for instance because they are
    themselves implicated. The access policy (`incidents.policy`) treats the case as outside
    their units: 404 on every page, API and report of it, and nothing of it in their lists.
    Removing the row (audited) lets them in again."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="exclusions")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_exclusions", verbose_name=_("leder")
    )
    reason = models.TextField(_("begrundelse"))
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("holdt ude af")
    )
    excluded_at = models.DateTimeField(_("holdt ude"), auto_now_add=True)

    class Meta:
        verbose_name = _("leder holdt ude af en sag")
        verbose_name_plural = _("ledere holdt ude af sager")
        ordering = ["excluded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "manager"], name="case_exclusion_unique")]
        indexes = [models.Index(fields=["manager", "incident"], name="case_exclusion_manager_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} ✕ {self.manager_id}"


class CaseMessage(AuditedPartOfIncident, models.Model):
    """One message in the thread between the employee concerned and the managers on the case
    (issue 17). Unlike an internal note, the employee reads and writes here; a union rep the
    case is shared with does not see the thread (it is a conversation with the employer)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("skrevet af")
    )
    from_employee = models.BooleanField(_("fra medarbejderen"), default=False)
    body = models.TextField(_("besked"))
    created_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        verbose_name = _("besked på en sag")
        verbose_name_plural = _("beskeder på sager")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["incident", "created_at"], name="case_message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.created_at:%Y-%m-%d %H:%M}"


class WatchListEntry(AuditedPartOfIncident, models.Model):
    """A case on a manager's personal watch list (the dashboard shows it, issue 17)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_list")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="watchers")
    created_at = models.DateTimeField(_("tilføjet"), auto_now_add=True)

    class Meta:
        verbose_name = _("sag på overvågningslisten")
        verbose_name_plural = _("overvågningsliste")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "incident"], name="watch_list_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.incident_id}"


class IncidentShare(AuditedPartOfIncident, models.Model):
    """An employee shares one of their incidents with a named union rep, who may then read it
    (never change it, never see notes) until the share is withdrawn (DOMAIN.md section 2).

    A withdrawn share stays as a row (who shared, when, who withdrew), so the history can be
    audited; sharing again after a withdrawal makes a new row. At most one active share per
    incident and rep (`incidents.sharing` keeps to it; the constraint makes sure)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shares")
    union_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="incident_shares",
        verbose_name=_("tillidsrepræsentant"),
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("delt af"),
    )
    created_at = models.DateTimeField(_("delt"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("trukket tilbage"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trukket tilbage af"),
    )

    class Meta:
        verbose_name = _("deling med tillidsrepræsentant")
        verbose_name_plural = _("delinger med tillidsrepræsentanter")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "union_rep"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="incident_share_one_active",
            )
        ]
        indexes = [models.Index(fields=["union_rep", "incident"], name="incident_share_rep_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.union_rep_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
