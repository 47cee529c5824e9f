"""A fingerprint of what the rule tables compute, tied to ``RULES_VERSION``.

The fingerprint is the SHA-256 of the codes the engine gives (scope, level, references
with prosecution and victims, actions, deadlines with their due times) for a fixed set
of facts: every feature alone and every pair of features, each in a dozen contexts, and
3,000 further facts drawn with a fixed seed. Texts are left out on purpose: rewording a
reason is not a new rule. ``rules_fingerprint.json`` beside this file holds the
fingerprint of the version in force; ``test_rules_version.py`` fails when they differ.

After a deliberate rule change: bump ``RULES_VERSION`` and run
``python -m tests.assessment.fingerprint --write``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from incidents.assessment import (
    ALL_FEATURES,
    PERPETRATOR_RELATIONS,
    PLATFORMS,
    REACHES,
    RELATED_PHENOMENA,
    RULES_VERSION,
    Facts,
    assess,
)

GOLDEN = Path(__file__).with_name("rules_fingerprint.json")
CPH = ZoneInfo("Europe/Copenhagen")
DISCOVERED = datetime(2026, 11, 20, 10, 0, tzinfo=CPH)
REGISTERED = datetime(2026, 11, 21, 9, 0, tzinfo=CPH)

CONTEXTS: tuple[dict, ...] = (
    {},
    {"platforms": {"facebook"}, "reaches": {"public"}},
    {"platforms": {"messaging"}, "reaches": {"private_message"}},
    {"platforms": {"email"}},
    {"platforms": {"book"}},
    {"platforms": {"facebook"}, "reaches": {"private_message"}},
    {"perpetrator_relation": "citizen_own_case", "related_phenomena": {"case_complaint"}},
    {"perpetrator_relation": "relative", "publication_count": 3},
    {"related_phenomena": {"stalking"}, "psychological_harm": True},
    {"absence_days": 2, "absence_start": date(2026, 11, 18), "self_report": True},
    {
        "first_published_at": DISCOVERED - timedelta(days=9),
        "last_published_at": DISCOVERED - timedelta(days=1),
        "absence_days": 1,
    },
    {"first_published_at": DISCOVERED - timedelta(days=4), "takedown_requested_at": REGISTERED},
)


def _facts() -> list[Facts]:
    result = []
    combinations = (
        [frozenset()]
        + [frozenset({f}) for f in ALL_FEATURES]
        + [frozenset(pair) for pair in itertools.combinations(ALL_FEATURES, 2)]
    )
    for features in combinations:
        for context in CONTEXTS:
            result.append(Facts(features, discovered_at=DISCOVERED, registered_at=REGISTERED, **context))
    rng = random.Random(2026)
    for _ in range(3000):
        first = DISCOVERED - timedelta(hours=rng.randint(0, 400)) if rng.random() < 0.5 else None
        last = first + timedelta(hours=rng.randint(0, 300)) if first and rng.random() < 0.7 else None
        result.append(
            Facts(
                frozenset(rng.sample(ALL_FEATURES, rng.randint(0, 7))),
                perpetrator_relation=rng.choice(PERPETRATOR_RELATIONS),
                related_phenomena=frozenset(rng.sample(RELATED_PHENOMENA, rng.randint(0, 2))),
                platforms=frozenset(rng.sample(PLATFORMS, rng.randint(0, 3))),
                reaches=frozenset(rng.sample(REACHES, rng.randint(0, 2))),
                publication_count=rng.randint(0, 5),
                first_published_at=first,
                last_published_at=last,
                absence_days=rng.choice((0, 0, 1, 4)),
                absence_start=rng.choice((None, date(2026, 11, 17))),
                psychological_harm=rng.random() < 0.3,
                discovered_at=DISCOVERED,
                registered_at=REGISTERED,
                self_report=rng.random() < 0.3,
                takedown_requested_at=rng.choice((None, REGISTERED)),
            )
        )
    return result


def _outcome(facts: Facts) -> list:
    result = assess(facts)
    return [
        result.scope,
        result.severity.level,
        list(result.severity.reasons),
        [[r.code, r.prosecution, list(r.victim)] for r in result.legal_references],
        [a.code for a in result.actions],
        [[d.code, d.due.isoformat()] for d in result.deadlines],
    ]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for facts in _facts():
        digest.update(json.dumps(_outcome(facts), separators=(",", ":")).encode())
    return digest.hexdigest()


def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


if __name__ == "__main__":
    value = fingerprint()
    if "--write" in sys.argv:
        GOLDEN.write_text(
            json.dumps({"rules_version": RULES_VERSION, "sha256": value}, indent=2) + "\n", encoding="utf-8"
        )
    print(RULES_VERSION, value)
