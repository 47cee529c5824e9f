"""The note for the citizen's case file on a recording decision (DOMAIN.md section 8).

A decision on a request to record a meeting or phone call is a step in the citizen's own
case. Offentlighedsloven (lov nr. 606 af 12. juni 2013) § 13, stk. 1, requires a note of
information and steps that matter for the case; the note gives the concrete assessment and
its reasons so the caseworker can file it in the case system, where the citizen's name and
case number are (this system holds neither: the note has a line to write the case number on).

The note is built once as data (`decision_note`) and given as plain text (`note_text`) and as
a PDF (`note_pdf`, WeasyPrint offline like the guideline's PDF). Sources, checked 2 December
2026: Folketingets Ombudsmand FOB 2005.578 (beretning 2005, sag 20-2), DUKH Praksisnyt 54
(lydoptagelse af møder), Dansk Socialrådgiverforening's guidance on udhængning.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .codes import ALLOWED_WITH_CONDITIONS, DECISION_LABELS, MEDIA_LABELS, SETTING_LABELS

TEXT_TEMPLATE = "recordings/note.txt"
PDF_TEMPLATE = "recordings/pdf/note.html"


@dataclass
class DecisionNote:
    reference: str
    organisation: str
    unit: str
    request_date: str
    setting: str
    media: str
    reasons: list[str]
    free_text: str
    guideline: str
    decision: str
    conditions: str
    justification: str
    decided_by: str
    decided_at: str
    hidden_recording: str
    basis: list[str]
    sources: list[str]
    written_at: str


def decision_note(recording_request) -> DecisionNote:
    """The note's content, in Danish."""
    rr = recording_request
    with translation.override("da"):
        guideline = ""
        if rr.guideline_id:
            guideline = _("%(title)s, gældende fra %(date)s") % {
                "title": rr.guideline.title,
                "date": rr.guideline.effective_from.strftime("%d.%m.%Y"),
            }
        hidden = ""
        if rr.hidden_recording_discovered:
            hidden = _("Der er opdaget en skjult optagelse af samtalen.")
            if rr.hidden_recording_note.strip():
                hidden += " " + rr.hidden_recording_note.strip()
        return DecisionNote(
            reference=rr.reference,
            organisation=rr.unit.organisation.name,
            unit=rr.unit.name,
            request_date=rr.request_date.strftime("%d.%m.%Y"),
            setting=str(SETTING_LABELS.get(rr.setting, rr.setting)),
            media=str(MEDIA_LABELS.get(rr.media, rr.media)),
            reasons=[str(label) for label in rr.reason_labels] or [_("Borgeren har ikke givet en grund.")],
            free_text=rr.free_text.strip(),
            guideline=guideline,
            decision=str(DECISION_LABELS.get(rr.decision, rr.decision)),
            conditions=rr.conditions.strip() if rr.decision == ALLOWED_WITH_CONDITIONS else "",
            justification=rr.justification.strip(),
            decided_by=str(rr.decided_by) if rr.decided_by_id else _("ikke oplyst"),
            decided_at=timezone.localtime(rr.decided_at).strftime("%d.%m.%Y %H:%M"),
            hidden_recording=hidden,
            basis=[
                _(
                    "Kommunen kan fastsætte rammerne for de møder og samtaler, den holder. En borger har ikke krav "
                    "på at optage uden en saglig begrundelse, fx problemer med at huske eller koncentrere sig eller "
                    "svært ved at tage noter; hver anmodning vurderes konkret (Folketingets Ombudsmand, FOB "
                    "2005.578)."
                ),
                _(
                    "Vilkår begrænser ikke borgerens ret til som udgangspunkt at offentliggøre en lydoptagelse af "
                    "sin egen samtale. Offentliggørelse kan være ulovlig, hvis optagelsen er krænkende for "
                    "medarbejderen eller afslører fortrolige oplysninger om andre; en video, hvor medarbejderen kan "
                    "genkendes, kan uden samtykke være i strid med databeskyttelsesreglerne."
                ),
                _(
                    "En optagelse af samtalen kan ikke dokumentere kommunens afgørelse i sagen; afgørelsen gives "
                    "skriftligt."
                ),
                _("Notatet er skrevet efter offentlighedslovens § 13, stk. 1 (notatpligt), til borgerens sag."),
            ],
            sources=[
                _("Folketingets Ombudsmand, FOB 2005.578 (beretning 2005, sag 20-2)"),
                _("DUKH (Den Uvildige Konsulentordning på Handicapområdet), Praksisnyt 54: Lydoptagelse af møder"),
                _("Dansk Socialrådgiverforening: vejledning om udhængning (optagelse og offentliggørelse af samtaler)"),
                _("Offentlighedsloven (lov nr. 606 af 12. juni 2013) § 13, stk. 1"),
            ],
            written_at=timezone.localtime().strftime("%d.%m.%Y %H:%M"),
        )


def note_text(recording_request) -> str:
    with translation.override("da"):
        return render_to_string(TEXT_TEMPLATE, {"note": decision_note(recording_request)}).strip() + "\n"


def note_pdf(recording_request) -> bytes:
    """The note on A4 pages (offline; the fetcher loads nothing but our static files), through the
    project's one WeasyPrint setup (common.pdf)."""
    from common.pdf import render_pdf, static_base_url

    from .pdf import url_fetcher

    with translation.override("da"):
        html = render_to_string(PDF_TEMPLATE, {"note": decision_note(recording_request)})
    return render_pdf(html, base_url=static_base_url(), url_fetcher=url_fetcher(), archival=False).content
