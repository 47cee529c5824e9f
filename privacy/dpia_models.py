"""A generated DPIA draft (GDPR art. 35) as a PDF: one row per generation, made by the worker.

The row is the status the page polls (pending → rendering → ready or failed, with the reason),
like `reports.models.Report`; the file lives in private storage with its SHA-256 and page
count. The draft holds no personal data: it is made from the models, the settings and counts.
Imported by `privacy.models` so it belongs to the privacy app's migrations.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from reports.models import UNFINISHED, Generated, Status


def dpia_upload_to(instance: DpiaDraft, filename: str) -> str:
    return f"privacy/dpia/{instance.requested_at.year}/{uuid.uuid4().hex}.pdf"


class DpiaDraft(Generated, models.Model):
    Status = Status

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("årsag til fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    requested_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    started_at = models.DateTimeField(_("påbegyndt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    file = models.FileField(upload_to=dpia_upload_to, max_length=300, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("sider"), null=True, blank=True)

    class Meta:
        verbose_name = _("udkast til konsekvensanalyse (DPIA)")
        verbose_name_plural = _("udkast til konsekvensanalyser (DPIA)")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "version"], name="dpia_unique_version")]

    def __str__(self) -> str:
        return f"DPIA {self.organisation_id} v{self.version}"

    @property
    def audit_reference(self) -> str:
        return ""

    @property
    def audit_organisation_id(self) -> int | None:
        return self.organisation_id

    @property
    def may_retry(self) -> bool:
        return self.status == Status.FAILED

    @property
    def download_name(self) -> str:
        return f"dpia-udkast-v{self.version}-{self.requested_at:%Y-%m-%d}.pdf"

    def get_absolute_url(self) -> str:
        return reverse("privacy:dpia_detail", args=[self.pk])

    def get_download_url(self) -> str:
        return reverse("privacy:dpia_download", args=[self.pk])


__all__ = ["DpiaDraft", "UNFINISHED"]
