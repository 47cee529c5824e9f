"""Requests from data subjects (GDPR art. 15 access, art. 17 erasure) and how they were answered.

One row per request, in the organisation that received it. The subject is either an employee
with a user in the system (`subject_user`) or a perpetrator known only by name (`subject_name`,
as the request gave it). For an employee the name at the time of the request is kept beside
the link, so the row still says whom it was about after the account has been erased.

The row is the organisation's documentation that the request was answered (art. 5(2) and
art. 12): when it came, who handled it, the decision and its justification, the SHA-256 of
the last file handed out, and for an erasure exactly what was erased and what was kept and
why (`erasure_result`). It is therefore kept after an erasure (see privacy/services.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from common.dates import add_months


class DataSubjectRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Indsigt (art. 15)")
        ERASURE = "erasure", _("Sletning (art. 17)")

    class SubjectType(models.TextChoices):
        EMPLOYEE = "employee", _("Medarbejder med en bruger i systemet")
        PERPETRATOR = "perpetrator", _("Afsender (en person, der har offentliggjort noget)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Modtaget")
        IN_PROGRESS = "in_progress", _("Under behandling")
        COMPLETED = "completed", _("Afsluttet")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Imødekommet")
        PARTLY_GRANTED = "partly_granted", _("Delvist imødekommet")
        REFUSED = "refused", _("Afvist")

    # GDPR art. 12(3): answer within one month of receipt (extension possible, with reasons).
    ANSWER_MONTHS = 1

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))
    kind = models.CharField(_("anmodning om"), max_length=20, choices=Kind.choices)
    subject_type = models.CharField(_("den registrerede er"), max_length=20, choices=SubjectType.choices)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("medarbejder"),
    )
    subject_name = models.CharField(
        _("navn som oplyst"), max_length=200, blank=True,
        help_text=_("Afsenderens navn, som det står i anmodningen. For en medarbejder: navnet, da anmodningen kom."),
    )
    received_on = models.DateField(_("modtaget den"))
    requester = models.CharField(
        _("anmodet af"), max_length=200,
        help_text=_("Fx «den registrerede selv» eller «advokat Hanne Hansen med fuldmagt»."),
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+", verbose_name=_("registreret af"))
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("behandlet af"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    decision = models.CharField(_("afgørelse"), max_length=20, choices=Decision.choices, blank=True)
    justification = models.TextField(_("begrundelse"), blank=True)
    erasure_result = models.JSONField(_("resultat af sletningen"), default=dict, blank=True)
    result_format = models.CharField(_("senest udleveret som"), max_length=10, blank=True)
    result_sha256 = models.CharField(_("SHA-256 af den udleverede fil"), max_length=64, blank=True)
    result_exported_at = models.DateTimeField(_("senest udleveret"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    completed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmodning fra en registreret")
        verbose_name_plural = _("anmodninger fra registrerede")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-received_on"], name="dsr_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_type="perpetrator") & ~Q(subject_name="") | Q(subject_type="employee"),
                name="dsr_perpetrator_has_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"PD-{self.pk}"

    @property
    def subject_label(self) -> str:
        if self.subject_type == self.SubjectType.EMPLOYEE and self.subject_user_id and not self.subject_name:
            return str(self.subject_user)
        return self.subject_name

    @property
    def is_employee(self) -> bool:
        return self.subject_type == self.SubjectType.EMPLOYEE

    @property
    def is_erasure(self) -> bool:
        return self.kind == self.Kind.ERASURE

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def erased(self) -> bool:
        return bool(self.erasure_result)

    @property
    def due_on(self) -> date:
        return add_months(self.received_on, self.ANSWER_MONTHS)

    # Used by the audit log (no incident reference: a request may concern several).
    @property
    def audit_reference(self) -> str:
        return ""

    @property
    def audit_organisation_id(self) -> int | None:
        return self.organisation_id
