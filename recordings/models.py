"""The municipality's recording guideline and the citizens' requests to record
(DOMAIN.md section 8).

The guideline is versioned: each version has the date it takes effect, and the version in
force on a day is the newest one whose date has come. Older versions are kept, and a
request points at the version it was judged under, so a version that has taken effect
is never changed (see recordings/admin.py).

A request holds no personal data about the citizen: no name, no CPR number (free text
is checked by recordings.cpr), only what the desk needs to judge and count it. Reasons
are boolean columns named `reason_<code>`, so the overview counts them in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Unit

from . import markup
from .codes import (
    DECISION_LABELS,
    MEDIA_LABELS,
    PASSAGE_KEYS,
    PASSAGE_LABELS,
    REASON_LABELS,
    REASONS,
    SETTING_LABELS,
)
from .cpr import validate_no_cpr
from .suggest import POLICY_CHOICES, GuidelinePolicy, RequestFacts, Suggestion, suggest

REASON_FIELDS = {code: f"reason_{code}" for code in REASONS}
DECISION_CHOICES = list(DECISION_LABELS.items())
MARKUP_HELP = _(
    "Skriv almindelig tekst. En tom linje giver nyt afsnit. «## » i starten af en linje giver en overskrift, "
    "«- » et punkt i en liste, og **ord** bliver fed. Alt andet vises som tekst."
)


class RecordingGuideline(models.Model):
    """One version of the organisation's guideline on recording meetings and phone calls."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="recording_guidelines",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("tekst"), help_text=MARKUP_HELP, validators=[validate_no_cpr])
    effective_from = models.DateField(
        _("gælder fra"),
        help_text=_("Versionen gælder fra denne dato, til en nyere version træder i kraft."),
    )
    without_legitimate_reason = models.CharField(
        _("forslag uden saglig begrundelse"),
        max_length=30,
        default=POLICY_CHOICES[-1],
        choices=[(code, DECISION_LABELS[code]) for code in POLICY_CHOICES],
        help_text=_(
            "Hvad appen foreslår, når borgeren kun ønsker dokumentation, har mistillid eller en anden "
            "grund, der ikke i sig selv er saglig."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
        editable=False,
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("retningslinje for optagelse")
        verbose_name_plural = _("retningslinjer for optagelse")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="recording_guideline_one_version_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.effective_from:%d.%m.%Y})"

    @property
    def has_taken_effect(self) -> bool:
        return self.effective_from <= timezone.localdate()

    @property
    def policy(self) -> GuidelinePolicy:
        return GuidelinePolicy(without_legitimate_reason=self.without_legitimate_reason)

    @property
    def body_html(self):
        return markup.to_html(self.body, heading_level=2)


class GuidelinePassage(models.Model):
    """A short passage of a guideline version about one reason (or video, hidden recordings,
    the general rule), shown beside the suggestion."""

    guideline = models.ForeignKey(RecordingGuideline, on_delete=models.CASCADE, related_name="passages")
    key = models.CharField(_("emne"), max_length=40, choices=list(PASSAGE_LABELS.items()))
    text = models.TextField(_("tekst"), help_text=MARKUP_HELP, validators=[validate_no_cpr])

    class Meta:
        verbose_name = _("afsnit")
        verbose_name_plural = _("afsnit om de enkelte grunde")
        constraints = [models.UniqueConstraint(fields=["guideline", "key"], name="guideline_passage_unique_key")]

    def __str__(self) -> str:
        return str(PASSAGE_LABELS.get(self.key, self.key))

    @property
    def order(self) -> int:
        return PASSAGE_KEYS.index(self.key) if self.key in PASSAGE_KEYS else len(PASSAGE_KEYS)

    @property
    def text_html(self):
        return markup.to_html(self.text, heading_level=4)


class RecordingRequest(models.Model):
    """A citizen's request to record a meeting or phone call, and the decision on it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="recording_requests", verbose_name=_("enhed"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="recording_requests",
        verbose_name=_("registreret af"),
    )
    registered_at = models.DateTimeField(_("registreret"), default=timezone.now)
    request_date = models.DateField(_("dato for anmodningen"), db_index=True)
    media = models.CharField(_("optagelse"), max_length=10, choices=list(MEDIA_LABELS.items()))
    setting = models.CharField(_("samtale"), max_length=10, choices=list(SETTING_LABELS.items()))

    reason_memory_problems = models.BooleanField(REASON_LABELS["memory_problems"], default=False)
    reason_concentration_problems = models.BooleanField(REASON_LABELS["concentration_problems"], default=False)
    reason_note_taking_difficulty = models.BooleanField(REASON_LABELS["note_taking_difficulty"], default=False)
    reason_language_barrier = models.BooleanField(REASON_LABELS["language_barrier"], default=False)
    reason_wants_documentation = models.BooleanField(REASON_LABELS["wants_documentation"], default=False)
    reason_distrust = models.BooleanField(REASON_LABELS["distrust"], default=False)
    reason_publish_intent = models.BooleanField(REASON_LABELS["publish_intent"], default=False)
    reason_other = models.BooleanField(REASON_LABELS["other"], default=False)
    free_text = models.TextField(_("borgerens begrundelse med egne ord"), blank=True, validators=[validate_no_cpr])

    guideline = models.ForeignKey(
        RecordingGuideline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("retningslinje"),
    )
    suggested_decision = models.CharField(_("foreslået afgørelse"), max_length=30, choices=DECISION_CHOICES)
    decision = models.CharField(_("afgørelse"), max_length=30, choices=DECISION_CHOICES)
    conditions = models.TextField(_("vilkår"), blank=True, validators=[validate_no_cpr])
    justification = models.TextField(_("begrundelse for afgørelsen"), validators=[validate_no_cpr])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("afgjort af"),
    )
    decided_at = models.DateTimeField(_("afgjort"))

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gennemgået af"),
    )
    reviewed_at = models.DateTimeField(_("gennemgået"), null=True, blank=True)
    review_note = models.TextField(_("lederens bemærkning"), blank=True, validators=[validate_no_cpr])

    hidden_recording_discovered = models.BooleanField(_("skjult optagelse opdaget"), default=False)
    hidden_recording_note = models.TextField(_("om den skjulte optagelse"), blank=True, validators=[validate_no_cpr])
    hidden_recording_at = models.DateTimeField(_("skjult optagelse registreret"), null=True, blank=True)

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recording_requests",
        verbose_name=_("hændelse (offentliggjort optagelse)"),
    )
    # Set when the linked incident was deleted after the retention period (retention.services):
    # the link is cleared, but the request still counts as linked in the statistics.
    # Set when the request's retention period (Organisation.recording_retention_months) ran out:
    # free text and the people's names are removed; the coded facts stay for the statistics.
    anonymised_on = models.DateField(_("anonymiseret"), null=True, blank=True)
    linked_incident_purged_on = models.DateField(
        _("knyttet hændelse slettet (opbevaringsperiode udløbet)"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("anmodning om optagelse")
        verbose_name_plural = _("anmodninger om optagelse")
        ordering = ["-request_date", "-id"]
        indexes = [
            models.Index(fields=["unit", "-request_date"]),
            models.Index(fields=["registered_by", "-request_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.request_date:%d.%m.%Y}"

    @property
    def reference(self) -> str:
        return f"OPT-{self.pk}"

    # Used by the audit log (requests are not incidents: no incident reference).
    @property
    def audit_reference(self) -> str:
        return ""

    @property
    def audit_organisation_id(self) -> int | None:
        return self.unit.organisation_id if self.unit_id else None

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(code for code, name in REASON_FIELDS.items() if getattr(self, name))

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[code] for code in self.reasons]

    @property
    def facts(self) -> RequestFacts:
        return RequestFacts.of(self.reasons, self.media)

    def compute_suggestion(self) -> Suggestion:
        """The suggestion under the guideline version the request was judged by."""
        return suggest(self.facts, self.guideline.policy if self.guideline_id else None)

    @property
    def follows_suggestion(self) -> bool:
        return self.decision == self.suggested_decision

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
