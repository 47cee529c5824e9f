"""Spans of free text that documents for outside recipients leave out (issue 14).

The manager marks a piece of a quote (or of the title, the description or a publication's
title) that must not leave the organisation, such as a home address. External reports
and the DSA text print REDACTED in its place; the stored text is never changed. Adding and
removing a redaction is audited (without the text itself, which stays in the row).

    redaction_add(*, actor, incident, field, text, publication=None, request=None) -> Redaction
    redaction_remove(*, actor, redaction, request=None) -> None
    redact(text, spans) -> str
    redactions_for(incident) -> RedactionIndex (what to leave out of which field)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import Incident, Publication, Redaction

REDACTED = "[udeladt]"


def _source_text(incident: Incident, field_code: str, publication: Publication | None) -> str:
    if field_code == Redaction.Field.QUOTE:
        return publication.quote if publication else ""
    if field_code == Redaction.Field.PUBLICATION_TITLE:
        return publication.title if publication else ""
    if field_code == Redaction.Field.TITLE:
        return incident.title
    return incident.description


@transaction.atomic
def redaction_add(
    *, actor, incident: Incident, field: str, text: str, publication: Publication | None = None, request=None
) -> Redaction:
    """Leave `text` out of the field in external documents; it must occur in the field."""
    text = (text or "").strip()
    if field not in Redaction.Field.values:
        raise ValidationError(_("Vælg, hvilken tekst udeladelsen gælder."), code="field")
    needs_publication = field in (Redaction.Field.QUOTE, Redaction.Field.PUBLICATION_TITLE)
    if needs_publication and (publication is None or publication.incident_id != incident.pk):
        raise ValidationError(_("Vælg den offentliggørelse, citatet hører til."), code="publication")
    if not text:
        raise ValidationError(_("Skriv eller kopiér den tekst, der skal udelades."), code="empty")
    if text.casefold() not in _source_text(incident, field, publication).casefold():
        raise ValidationError(
            _("Teksten «%(text)s» står ikke ordret i det valgte felt. Kopiér den præcist, som den står.")
            % {"text": text[:80]},
            code="absent",
        )
    redaction = Redaction.objects.create(
        incident=incident,
        publication=publication if needs_publication else None,
        field=field,
        text=text[:1000],
        created_by=actor,
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=redaction,
        summary=_("Udeladelse i eksterne dokumenter tilføjet"),
        details={"field": field, "publication": publication.pk if publication else None, "length": len(text)},
    )
    return redaction


@transaction.atomic
def redaction_remove(*, actor, redaction: Redaction, request=None) -> None:
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=redaction,
        summary=_("Udeladelse i eksterne dokumenter fjernet"),
        details={"field": redaction.field, "publication": redaction.publication_id},
    )
    redaction.delete()


def redact(text: str, spans) -> str:
    """`text` with every occurrence of each span (case-insensitive) replaced by REDACTED."""
    spans = sorted({s for s in spans if s}, key=len, reverse=True)
    if not text or not spans:
        return text
    pattern = re.compile("|".join(re.escape(s) for s in spans), re.IGNORECASE)
    return pattern.sub(REDACTED, text)


@dataclass
class RedactionIndex:
    by_incident_field: dict[str, list[str]] = field(default_factory=dict)
    by_publication: dict[tuple[int, str], list[str]] = field(default_factory=dict)

    def incident_text(self, field_code: str, text: str) -> str:
        return redact(text, self.by_incident_field.get(field_code, ()))

    def publication_text(self, publication_id: int, field_code: str, text: str) -> str:
        return redact(text, self.by_publication.get((publication_id, field_code), ()))

    def everywhere(self, text: str) -> str:
        """Free text typed for one report (a DSA explanation): every span of the case left out."""
        spans = [s for spans in (*self.by_incident_field.values(), *self.by_publication.values()) for s in spans]
        return redact(text, spans)

    def has_publication(self, publication_id: int, field_code: str) -> bool:
        return bool(self.by_publication.get((publication_id, field_code)))


def redactions_for(incident: Incident) -> RedactionIndex:
    index = RedactionIndex()
    for redaction in Redaction.objects.filter(incident=incident).order_by("id"):
        if redaction.publication_id:
            index.by_publication.setdefault((redaction.publication_id, redaction.field), []).append(redaction.text)
        else:
            index.by_incident_field.setdefault(redaction.field, []).append(redaction.text)
    return index
