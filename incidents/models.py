"""Incidents and everything registered about them (DOMAIN.md sections 3 and 5).

Feature codes are boolean columns named exactly as in DOMAIN.md 3.1 and 3.2, so
statistics can count them in the database. The computed assessment is stored beside
the facts (`assessed_level`, `assessment`) and recomputed by `incidents.services`
whenever the facts change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Trim, Upper
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

from .art14 import EXCEPTION_CHOICES as ART14_EXCEPTION_CHOICES
from .assessment import (
    ACTION_CODES,
    CONTENT_FEATURES,
    FEATURE_LABELS,
    LEVEL_LABELS,
    PERPETRATOR_RELATION_LABELS,
    PLATFORM_LABELS,
    REACH_LABELS,
    RECORDING_FEATURES,
    RELATED_PHENOMENA,
    RELATED_PHENOMENA_LABELS,
)
from .assessment.texts import ACTION_TITLES

FEATURE_FIELDS = (*CONTENT_FEATURES, *RECORDING_FEATURES)
PHENOMENON_FIELDS = {code: f"related_{code}" for code in RELATED_PHENOMENA}

PLATFORM_CHOICES = list(PLATFORM_LABELS.items())
REACH_CHOICES = list(REACH_LABELS.items())
RELATION_CHOICES = list(PERPETRATOR_RELATION_LABELS.items())
LEVEL_CHOICES = list(LEVEL_LABELS.items())
ACTION_CHOICES = [(code, ACTION_TITLES[code]) for code in ACTION_CODES]


class AuditedPartOfIncident:
    """Rows that belong to one incident are audited under its reference and organisation."""

    @property
    def audit_reference(self) -> str:
        return self.incident.reference

    @property
    def audit_organisation_id(self) -> int | None:
        return self.incident.unit.organisation_id


class ReferenceCounter(models.Model):
    """Last incident number used per year (see `incidents.services.next_reference`)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Incident(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Indberettet")
        ASSESSING = "assessing", _("Under vurdering")
        IN_PROGRESS = "in_progress", _("Handling iværksat")
        CLOSED = "closed", _("Afsluttet")

    class Channel(models.TextChoices):
        SELF_REPORT = "self_report", _("Medarbejderens egen anmeldelse")
        MANAGER = "manager", _("Registreret af leder")

    reference = models.CharField(_("sagsnummer"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("enhed"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reported_incidents",
        verbose_name=_("anmeldt af"),
    )
    targets = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="targeted_incidents",
        verbose_name=_("berørte medarbejdere"),
    )
    target_names = models.CharField(
        _("andre berørte (navne)"),
        max_length=500,
        blank=True,
        help_text=_("Navne på berørte, der ikke har en bruger i systemet."),
    )
    title = models.CharField(_("kort overskrift"), max_length=200)
    description = models.TextField(_("hvad er sket"), blank=True)

    # 3.1 content features and 3.2 recording features (codes as column names).
    named = models.BooleanField(FEATURE_LABELS["named"], default=False)
    photo = models.BooleanField(FEATURE_LABELS["photo"], default=False)
    offensive_language = models.BooleanField(FEATURE_LABELS["offensive_language"], default=False)
    addressed_to_employee = models.BooleanField(FEATURE_LABELS["addressed_to_employee"], default=False)
    insulting_description = models.BooleanField(FEATURE_LABELS["insulting_description"], default=False)
    abuse_of_power_accusation = models.BooleanField(FEATURE_LABELS["abuse_of_power_accusation"], default=False)
    lawbreaking_accusation = models.BooleanField(FEATURE_LABELS["lawbreaking_accusation"], default=False)
    workplace_details = models.BooleanField(FEATURE_LABELS["workplace_details"], default=False)
    private_details = models.BooleanField(FEATURE_LABELS["private_details"], default=False)
    family_exposed = models.BooleanField(FEATURE_LABELS["family_exposed"], default=False)
    threat = models.BooleanField(FEATURE_LABELS["threat"], default=False)
    threat_to_expose = models.BooleanField(FEATURE_LABELS["threat_to_expose"], default=False)
    incitement = models.BooleanField(FEATURE_LABELS["incitement"], default=False)
    repeated = models.BooleanField(FEATURE_LABELS["repeated"], default=False)
    audio_published = models.BooleanField(FEATURE_LABELS["audio_published"], default=False)
    video_published = models.BooleanField(FEATURE_LABELS["video_published"], default=False)
    video_consent = models.BooleanField(FEATURE_LABELS["video_consent"], default=False)
    third_party_confidential = models.BooleanField(FEATURE_LABELS["third_party_confidential"], default=False)
    hidden_recording = models.BooleanField(FEATURE_LABELS["hidden_recording"], default=False)
    recorder_not_party = models.BooleanField(FEATURE_LABELS["recorder_not_party"], default=False)

    # 3.3 context
    perpetrator_relation = models.CharField(
        _("hvem har offentliggjort det"), max_length=30, choices=RELATION_CHOICES, default="unknown"
    )
    perpetrator_name = models.CharField(_("afsenderens navn"), max_length=200, blank=True)
    perpetrator_profile_url = models.URLField(_("afsenderens profil (link)"), max_length=2000, blank=True)
    related_bullying = models.BooleanField(RELATED_PHENOMENA_LABELS["bullying"], default=False)
    related_threats = models.BooleanField(RELATED_PHENOMENA_LABELS["threats"], default=False)
    related_stalking = models.BooleanField(RELATED_PHENOMENA_LABELS["stalking"], default=False)
    related_case_complaint = models.BooleanField(RELATED_PHENOMENA_LABELS["case_complaint"], default=False)

    # Impact
    absence_days = models.PositiveIntegerField(_("sygefravær (dage)"), default=0)
    absence_start = models.DateField(_("første fraværsdag"), null=True, blank=True)
    psychological_harm = models.BooleanField(_("psykisk belastning eller skade"), default=False)
    emotional_load = models.PositiveSmallIntegerField(
        _("hvordan har medarbejderen det (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    # Dates
    discovered_at = models.DateTimeField(_("opdaget"))
    registered_at = models.DateTimeField(_("registreret"))
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    takedown_requested_at = models.DateTimeField(_("anmodning om fjernelse sendt"), null=True, blank=True)

    # Assessment (computed by incidents.assessment; confirmed or overridden by a manager)
    assessed_level = models.PositiveSmallIntegerField(_("beregnet alvorlighed"), choices=LEVEL_CHOICES, default=1)
    assessment = models.JSONField(_("vurdering"), default=dict, blank=True)
    rules_version = models.CharField(max_length=20, blank=True)
    facts_hash = models.CharField(max_length=64, blank=True)
    confirmed_level = models.PositiveSmallIntegerField(
        _("bekræftet alvorlighed"), choices=LEVEL_CHOICES, null=True, blank=True
    )
    override_justification = models.TextField(_("begrundelse for ændret niveau"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_facts_hash = models.CharField(max_length=64, blank=True)

    legal_hold = models.BooleanField(_("retligt hold (må ikke slettes)"), default=False)
    # The case owner (sagsansvarlig): the manager who handles the case (issue 17). Taken or
    # assigned on the incident page (`incidents.casework`); any manager of the unit may still act.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_incidents",
        verbose_name=_("sagsansvarlig"),
    )
    owner_since = models.DateTimeField(_("sagsansvarlig siden"), null=True, blank=True)
    # Journalisation in the municipality's own document system (offentlighedsloven § 15): the
    # case archive (reports.archive) is exported there and its journal number recorded here.
    journal_number = models.CharField(
        _("journalnummer"),
        max_length=100,
        blank=True,
        help_text=_(
            "Sagens nummer i kommunens eget dokumenthåndteringssystem (ESDH), hvor sagsarkivet er journaliseret."
        ),
    )
    journalised_at = models.DateTimeField(_("journaliseret"), null=True, blank=True)
    journalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journaliseret af"),
    )
    # Optimistic concurrency: every save adds one (see save()); forms carry it and the API
    # sends it as the ETag, so a change based on an older version is refused, not lost.
    version = models.PositiveIntegerField(_("version"), default=1)

    # Facts the reports to outside recipients need (DOMAIN.md 6; LEGAL-REVIEW.md D 22–23).
    # The publisher (the person who put it online, not the platform) asked to remove it:
    publisher_contacted_at = models.DateTimeField(_("udgiveren bedt om at fjerne det (hvornår)"), null=True, blank=True)
    publisher_contact_method = models.CharField(
        _("hvordan udgiveren blev kontaktet"),
        max_length=200,
        blank=True,
        help_text=_("Fx brev, e-mail eller besked til personen selv. En anmeldelse til platformen hører ikke til her."),
    )
    publisher_answer = models.TextField(_("udgiverens svar"), blank=True)
    # The employee's consent, recorded by the manager who asked.
    consent_police_report = models.BooleanField(
        _("medarbejderen har givet samtykke til politianmeldelsen"), default=False
    )
    consent_dsa_notice = models.BooleanField(
        _(
            "medarbejderen har givet samtykke til, at arbejdsgiveren anmelder indholdet til platformen på "
            "medarbejderens vegne"
        ),
        default=False,
    )
    consent_name_to_amo = models.BooleanField(
        _("medarbejderen har givet samtykke til, at navnet står i rapporten til arbejdsmiljøorganisationen"),
        default=False,
    )
    employee_police_contact = models.CharField(
        _("medarbejderens telefon eller e-mail til politiet"),
        max_length=200,
        blank=True,
        help_text=_("Kun med medarbejderens samtykke; står i politianmeldelsen."),
    )
    witnesses = models.TextField(
        _("vidner"), blank=True, help_text=_("Navn og kontakt på personer, der har set indholdet eller hændelsen.")
    )
    compensation_wanted = models.BooleanField(
        _("medarbejderen ønsker at kræve erstatning i straffesagen"), default=False
    )
    bistandsadvokat_wanted = models.BooleanField(_("medarbejderen ønsker en bistandsadvokat"), default=False)
    injury_copy_to_amo = models.BooleanField(
        _("arbejdsmiljøorganisationen har fået en kopi af anmeldelsen af arbejdsskaden"), default=False
    )

    # Information to the perpetrator (GDPR art. 14; incidents.art14): a date, or an exception with a reason.
    art14_informed_on = models.DateField(_("afsenderen oplyst om behandlingen (dato)"), null=True, blank=True)
    art14_exception = models.CharField(
        _("undtagelse fra oplysningspligten"), max_length=20, blank=True, choices=ART14_EXCEPTION_CHOICES
    )
    art14_reason = models.TextField(_("begrundelse for undtagelsen"), blank=True)
    art14_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oplysning til afsenderen registreret af"),
    )
    art14_recorded_at = models.DateTimeField(_("oplysning til afsenderen registreret"), null=True, blank=True)

    class Meta:
        verbose_name = _("hændelse")
        verbose_name_plural = _("hændelser")
        ordering = ["-registered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="incident_unique_year_number")]
        indexes = [
            models.Index(fields=["unit", "status"]),
            # The list's order (newest first, the id breaking ties): read in index order, the first
            # page stops after its rows even where many incidents share a minute; it replaces the
            # index on registered_at alone, which date ranges use in the same way.
            models.Index(fields=["-registered_at", "-id"], name="incident_newest_idx"),
            models.Index(fields=["unit", "-registered_at"]),
            models.Index(fields=["status", "-registered_at"]),
            models.Index(fields=["assessed_level"]),
            # Earlier incidents with the same perpetrator (reports.content.earlier_incidents): the
            # name is compared trimmed and case-insensitively (UPPER(TRIM)), the profile link exactly.
            # Newest first with the unit in the key: the report's latest few are the first entries
            # of the index and its count an index-only scan (issue 24; PostgreSQL answers from an
            # expression index alone only when the column itself is in it too).
            models.Index(
                Upper(Trim("perpetrator_name")),
                models.F("discovered_at").desc(),
                models.F("id").desc(),
                models.F("unit_id"),
                models.F("perpetrator_name"),
                name="incident_perp_name_latest_idx",
                condition=~models.Q(perpetrator_name=""),
            ),
            models.Index(
                models.F("perpetrator_profile_url"),
                models.F("discovered_at").desc(),
                models.F("id").desc(),
                models.F("unit_id"),
                name="incident_perp_url_latest_idx",
                condition=~models.Q(perpetrator_profile_url=""),
            ),
            # The statistics (stats.queries) select incidents by unit and registration time and count
            # these columns: PostgreSQL answers them from this index alone (INCLUDE is ignored on SQLite).
            models.Index(
                fields=["unit", "registered_at"],
                name="incident_stats_idx",
                include=[
                    "id",
                    "confirmed_level",
                    "assessed_level",
                    "status",
                    "perpetrator_relation",
                    *PHENOMENON_FIELDS.values(),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # Used by the audit log.
    @property
    def audit_reference(self) -> str:
        return self.reference

    @property
    def audit_organisation_id(self) -> int | None:
        return self.unit.organisation_id if self.unit_id else None

    @property
    def features(self) -> frozenset[str]:
        return frozenset(code for code in FEATURE_FIELDS if getattr(self, code))

    @property
    def related_phenomena(self) -> frozenset[str]:
        return frozenset(code for code, field in PHENOMENON_FIELDS.items() if getattr(self, field))

    @property
    def level(self) -> int:
        """The level in force: the manager's confirmation if any, else the computed one."""
        return self.confirmed_level or self.assessed_level

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def facts_changed_since_confirmation(self) -> bool:
        return bool(self.confirmed_at and self.confirmed_facts_hash != self.facts_hash)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    ALLOWED_TRANSITIONS = {
        "reported": ("assessing", "in_progress", "closed"),
        "assessing": ("in_progress", "closed"),
        "in_progress": ("closed",),
        "closed": ("in_progress",),
    }

    def may_move_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, ())

    def save(self, *args, **kwargs):
        """Every saved change is a new version (the row's own bookkeeping, no side effect)."""
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class Publication(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="publications")
    platform = models.CharField(_("platform"), max_length=30, choices=PLATFORM_CHOICES)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    title = models.CharField(_("titel eller beskrivelse"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    captured_at = models.DateTimeField(_("sikret (skærmbillede taget)"), null=True, blank=True)
    reach = models.CharField(_("rækkevidde"), max_length=30, choices=REACH_CHOICES, default="public")
    audience_size = models.PositiveIntegerField(_("publikum (antal)"), null=True, blank=True)
    still_online = models.BooleanField(_("stadig online"), null=True, blank=True)
    quote = models.TextField(_("ordret citat"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("offentliggørelse")
        verbose_name_plural = _("offentliggørelser")
        ordering = ["published_at", "id"]
        # Incidents per platform in the statistics, read from the index alone.
        indexes = [models.Index(fields=["incident", "platform"], name="publication_platform_idx")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.url}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """Stored under a random name; the original name is kept in the row only."""
    return f"evidence/{instance.incident.year}/{uuid.uuid4().hex}"


class Evidence(AuditedPartOfIncident, models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Billede")
        PDF = "pdf", _("PDF")
        AUDIO = "audio", _("Lyd")
        VIDEO = "video", _("Video")
        TEXT = "text", _("Tekst")
        WEBPAGE = "webpage", _("Gemt webside")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    publication = models.ForeignKey(
        Publication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("hører til offentliggørelse"),
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    original_name = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(_("filtype"), max_length=100)
    kind = models.CharField(_("art"), max_length=20, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("størrelse (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    description = models.CharField(_("beskrivelse"), max_length=500, blank=True)
    captured_at = models.DateTimeField(_("sikret"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploadet"), auto_now_add=True)
    # Tombstone: the file is gone, the row says who removed it, when and why.
    removed_at = models.DateTimeField(_("fjernet"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(_("begrundelse for fjernelse"), blank=True)

    class Meta:
        verbose_name = _("dokumentation")
        verbose_name_plural = _("dokumentation")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Redaction(AuditedPartOfIncident, models.Model):
    """A span of a quote or of other free text that external documents leave out (issue 14,
    DOMAIN.md 6): police, Datatilsynet and platform documents show "[udeladt]" in its place.
    The stored text itself is never changed. Every occurrence of `text` in the field is left
    out, so the span survives small edits elsewhere in the text."""

    class Field(models.TextChoices):
        QUOTE = "quote", _("Citat")
        PUBLICATION_TITLE = "publication_title", _("Offentliggørelsens titel")
        TITLE = "title", _("Sagens overskrift")
        DESCRIPTION = "description", _("Beskrivelsen af hvad der er sket")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="redactions")
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, null=True, blank=True, related_name="redactions"
    )
    field = models.CharField(_("felt"), max_length=30, choices=Field.choices)
    text = models.CharField(_("tekst der udelades"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("udeladelse")
        verbose_name_plural = _("udeladelser")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.field}"


class TimelineEntry(models.Model):
    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registreret")
        EDITED = "edited", _("Oplysninger ændret")
        STATUS = "status", _("Status ændret")
        ACTION = "action", _("Handling udført")
        EVIDENCE_ADDED = "evidence_added", _("Dokumentation tilføjet")
        EVIDENCE_REMOVED = "evidence_removed", _("Dokumentation fjernet")
        ASSESSMENT = "assessment", _("Vurdering bekræftet")
        ASSESSMENT_OVERRIDE = "assessment_override", _("Niveau ændret af leder")
        OWNER = "owner", _("Sagsansvarlig ændret")
        EXCLUSION = "exclusion", _("Leder holdt ude af sagen")
        REASSESSED = "reassessed", _("Vurdering genberegnet efter nye regler")
        NOTE = "note", _("Note")
        # Watching a captured page (incidents.capture.watch)
        PAGE_REMOVED = "page_removed", _("Fjernet")
        PAGE_CHANGED = "page_changed", _("Ændret")
        PAGE_BACK = "page_back", _("Tilgængelig igen")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("art"), max_length=30, choices=Kind.choices)
    action_code = models.CharField(_("handling"), max_length=40, choices=ACTION_CHOICES, blank=True)
    occurred_on = models.DateField(_("dato"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("note"), blank=True)
    external_reference = models.CharField(
        _("ekstern reference"),
        max_length=200,
        blank=True,
        help_text=_("Fx politiets journalnummer, Datatilsynets sagsnummer eller platformens sagsnummer."),
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    visible_to_employee = models.BooleanField(_("vises for medarbejderen"), default=True)

    class Meta:
        verbose_name = _("tidslinjepunkt")
        verbose_name_plural = _("tidslinje")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["incident", "kind", "action_code"]),
            # The first action per incident and the reports in the statistics, read from the index alone.
            models.Index(
                fields=["incident", "occurred_on"],
                include=["action_code"],
                condition=models.Q(kind="action"),
                name="timeline_action_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.occurred_on}"


class Note(models.Model):
    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Intern (kun ledere)")
        SHARED = "shared", _("Delt med medarbejderen")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"))
    visibility = models.CharField(
        _("synlighed"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("noter")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.visibility}"


class IncidentDeadline(models.Model):
    """The deadlines of the current assessment, one row each, so the dashboard and the
    reminders can ask the database "what falls due soon" (kept in step by
    `incidents.services.incident_reassess`)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadline_rows")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    due = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["due"]
        constraints = [models.UniqueConstraint(fields=["incident", "code"], name="deadline_unique_per_incident")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.code} {self.due:%Y-%m-%d}"


class DeadlineDismissal(models.Model):
    """A manager has marked one deadline of an incident as not relevant, with a reason
    (DOMAIN.md 4.4). Kept apart from the assessment, so a re-assessment (a new rules
    version, changed facts) does not bring the deadline back on the dashboard; the row
    is removed again when the manager takes the mark back."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadline_dismissals")
    code = models.CharField(_("frist"), max_length=40)
    reason = models.TextField(_("begrundelse"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("markeret af")
    )
    dismissed_at = models.DateTimeField(_("markeret"), auto_now_add=True)

    class Meta:
        verbose_name = _("frist markeret som ikke relevant")
        verbose_name_plural = _("frister markeret som ikke relevante")
        constraints = [models.UniqueConstraint(fields=["incident", "code"], name="dismissal_unique_per_incident")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.code}"


# The case workspace's models (issue 17) and the storage and retention bookkeeping live in their
# own modules; imported here so Django registers them with this app.
from .casework_models import CaseExclusion, CaseMessage, IncidentShare, WatchListEntry  # noqa: E402, F401
from .housekeeping_models import PendingFileDeletion, RetentionRun  # noqa: E402, F401
