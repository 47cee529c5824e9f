"""Generated reports (PDF) of an incident or of the statistics, and evidence bundles (ZIP).

Each generation is one `Report` row with a status the page polls (pending → rendering →
ready or failed, DOMAIN.md section 6). Generating the same kind again makes a new row
with the next version number; older versions stay. The file lives in private storage
(`default_storage`), never under a public URL, with its SHA-256, size and page count.

An `EvidenceBundle` is a ZIP of one report, the original evidence files byte for byte,
and a manifest with every file's SHA-256; the manifest's own SHA-256 is kept here so
the incident page can show it to a recipient.

A statistics report (kind `statistics`, DOMAIN.md sections 6 and 7) belongs to no incident:
it has the organisation instead, its filters in `options` (`from`, `to` as YYYY-MM, `unit`
as an id or null) and is only ever shown to the user who asked for it. The worker counts
the statistics for that user when it renders, so a union rep's PDF is under the same
disclosure control as their page. Its versions are numbered per user.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from incidents.models import Incident


class Status(models.TextChoices):
    PENDING = "pending", _("Venter")
    RENDERING = "rendering", _("Dannes")
    READY = "ready", _("Klar")
    FAILED = "failed", _("Mislykkedes")


UNFINISHED = (Status.PENDING, Status.RENDERING)


def render_deadline() -> timedelta:
    """How long a row may stay `rendering` before its worker counts as gone: the task's hard
    time limit plus a margin (REPORTS_RENDER_DEADLINE_SECONDS). The stuck-job sweep then puts
    it back in the queue, or marks it failed after MAX_ATTEMPTS."""
    return timedelta(seconds=settings.REPORTS_RENDER_DEADLINE_SECONDS)


# A row is tried this many times in all (the first run and the sweep's re-queues) before the
# sweep marks it failed.
MAX_ATTEMPTS = 3
# A row still unfinished this long after it was asked for or started has lost its task
# (the task's hard time limit is 5 minutes); the page then offers to try again.
STALE_AFTER = timedelta(minutes=15)


def report_upload_to(instance: Report, filename: str) -> str:
    """A random name; the reference and kind are in the row and in the download name only."""
    if instance.incident_id is None:
        return f"reports/statistik/{instance.requested_at.year}/{uuid.uuid4().hex}.pdf"
    return f"reports/{instance.incident.year}/{uuid.uuid4().hex}.pdf"


def bundle_upload_to(instance: EvidenceBundle, filename: str) -> str:
    return f"bundles/{instance.report.incident.year}/{uuid.uuid4().hex}.zip"


class Generated:
    """What a row made by a worker (report or bundle) says about its `status`."""

    status: str

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY

    @property
    def is_unfinished(self) -> bool:
        return self.status in UNFINISHED


class Report(Generated, models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Politianmeldelse")
        DATATILSYNET = "datatilsynet", _("Klage til Datatilsynet")
        DSA_NOTICE = "dsa_notice", _("DSA-anmeldelse til platformen")
        BREACH_RECORD = "breach_record", _("Registrering af brud på persondatasikkerheden")
        INTERNAL_HR = "internal_hr", _("Intern sagsrapport til HR og ledelse")
        INTERNAL_AMO = "internal_amo", _("Rapport til arbejdsmiljøorganisationen (AMO)")
        STATISTICS = "statistics", _("Statistikrapport")

    # The kinds made from one incident; a statistics report has no incident.
    INCIDENT_KINDS = (
        Kind.POLICE,
        Kind.DATATILSYNET,
        Kind.DSA_NOTICE,
        Kind.BREACH_RECORD,
        Kind.INTERNAL_HR,
        Kind.INTERNAL_AMO,
    )
    # The kinds that leave the organisation (redactions apply, no guidance, no health data).
    EXTERNAL_KINDS = (Kind.POLICE, Kind.DATATILSYNET, Kind.DSA_NOTICE)

    Status = Status

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="reports", null=True, blank=True, verbose_name=_("hændelse")
    )
    # Statistics reports only: the organisation they were made in (incident reports have it via the incident).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", null=True, blank=True, verbose_name=_("organisation")
    )
    kind = models.CharField(_("art"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    options = models.JSONField(_("valg"), default=dict, blank=True)
    # Mirrors options["include_internal_notes"], so "may the employee download it" is a column.
    includes_internal_notes = models.BooleanField(_("med interne noter"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("årsag til fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    # Set when the stuck-job sweep put the row back in the queue (its worker stopped mid-way).
    retried_at = models.DateTimeField(_("sat i gang igen"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    requested_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    started_at = models.DateTimeField(_("påbegyndt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    file = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("sider"), null=True, blank=True)
    # The DSA notice as plain text, to paste into a platform's form.
    plain_text = models.TextField(_("tekstudgave"), blank=True)
    # The evidence rows listed in the report, so a bundle holds exactly those files.
    evidence_ids = models.JSONField(default=list, blank=True)
    # Marked as sent to its recipient (which logs the matching action on the incident's timeline).
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sendt af"),
    )
    sent_reference = models.CharField(_("modtagerens reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "version"], name="report_unique_version"),
            models.UniqueConstraint(
                fields=["requested_by", "version"],
                condition=Q(kind="statistics"),
                name="report_unique_statistics_version",
            ),
            # Exactly the statistics kind has no incident, and it has the organisation instead.
            models.CheckConstraint(
                condition=(
                    Q(kind="statistics", incident__isnull=True, organisation__isnull=False)
                    | (~Q(kind="statistics") & Q(incident__isnull=False))
                ),
                name="report_incident_unless_statistics",
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "kind", "-version"]),
            models.Index(fields=["requested_by", "kind", "-requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} v{self.version}"

    @property
    def is_statistics(self) -> bool:
        return self.kind == self.Kind.STATISTICS

    @property
    def reference(self) -> str:
        """The incident's reference; a statistics report's own number (in its PDF's footer)."""
        if self.incident_id is None:
            return f"STAT-{self.pk}"
        return self.incident.reference

    def get_absolute_url(self) -> str:
        if self.is_statistics:
            return reverse("stats:report_detail", args=[self.pk])
        return reverse("reports:detail", args=[self.incident.reference, self.pk])

    def get_download_url(self) -> str:
        if self.is_statistics:
            return reverse("stats:report_download", args=[self.pk])
        return reverse("reports:download", args=[self.incident.reference, self.pk])

    def statistics_params(self) -> dict[str, str]:
        """A statistics report's filters as the statistics form reads them from a query string."""
        unit = self.options.get("unit")
        return {
            "from": self.options.get("from", ""),
            "to": self.options.get("to", ""),
            "unit": str(unit) if unit else "",
            "period": self.options.get("period", "month"),
        }

    @property
    def is_stale(self) -> bool:
        started = self.started_at or self.requested_at
        return self.is_unfinished and started < timezone.now() - STALE_AFTER

    @property
    def may_retry(self) -> bool:
        return self.status == Status.FAILED or self.is_stale

    @property
    def employee_may_download(self) -> bool:
        """DOMAIN.md section 2: the employee never sees internal notes; an internal report
        generated without them may be downloaded by the employee concerned."""
        return self.kind == self.Kind.INTERNAL_HR and not self.includes_internal_notes and self.is_ready

    @property
    def download_name(self) -> str:
        slug = {
            self.Kind.POLICE: "politianmeldelse",
            self.Kind.DATATILSYNET: "klage-datatilsynet",
            self.Kind.DSA_NOTICE: "dsa-anmeldelse",
            self.Kind.BREACH_RECORD: "brud-persondatasikkerhed",
            self.Kind.INTERNAL_HR: "intern-rapport-hr",
            self.Kind.INTERNAL_AMO: "rapport-amo",
        }.get(self.kind, self.kind)
        if self.is_statistics:
            return f"statistik-{self.options.get('from', '')}-{self.options.get('to', '')}-v{self.version}.pdf"
        return f"{self.incident.reference}-{slug}-v{self.version}.pdf"

    # Used by the audit log (a statistics report names no incident).
    @property
    def audit_reference(self) -> str:
        return "" if self.incident_id is None else self.incident.reference

    @property
    def audit_organisation_id(self) -> int | None:
        if self.incident_id is None:
            return self.organisation_id
        return self.incident.unit.organisation_id


class EvidenceBundle(Generated, models.Model):
    Status = Status

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="bundles", verbose_name=_("rapport"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("årsag til fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    retried_at = models.DateTimeField(_("sat i gang igen"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    created_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    started_at = models.DateTimeField(_("påbegyndt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    file = models.FileField(upload_to=bundle_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 af ZIP-filen"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"), null=True, blank=True)
    manifest_sha256 = models.CharField(_("SHA-256 af manifest.json"), max_length=64, blank=True)
    file_count = models.PositiveIntegerField(_("antal filer"), null=True, blank=True)

    class Meta:
        verbose_name = _("bevispakke")
        verbose_name_plural = _("bevispakker")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} bundle {self.pk}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()

    @property
    def download_name(self) -> str:
        return self.report.download_name.removesuffix(".pdf") + f"-bevispakke-{self.pk}.zip"

    @property
    def audit_reference(self) -> str:
        return self.report.incident.reference

    @property
    def audit_organisation_id(self) -> int | None:
        return self.report.incident.unit.organisation_id


def archive_upload_to(instance: CaseArchive, filename: str) -> str:
    return f"archives/{instance.incident.year}/{uuid.uuid4().hex}.zip"


class CaseArchive(Generated, models.Model):
    """A case archive of one incident for the municipality's own document system (journalisation,
    offentlighedsloven § 15): a ZIP with the reports sent (PDF/A), the evidence files and a metadata
    file in JSON and XML with SHA-256 of every document; built by the worker (reports.archive)."""

    Status = Status

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="archives", verbose_name=_("hændelse")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("årsag til fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    retried_at = models.DateTimeField(_("sat i gang igen"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    created_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    started_at = models.DateTimeField(_("påbegyndt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    file = models.FileField(upload_to=archive_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 af ZIP-filen"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"), null=True, blank=True)
    metadata_sha256 = models.CharField(_("SHA-256 af metadata.json"), max_length=64, blank=True)
    document_count = models.PositiveIntegerField(_("antal dokumenter"), null=True, blank=True)

    class Meta:
        verbose_name = _("sagsarkiv")
        verbose_name_plural = _("sagsarkiver")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident.reference} archive {self.pk}"

    @property
    def download_name(self) -> str:
        return f"{self.incident.reference}-sagsarkiv-{self.pk}.zip"

    @property
    def audit_reference(self) -> str:
        return self.incident.reference

    @property
    def audit_organisation_id(self) -> int | None:
        return self.incident.unit.organisation_id
