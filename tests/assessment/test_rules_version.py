"""The rule tables and RULES_VERSION move together (DOMAIN.md 4: "versioned")."""

from incidents.assessment import RULES_VERSION

from .fingerprint import fingerprint, golden


def test_rules_version_is_the_one_the_fingerprint_was_taken_under():
    assert golden()["rules_version"] == RULES_VERSION, (
        "RULES_VERSION changed: regenerate the fingerprint with `python -m tests.assessment.fingerprint --write`"
    )


def test_the_rule_tables_compute_what_this_version_computed():
    assert fingerprint() == golden()["sha256"], (
        "The rule tables compute something else than rules " + RULES_VERSION + " did. A rule change needs a new "
        "RULES_VERSION (and DOMAIN.md): bump it, then run `python -m tests.assessment.fingerprint --write`."
    )


def test_a_changed_rule_table_changes_the_fingerprint(monkeypatch):
    from incidents.assessment import rules

    before = fingerprint()
    # 2026.1's § 121 (any offensive language) in place of 2026.2's (only words addressed to her).
    changed = tuple(
        rules.LegalRule(r.code, rules.has("offensive_language"), r.prosecution, r.victims)
        if r.code == "strfl_121"
        else r
        for r in rules.LEGAL_REFERENCES
    )
    monkeypatch.setattr(rules, "LEGAL_REFERENCES", changed)

    assert fingerprint() != before


def test_a_changed_deadline_changes_the_fingerprint(monkeypatch):
    from incidents.assessment import rules

    before = fingerprint()
    changed = tuple(
        rules.DeadlineRule(d.code, d.when, lambda facts: rules.dates.add_hours(facts.discovered_at, 72), d.details)
        if d.code == "police_report_72h"
        else d
        for d in rules.DEADLINES
    )
    monkeypatch.setattr(rules, "DEADLINES", changed)

    assert fingerprint() != before
