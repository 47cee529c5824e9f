"""What each audience may read of a case, defined once (issue 26 item 1).

A manager of the unit reads the whole case; the employee concerned reads it without
internal notes and internal timeline entries (filtered where the rows are loaded). A union
rep the employee shared the case with reads what the shared-case page shows and nothing
more: no notes, no action notes or status-change reasons, no external references (a police
journal number), no perpetrator, no quotes, no assessment reasoning. The API's detail,
timeline and evidence answers are cut to these field sets (`project`); the shared-case page
(templates/incidents/detail_shared.html) shows the same fields, which
tests/security/test_disclosure.py checks field by field, page against API.
"""

from __future__ import annotations

from dataclasses import dataclass

MANAGER = "manager"
EMPLOYEE = "employee"
UNION_REP = "union_rep"


@dataclass(frozen=True)
class FieldSets:
    incident: frozenset[str]
    publication: frozenset[str]
    timeline: frozenset[str]
    evidence: frozenset[str]
    person: frozenset[str] = frozenset({"id", "name"})


SHARED_CASE = FieldSets(
    incident=frozenset(
        {
            "reference",
            "url",
            "title",
            "unit",
            "status",
            "status_label",
            "level",
            "level_label",
            "confirmed_level",
            "discovered_at",
            "registered_at",
            "targets",
            "description",
            "features",
            "related_phenomena",
            "publications",
            "evidence",
            "timeline",
        }
    ),
    publication=frozenset({"id", "platform", "platform_label", "url"}),
    timeline=frozenset(
        {
            "id",
            "kind",
            "kind_label",
            "action_code",
            "action_title",
            "occurred_on",
            "created_at",
            "from_status",
            "to_status",
        }
    ),
    evidence=frozenset(
        {
            "id",
            "original_name",
            "kind",
            "kind_label",
            "size",
            "sha256",
            "description",
            "captured_at",
            "publication",
            "uploaded_by",
            "uploaded_at",
            "removed_at",
            "removed_by",
            "removal_reason",
            "download_url",
        }
    ),
)

# None: everything the serializers give (the rows themselves are filtered for the employee).
FIELDS: dict[str, FieldSets | None] = {MANAGER: None, EMPLOYEE: None, UNION_REP: SHARED_CASE}


def audience(user, incident) -> str:
    """Which audience the reader is for this case (they may see it: the policy said so)."""
    from . import policy

    if policy.is_manager_of(user, incident):
        return MANAGER
    if policy.is_employee_of(user, incident):
        return EMPLOYEE
    return UNION_REP


def _only(row: dict, names: frozenset[str]) -> dict:
    return {key: value for key, value in row.items() if key in names}


def project(data: dict, who: str) -> dict:
    """A serialized incident cut to what the audience may read."""
    sets = FIELDS[who]
    if sets is None:
        return data
    out = _only(data, sets.incident)
    if "publications" in out:
        out["publications"] = [_only(p, sets.publication) for p in out["publications"]]
    if "timeline" in out:
        out["timeline"] = project_timeline(out["timeline"], who)
    if "evidence" in out:
        out["evidence"] = project_evidence(out["evidence"], who)
    if "targets" in out:
        out["targets"] = [_only(p, sets.person) for p in out["targets"]]
    return out


def project_timeline(entries: list[dict], who: str) -> list[dict]:
    sets = FIELDS[who]
    return entries if sets is None else [_only(e, sets.timeline) for e in entries]


def project_evidence(rows: list[dict], who: str) -> list[dict]:
    sets = FIELDS[who]
    if sets is None:
        return rows
    return [
        {
            **_only(row, sets.evidence),
            **{k: _only(row[k], sets.person) for k in ("uploaded_by", "removed_by") if row.get(k)},
        }
        for row in rows
    ]
