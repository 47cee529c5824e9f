"""A capture of a web page (status row and what was found), its trusted timestamps, and the watch.

- `Capture`: one "Sikr side" (or one upload of the manager's own capture). Status pending →
  running → done or failed, polled by the page. The files are ordinary `Evidence` rows of the
  incident, joined by `CaptureFile`; the manifest (JSON listing every file's SHA-256) is one of
  them, and its SHA-256 is what the time-stamping authorities sign.
- `TimestampToken`: an RFC 3161 time-stamp response (DER, as the TSA sent it) per TSA asked.
- `Watch`: a captured URL re-checked on a schedule until the incident is closed; `WatchCheck`
  is one re-check (the daily cap per organisation counts these).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import AuditedPartOfIncident, Evidence, Incident, Publication


class Capture(AuditedPartOfIncident, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        RUNNING = "running", _("Sikres")
        DONE = "done", _("Sikret")
        FAILED = "failed", _("Mislykkedes")

    class Source(models.TextChoices):
        BROWSER = "browser", _("Sikret af systemet")
        UPLOAD = "upload", _("Egen sikring uploadet")

    UNFINISHED = (Status.PENDING, Status.RUNNING)
    # A row unfinished this long has lost its task (the hard limit is a few minutes).
    STALE_AFTER = timedelta(minutes=15)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="captures")
    publication = models.ForeignKey(
        Publication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captures",
        verbose_name=_("offentliggørelse"),
    )
    url = models.URLField(_("adresse"), max_length=2000)
    source = models.CharField(_("kilde"), max_length=20, choices=Source.choices, default=Source.BROWSER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    # Recorded by the system when the page had loaded (never typed by a person).
    captured_at = models.DateTimeField(_("sikret"), null=True, blank=True)
    final_url = models.URLField(_("endelig adresse"), max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP-status"), null=True, blank=True)
    response_headers = models.JSONField(_("HTTP-headere"), default=dict, blank=True)
    redirects = models.JSONField(_("videresendelser"), default=list, blank=True)
    text_sha256 = models.CharField(_("SHA-256 af synlig tekst"), max_length=64, blank=True)
    login_required = models.BooleanField(_("kræver login"), default=False)
    manifest_sha256 = models.CharField(_("SHA-256 af manifest"), max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField(_("varighed (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("sikring af webside")
        verbose_name_plural = _("sikringer af websider")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["incident", "status"])]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.url}"

    @property
    def is_unfinished(self) -> bool:
        return self.status in self.UNFINISHED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_stale(self) -> bool:
        started = self.started_at or self.requested_at
        return self.is_unfinished and started is not None and timezone.now() - started > self.STALE_AFTER

    @property
    def may_retry(self) -> bool:
        return self.source == self.Source.BROWSER and (self.status == self.Status.FAILED or self.is_stale)

    def get_absolute_url(self) -> str:
        return reverse("capture:detail", args=[self.incident.reference, self.pk])


class CaptureFile(models.Model):
    class Role(models.TextChoices):
        SCREENSHOT = "screenshot", _("Skærmbillede (hele siden)")
        PDF = "pdf", _("PDF-udskrift")
        MHTML = "mhtml", _("Siden som én fil (MHTML)")
        WARC = "warc", _("Webarkiv (WARC)")
        TEXT = "text", _("Synlig tekst")
        HEADERS = "headers", _("HTTP-svar")
        UPLOAD = "upload", _("Egen sikring")
        MANIFEST = "manifest", _("Manifest")

    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="files", verbose_name=_("sikring"))
    evidence = models.OneToOneField(
        Evidence, on_delete=models.CASCADE, related_name="capture_file", verbose_name=_("dokumentation")
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("fil i sikring")
        verbose_name_plural = _("filer i sikringer")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.capture_id} {self.role}"


class TimestampToken(models.Model):
    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("sikring"))
    tsa_url = models.URLField(_("tidsstemplingstjeneste"), max_length=500)
    # The TimeStampResp (DER) exactly as the authority sent it; empty when the request failed.
    response = models.BinaryField(_("token"), blank=True, default=b"")
    gen_time = models.DateTimeField(_("tidsstemplet"), null=True, blank=True)
    serial_number = models.CharField(_("serienummer"), max_length=100, blank=True)
    error = models.TextField(_("fejl"), blank=True)
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)

    class Meta:
        verbose_name = _("tidsstempel")
        verbose_name_plural = _("tidsstempler")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.capture_id} {self.tsa_url}"

    @property
    def ok(self) -> bool:
        return bool(self.response) and not self.error


class Watch(models.Model):
    class State(models.TextChoices):
        ONLINE = "online", _("Tilgængelig")
        REMOVED = "removed", _("Fjernet")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="watches")
    publication = models.ForeignKey(
        Publication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offentliggørelse"),
    )
    capture = models.ForeignKey(
        Capture, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("seneste sikring")
    )
    url = models.URLField(_("adresse"), max_length=2000)
    active = models.BooleanField(_("aktiv"), default=True)
    stopped_reason = models.CharField(_("stoppet fordi"), max_length=100, blank=True)
    state = models.CharField(_("tilstand"), max_length=20, choices=State.choices, default=State.ONLINE)
    changed_since_capture = models.BooleanField(_("ændret siden sikringen"), default=False)
    last_checked_at = models.DateTimeField(_("senest tjekket"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("næste tjek"), db_index=True)
    interval_minutes = models.PositiveIntegerField(_("interval (minutter)"))
    last_http_status = models.PositiveSmallIntegerField(_("seneste HTTP-status"), null=True, blank=True)
    last_final_url = models.URLField(_("seneste endelige adresse"), max_length=2000, blank=True)
    last_text_sha256 = models.CharField(_("seneste SHA-256 af synlig tekst"), max_length=64, blank=True)
    checks = models.PositiveIntegerField(_("antal tjek"), default=0)

    class Meta:
        verbose_name = _("overvågning af webside")
        verbose_name_plural = _("overvågninger af websider")
        constraints = [models.UniqueConstraint(fields=["incident", "url"], name="capture_watch_incident_url")]
        indexes = [models.Index(fields=["active", "next_check_at"])]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.url} {self.state}"


class WatchCheck(models.Model):
    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("Uændret")
        CHANGED = "changed", _("Ændret")
        REMOVED = "removed", _("Fjernet")
        BACK = "back", _("Tilgængelig igen")
        STILL_REMOVED = "still_removed", _("Stadig fjernet")
        ERROR = "error", _("Kunne ikke tjekkes")

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="history", verbose_name=_("overvågning"))
    organisation_id = models.PositiveIntegerField(_("organisation"), db_index=True)
    checked_at = models.DateTimeField(_("tjekket"), default=timezone.now, db_index=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP-status"), null=True, blank=True)
    final_url = models.URLField(_("endelig adresse"), max_length=2000, blank=True)
    text_sha256 = models.CharField(_("SHA-256 af synlig tekst"), max_length=64, blank=True)
    outcome = models.CharField(_("resultat"), max_length=20, choices=Outcome.choices)
    error = models.TextField(_("fejl"), blank=True)

    class Meta:
        verbose_name = _("tjek af webside")
        verbose_name_plural = _("tjek af websider")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.watch_id} {self.outcome}"
