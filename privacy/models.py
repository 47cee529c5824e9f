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

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("anmodning om"), max_length=20, choices=Kind.choices)
    subject_type = models.CharField(_("den registrerede er"), max_length=20, choices=SubjectType.choices)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("medarbejder"),
    )
    subject_name = models.CharField(
        _("navn som oplyst"),
        max_length=200,
        blank=True,
        help_text=_("Afsenderens navn, som det står i anmodningen. For en medarbejder: navnet, da anmodningen kom."),
    )
    subject_profile_url = models.URLField(
        _("profil-link som oplyst"),
        max_length=500,
        blank=True,
        help_text=_("Afsenderens profil (fx på Facebook), hvis anmodningen oplyser den: sager med samme link findes."),
    )
    identity_check = models.TextField(
        _("identitetskontrol"),
        blank=True,
        help_text=_(
            "Hvordan det er kontrolleret, at anmoderen er den registrerede (fx «MitID-signeret brev», "
            "«kopi af pas sammenholdt med profilen»)."
        ),
    )
    identity_checked_at = models.DateTimeField(_("identitet kontrolleret"), null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kontrolleret af"),
    )
    received_on = models.DateField(_("modtaget den"))
    requester = models.CharField(
        _("anmodet af"),
        max_length=200,
        help_text=_("Fx «den registrerede selv» eller «advokat Hanne Hansen med fuldmagt»."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandlet af"),
    )
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


# Models kept in their own modules (same app, same migrations).
from .dpia_models import DpiaDraft  # noqa: E402, F401

# --- Access requests by a perpetrator: matches, withholding, exports rendered by the worker -----------


class Exception22(models.TextChoices):
    """The exceptions of databeskyttelsesloven § 22 (lov nr. 502 af 23. maj 2018) from the right of access
    (art. 15) an admin may name for a withheld item; the text of the act, shortened. Checked 2 December 2026."""

    PRIVATE = (
        "stk1",
        _(
            "§ 22, stk. 1: afgørende hensyn til private interesser, herunder hensynet til den "
            "pågældende selv (fx den ansattes sikkerhed)"
        ),
    )
    CRIME = (
        "stk2_nr4",
        _(
            "§ 22, stk. 2, nr. 4: forebyggelse, efterforskning, afsløring eller retsforfølgning af "
            "strafbare handlinger (fx mens politiet efterforsker)"
        ),
    )
    PROCEEDINGS = "stk2_nr6", _("§ 22, stk. 2, nr. 6: beskyttelse af retsvæsenets uafhængighed og retssager")
    SUPERVISION = (
        "stk2_nr8",
        _(
            "§ 22, stk. 2, nr. 8: kontrol-, tilsyns- eller reguleringsfunktion (fx en klage "
            "til Datatilsynet under behandling)"
        ),
    )
    OTHERS = (
        "stk2_nr9",
        _("§ 22, stk. 2, nr. 9: beskyttelse af den registrerede eller af andres rettigheder og frihedsrettigheder"),
    )
    CLAIMS = "stk2_nr10", _("§ 22, stk. 2, nr. 10: håndhævelse af civilretlige krav")


class AccessItem(models.Model):
    """The admin's decision on one item found for a perpetrator's request: a near match included or left
    out, or an item withheld under § 22 with its reason. `key` names the item ("incident:12",
    "publication:7", "report:5"); no row means the default (exact matches and their items included,
    near matches left out, nothing withheld)."""

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="items", verbose_name=_("anmodning")
    )
    key = models.CharField(_("punkt"), max_length=40)
    included = models.BooleanField(
        _("medtaget"), null=True, blank=True, help_text=_("For et nært match: medtaget (ja) eller udeladt (nej).")
    )
    withheld = models.BooleanField(_("undtaget fra indsigt"), default=False)
    exception = models.CharField(_("undtagelse"), max_length=20, choices=Exception22.choices, blank=True)
    reason = models.TextField(_("begrundelse"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("besluttet af")
    )
    decided_at = models.DateTimeField(_("besluttet"), auto_now=True)

    class Meta:
        verbose_name = _("punkt i en indsigt")
        verbose_name_plural = _("punkter i indsigter")
        constraints = [
            models.UniqueConstraint(fields=["request", "key"], name="access_item_unique_key"),
            models.CheckConstraint(
                condition=Q(withheld=False) | ~Q(exception="") & ~Q(reason=""), name="access_item_withheld_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.key}"

    @property
    def audit_reference(self) -> str:
        return ""

    @property
    def audit_organisation_id(self) -> int | None:
        return self.request.organisation_id


def access_export_upload_to(instance: AccessExport, filename: str) -> str:
    import uuid

    return f"privacy/{instance.request.received_on.year}/{uuid.uuid4().hex}.{instance.fmt}"


class AccessExport(models.Model):
    """One export of the answer to a request (JSON or PDF), rendered by the worker
    (privacy.tasks.render_access_export) and stored privately; the page polls its status."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        RENDERING = "rendering", _("Dannes")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Mislykkedes")

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="exports", verbose_name=_("anmodning")
    )
    fmt = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("fil"), upload_to=access_export_upload_to, blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("størrelse"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("sider"), null=True, blank=True)
    withheld = models.PositiveIntegerField(_("undtagne punkter"), default=0)
    error = models.TextField(_("fejl"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("bestilt af")
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    started_at = models.DateTimeField(_("påbegyndt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)

    class Meta:
        verbose_name = _("udtræk til en registreret")
        verbose_name_plural = _("udtræk til registrerede")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.fmt} {self.status}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_unfinished(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RENDERING)

    @property
    def filename(self) -> str:
        return f"{self.request.reference}-{'sletning' if self.request.is_erasure else 'indsigt'}.{self.fmt}"

    @property
    def audit_reference(self) -> str:
        return ""

    @property
    def audit_organisation_id(self) -> int | None:
        return self.request.organisation_id
