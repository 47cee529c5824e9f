"""Codes for recording requests (DOMAIN.md section 8) and their Danish labels.

The codes are the stable identifiers in the database, the JSON endpoint and the
statistics; the labels are what people read. No ORM here: `suggest.py` and the
statistics use these too.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The citizen's reasons for wanting to record, in the order the form shows them.
MEMORY_PROBLEMS = "memory_problems"
CONCENTRATION_PROBLEMS = "concentration_problems"
NOTE_TAKING_DIFFICULTY = "note_taking_difficulty"
LANGUAGE_BARRIER = "language_barrier"
WANTS_DOCUMENTATION = "wants_documentation"
DISTRUST = "distrust"
PUBLISH_INTENT = "publish_intent"
OTHER = "other"

REASONS: tuple[str, ...] = (
    MEMORY_PROBLEMS,
    CONCENTRATION_PROBLEMS,
    NOTE_TAKING_DIFFICULTY,
    LANGUAGE_BARRIER,
    WANTS_DOCUMENTATION,
    DISTRUST,
    PUBLISH_INTENT,
    OTHER,
)
REASON_LABELS = {
    MEMORY_PROBLEMS: _("Problemer med hukommelsen"),
    CONCENTRATION_PROBLEMS: _("Problemer med at koncentrere sig"),
    NOTE_TAKING_DIFFICULTY: _("Fysisk eller psykisk svært ved at tage noter"),
    LANGUAGE_BARRIER: _("Sprogvanskeligheder"),
    WANTS_DOCUMENTATION: _("Ønsker dokumentation eller bevis for samtalen"),
    DISTRUST: _("Mistillid til sagsbehandleren"),
    PUBLISH_INTENT: _("Vil offentliggøre optagelsen"),
    OTHER: _("Anden grund"),
}

# Decisions.
ALLOWED = "allowed"
ALLOWED_WITH_CONDITIONS = "allowed_with_conditions"
REFUSED = "refused"
DECISIONS: tuple[str, ...] = (ALLOWED, ALLOWED_WITH_CONDITIONS, REFUSED)
DECISION_LABELS = {
    ALLOWED: _("Tilladt"),
    ALLOWED_WITH_CONDITIONS: _("Tilladt med vilkår"),
    REFUSED: _("Afslået"),
}

# What and where.
AUDIO = "audio"
VIDEO = "video"
MEDIA_LABELS = {AUDIO: _("Lydoptagelse"), VIDEO: _("Videooptagelse")}
MEETING = "meeting"
PHONE = "phone"
SETTING_LABELS = {MEETING: _("Møde"), PHONE: _("Telefonsamtale")}

# Keys of the guideline's short passages: one per reason, plus these.
GENERAL = "general"
VIDEO_PASSAGE = "video"
HIDDEN_RECORDING = "hidden_recording"
PASSAGE_KEYS: tuple[str, ...] = (GENERAL, *REASONS, VIDEO_PASSAGE, HIDDEN_RECORDING)
PASSAGE_LABELS = {
    GENERAL: _("Generelt om optagelse"),
    **REASON_LABELS,
    VIDEO_PASSAGE: _("Videooptagelse"),
    HIDDEN_RECORDING: _("Hvis borgeren optager skjult"),
}
