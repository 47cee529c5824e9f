"""Template helpers for the evidence section (templates/incidents/includes/evidence_section.html)."""

from django import template

from ..forms.evidence import EvidenceRemoveForm, EvidenceUploadForm

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_upload_form(context, incident):
    """The page's bound upload form if it has one, else a fresh one.

    Uses the page's `publications` list when present, so the section adds no query.
    """
    form = context.get("evidence_form")
    if form is not None:
        return form
    return EvidenceUploadForm(incident=incident, publications=context.get("publications"))


@register.simple_tag(takes_context=True)
def evidence_remove_form(context, evidence):
    """The bound removal form when it belongs to this item (after an error), else a fresh one."""
    form = context.get("remove_form")
    if form is not None and context.get("remove_evidence_id") == evidence.pk:
        return form
    return EvidenceRemoveForm(auto_id=f"id_remove_{evidence.pk}_%s")
