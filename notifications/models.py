"""The notification outbox and each user's e-mail preferences.

Every notification is a row written in the same transaction as the event that causes it
(`notifications.services`). A row is one message on one channel:

- `in_app` rows are the notification centre; they are delivered the moment they exist
  (state `sent`) and carry `read_at`;
- `email` rows start `pending` and a Celery task delivers them after commit. The task
  claims the row first (`pending` → `sending` with a lease), so a task that runs twice
  sends once; the sweep re-enqueues rows left `pending` or with a lapsed lease.

`key` is unique: the same event never notifies the same person twice on one channel.
Subjects and bodies never hold free text from an incident (titles, descriptions, notes,
names): only references, units, levels, statuses and deadlines.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What happened. Each kind has an e-mail template triplet in templates/emails/."""

    SELF_REPORT = "self_report", _("Ny selvanmeldelse i din enhed")
    INCIDENT_REGISTERED = "incident_registered", _("En leder har registreret en hændelse om dig")
    SERIOUS_INCIDENT = "serious_incident", _("Alvorlig hændelse i din enhed (anonymt)")
    REPORT_READY = "report_ready", _("Din rapport er klar")
    REPORT_FAILED = "report_failed", _("Din rapport kunne ikke laves")
    NOTE_SHARED = "note_shared", _("Din leder har delt en note med dig")
    STATUS_CHANGED = "status_changed", _("Status på din sag er ændret")
    INCIDENT_SHARED = "incident_shared", _("En sag er delt med dig")
    DEADLINE_REMINDER = "deadline_reminder", _("Påmindelser om frister")
    WEEKLY_DIGEST = "weekly_digest", _("Ugentligt overblik")
    RETENTION_WARNING = "retention_warning", _("Sag slettes snart")
    ADMIN_ALERT = "admin_alert", _("Advarsler til administratorer")
    PAGE_WATCH = "page_watch", _("En sikret webside er fjernet, ændret eller tilbage")
    CASE_ASSIGNED = "case_assigned", _("Du er blevet sagsansvarlig")
    CASE_MESSAGE = "case_message", _("Ny besked på en sag")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("I systemet")
    EMAIL = "email", _("E-mail")


class State(models.TextChoices):
    PENDING = "pending", _("Venter")
    SENDING = "sending", _("Sendes")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Fejlet")
    SKIPPED = "skipped", _("Sprunget over")


class Notification(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("modtager"),
    )
    kind = models.CharField(_("art"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    key = models.CharField(_("nøgle"), max_length=200, unique=True)
    # The object the notification is about. `incident` is kept apart so a deleted incident
    # leaves a trace (object_type says there was one, incident is then NULL).
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hændelse"),
    )
    # The incident a row is about where `incident` must stay empty (the anonymous notice to union
    # reps names only the unit). Not a foreign key, never shown; retention deletes by it.
    about_incident_id = models.BigIntegerField(_("om hændelse"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=60, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=60, blank=True)
    target_url = models.CharField(_("link"), max_length=500, blank=True)
    subject = models.CharField(_("emne"), max_length=300)
    body = models.TextField(_("tekst"))
    body_html = models.TextField(_("HTML"), blank=True)

    state = models.CharField(_("tilstand"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    lease_until = models.DateTimeField(_("låst til"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    read_at = models.DateTimeField(_("læst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notification centre: a user's in-app rows, newest first.
            models.Index(fields=["recipient", "channel", "-created_at"], name="notif_centre"),
            # The unread badge on every page: tiny, only unread in-app rows.
            models.Index(
                fields=["recipient"],
                name="notif_unread",
                condition=Q(channel="in_app", read_at__isnull=True),
            ),
            # The sweep: only rows still on their way, however many have been delivered.
            models.Index(
                fields=["state", "next_attempt_at"],
                name="notif_outbox",
                condition=Q(state__in=["pending", "sending"]),
            ),
            # The admin's list of failures per organisation.
            models.Index(fields=["organisation", "state"], name="notif_org_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.channel}, {self.state})"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.IN_APP and self.read_at is None


class Preference(models.Model):
    """E-mail on or off for one kind; no row means on. In-app is always on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("art"), max_length=40, choices=Kind.choices)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        verbose_name = _("notifikationsindstilling")
        verbose_name_plural = _("notifikationsindstillinger")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} email={self.email}"
