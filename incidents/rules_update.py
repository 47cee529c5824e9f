"""A new rules version for the open incidents (DOMAIN.md 9): re-assess, describe what changed.

Part of `incidents.services`'s interface (imported there); `manage.py reassess_incidents` runs it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .assessment import LEVEL_LABELS, RULES_VERSION, Assessment
from .models import Incident, TimelineEntry
from .services import incident_reassess, timeline_add

# --- A new rules version for the open incidents (DOMAIN.md 9) ------------------------------


def assessment_changes(before: dict, after: dict) -> dict:
    """What changed between two stored assessments: level, references, actions, deadlines."""
    old_assessment, new_assessment = Assessment.from_dict(before), Assessment.from_dict(after)

    def codes(assessment: Assessment, key: str) -> dict:
        return {item.code: item for item in getattr(assessment, key)}

    changes: dict = {}
    level_before = old_assessment.severity.level or None
    level_after = new_assessment.severity.level or None
    if level_before != level_after:
        changes["level"] = (level_before, level_after)
    for key in ("legal_references", "actions", "deadlines"):
        old, new = codes(old_assessment, key), codes(new_assessment, key)
        added = [code for code in new if code not in old]
        removed = [code for code in old if code not in new]
        moved = [code for code in new if code in old and key == "deadlines" and old[code].due != new[code].due]
        if added or removed or moved:
            changes[key] = {"added": added, "removed": removed, "moved": moved}
    return changes


def _describe_changes(changes: dict, before_dict: dict, after_dict: dict) -> str:
    before, after = Assessment.from_dict(before_dict), Assessment.from_dict(after_dict)

    def title(assessment: Assessment, key: str, code: str) -> str:
        item = next((item for item in getattr(assessment, key) if item.code == code), None)
        return (item.title or code) if item is not None else code

    def due(assessment: Assessment, code: str) -> str:
        deadline = assessment.deadline(code)
        return timezone.localtime(deadline.due).strftime("%d.%m.%Y %H:%M") if deadline else ""

    lines = [
        _("Vurderingen er beregnet igen efter regelsæt %(new)s (før %(old)s).")
        % {"new": after.rules_version, "old": before.rules_version or "–"}
    ]
    if "level" in changes:
        old, new = changes["level"]
        lines.append(
            _("Niveau: %(old)s → %(new)s.")
            % {"old": _(LEVEL_LABELS.get(old, "–")) if old else "–", "new": _(LEVEL_LABELS[new])}
        )
    headings = {
        "legal_references": (_("Nye lovhenvisninger"), _("Udgåede lovhenvisninger")),
        "actions": (_("Nye anbefalede handlinger"), _("Udgåede anbefalede handlinger")),
        "deadlines": (_("Nye frister"), _("Udgåede frister")),
    }
    for key, (added_heading, removed_heading) in headings.items():
        change = changes.get(key)
        if not change:
            continue
        if change["added"]:
            items = [
                title(after, key, code) + (f" ({due(after, code)})" if key == "deadlines" else "")
                for code in change["added"]
            ]
            lines.append(f"{added_heading}: {'; '.join(items)}.")
        if change["removed"]:
            lines.append(f"{removed_heading}: {'; '.join(title(before, key, code) for code in change['removed'])}.")
        if change.get("moved"):
            items = [
                f"{title(after, key, code)} ({due(before, code)} → {due(after, code)})" for code in change["moved"]
            ]
            lines.append(f"{_('Flyttede frister')}: {'; '.join(items)}.")
    if len(lines) == 1:
        lines.append(_("Intet i vurderingen er ændret."))
    return "\n".join(lines)


@transaction.atomic
def incident_apply_rules_version(incident: Incident, *, actor=None) -> dict | None:
    """Re-assess one open incident under the rules in force and write what changed on its
    timeline (internal) and in the audit log. Closed incidents keep the assessment they
    had (None). Returns the changes (empty when nothing but the version changed)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        return None
    before = dict(incident.assessment or {})
    before.setdefault("rules_version", incident.rules_version)
    old_hash = incident.facts_hash
    incident_reassess(incident)
    if incident.confirmed_facts_hash and incident.confirmed_facts_hash == old_hash:
        # Same facts, hashed the new way (reaches and publication dates count since 2026.2).
        incident.confirmed_facts_hash = incident.facts_hash
        incident.save(update_fields=["confirmed_facts_hash"])
    after = incident.assessment
    changes = assessment_changes(before, after)
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineEntry.Kind.REASSESSED,
        visible=False,
        text=_describe_changes(changes, before, after),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Vurdering beregnet efter nye regler"),
        details={
            "from": before.get("rules_version", ""),
            "to": after.get("rules_version"),
            "changes": {key: (list(value) if isinstance(value, tuple) else value) for key, value in changes.items()},
        },
    )
    return changes


def open_incidents_under_older_rules():
    """The open incidents whose stored assessment was computed under another rules version."""
    return Incident.objects.exclude(status=Incident.Status.CLOSED).exclude(rules_version=RULES_VERSION).order_by("pk")
