"""The assessment (vurdering) of an incident: DOMAIN.md section 4 as plain Python.

Facts in, assessment out::

    from incidents.assessment import Facts, assess

    result = assess(Facts(frozenset({"named", "threat"}), discovered_at=..., registered_at=...))
    result.to_dict()  # the JSON of DOMAIN.md section 9

No Django, no database, no clock: the same facts always give the same assessment, and
``RULES_VERSION`` changes whenever a rule does. Modules:

- ``codes``      the codes of DOMAIN.md 3–4 and their Danish labels and help texts
- ``facts``      ``Facts`` and ``InvalidFacts`` (validation for the API's 400 answers)
- ``rules``      the rule tables and ``assess``; its docstring lists the
                 "Readings of DOMAIN.md" where the specification needed interpretation
- ``conditions`` the small predicate language the tables are written in
- ``texts``      the Danish titles, reasons, sources, notes and knowledge-base anchors
- ``results``    ``Item``, ``Severity``, ``Deadline``, ``Assessment``
- ``dates``      working days and the other deadline arithmetic

User-facing text here is Danish; the package has no Django import. Every text (labels,
titles, summaries, guidance, sources, reason leads and the words for facts) is marked
with ``i18n.gettext_noop`` so Django's makemessages extracts it; ``assess(facts,
translate=gettext)`` composes the whole assessment, reasons included, in the active
language. Codes are the stable interface.
"""

from .codes import (
    ACTION_CODES,
    ALL_FEATURES,
    ALWAYS_ACTIONS,
    CONTENT_FEATURES,
    DEADLINE_CODES,
    FEATURE_HELP,
    FEATURE_LABELS,
    HOSTILE_FEATURES,
    LEGAL_REFERENCE_CODES,
    LEVEL_CODES,
    LEVEL_LABELS,
    LEVELS,
    PERPETRATOR_RELATION_LABELS,
    PERPETRATOR_RELATIONS,
    PLATFORM_LABELS,
    PLATFORMS,
    PROSECUTIONS,
    REACH_LABELS,
    REACHES,
    RECORDING_FEATURES,
    RELATED_PHENOMENA,
    RELATED_PHENOMENA_LABELS,
    SCOPES,
    VICTIMS,
)
from .conditions import is_hosted, is_long_running, is_online_service, is_spread
from .dates import add_working_days
from .facts import REPEATED_PUBLICATION_COUNT, Facts, InvalidFacts
from .results import Assessment, Deadline, Item, LegalReference, Severity
from .rules import RULES_VERSION, assess, is_case_complaint_only
from .texts import ACTION_TITLES, ANCHORS, DEADLINE_TITLES, LEGAL_REFERENCE_TITLES

__all__ = [
    "ACTION_CODES",
    "ACTION_TITLES",
    "ALL_FEATURES",
    "ALWAYS_ACTIONS",
    "ANCHORS",
    "CONTENT_FEATURES",
    "DEADLINE_CODES",
    "DEADLINE_TITLES",
    "FEATURE_HELP",
    "FEATURE_LABELS",
    "HOSTILE_FEATURES",
    "LEGAL_REFERENCE_CODES",
    "LEGAL_REFERENCE_TITLES",
    "LEVELS",
    "LEVEL_CODES",
    "LEVEL_LABELS",
    "PERPETRATOR_RELATIONS",
    "PERPETRATOR_RELATION_LABELS",
    "PLATFORMS",
    "PLATFORM_LABELS",
    "PROSECUTIONS",
    "REACHES",
    "REACH_LABELS",
    "RECORDING_FEATURES",
    "RELATED_PHENOMENA",
    "RELATED_PHENOMENA_LABELS",
    "REPEATED_PUBLICATION_COUNT",
    "RULES_VERSION",
    "SCOPES",
    "VICTIMS",
    "Assessment",
    "Deadline",
    "Facts",
    "InvalidFacts",
    "Item",
    "LegalReference",
    "Severity",
    "add_working_days",
    "assess",
    "is_case_complaint_only",
    "is_hosted",
    "is_long_running",
    "is_online_service",
    "is_spread",
]
