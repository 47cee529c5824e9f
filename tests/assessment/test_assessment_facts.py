"""Facts refuse what the API must answer with 400, naming the field and the value."""

from datetime import date, datetime

import pytest

from incidents.assessment import Facts, InvalidFacts

from .factories import DISCOVERED, REGISTERED, make_facts

NAIVE = datetime(2026, 11, 20, 10, 0)

BAD_FACTS = [
    # (fields, offending field, offending value)
    pytest.param({"features": ["named", "nope"]}, "features", "nope", id="unknown feature"),
    pytest.param({"features": "named"}, "features", "named", id="features as a string"),
    pytest.param({"features": [1]}, "features", 1, id="feature not a string"),
    pytest.param({"features": None}, "features", None, id="features missing"),
    pytest.param({"perpetrator_relation": "neighbour"}, "perpetrator_relation", "neighbour", id="unknown relation"),
    pytest.param({"perpetrator_relation": None}, "perpetrator_relation", None, id="relation not a string"),
    pytest.param({"related_phenomena": ["spam"]}, "related_phenomena", "spam", id="unknown phenomenon"),
    pytest.param({"platforms": ["myspace"]}, "platforms", "myspace", id="unknown platform"),
    pytest.param({"platforms": "facebook"}, "platforms", "facebook", id="platforms as a string"),
    pytest.param({"publication_count": -1}, "publication_count", -1, id="negative count"),
    pytest.param({"publication_count": "3"}, "publication_count", "3", id="count as string"),
    pytest.param({"publication_count": True}, "publication_count", True, id="count as bool"),
    pytest.param({"absence_days": -2}, "absence_days", -2, id="negative absence"),
    pytest.param({"absence_days": 1.5}, "absence_days", 1.5, id="absence as float"),
    pytest.param({"absence_start": "2026-11-20"}, "absence_start", "2026-11-20", id="absence_start as string"),
    pytest.param({"absence_start": DISCOVERED}, "absence_start", DISCOVERED, id="absence_start as datetime"),
    pytest.param({"psychological_harm": "yes"}, "psychological_harm", "yes", id="harm not a bool"),
    pytest.param({"psychological_harm": 1}, "psychological_harm", 1, id="harm as int"),
    pytest.param({"discovered_at": NAIVE}, "discovered_at", NAIVE, id="naive discovery"),
    pytest.param(
        {"discovered_at": "2026-11-20T10:00:00+01:00"},
        "discovered_at",
        "2026-11-20T10:00:00+01:00",
        id="discovery as string",
    ),
    pytest.param({"discovered_at": date(2026, 11, 20)}, "discovered_at", date(2026, 11, 20), id="discovery as date"),
    pytest.param({"registered_at": NAIVE}, "registered_at", NAIVE, id="naive registration"),
    pytest.param({"self_report": None}, "self_report", None, id="self_report not a bool"),
    pytest.param({"takedown_requested_at": NAIVE}, "takedown_requested_at", NAIVE, id="naive takedown"),
]


@pytest.mark.parametrize(("fields", "field", "value"), BAD_FACTS)
def test_bad_facts_name_field_and_value(fields, field, value):
    fields = {"features": frozenset(), "discovered_at": DISCOVERED, "registered_at": REGISTERED, **fields}

    with pytest.raises(InvalidFacts) as caught:
        Facts(**fields)

    error = caught.value
    assert (error.field, error.value) == (field, value)
    assert error.message
    assert str(error).startswith(f"{field}: ")
    assert isinstance(error, ValueError)


def test_dates_are_required():
    with pytest.raises(TypeError):
        Facts(frozenset({"named"}))


def test_collections_are_stored_as_frozensets():
    facts = Facts(
        ["named", "threat"],
        related_phenomena=["stalking", "stalking"],
        platforms=("facebook",),
        discovered_at=DISCOVERED,
        registered_at=REGISTERED,
    )

    assert facts.features == frozenset({"named", "threat"})
    assert facts.related_phenomena == frozenset({"stalking"})
    assert facts.platforms == frozenset({"facebook"})
    assert hash(facts) == hash(make_facts("threat", "named", related_phenomena={"stalking"}, platforms={"facebook"}))


def test_three_publications_make_the_incident_repeated():
    assert "repeated" in make_facts("named", publication_count=3).effective_features
    assert "repeated" not in make_facts("named", publication_count=2).effective_features
    assert make_facts("named", publication_count=3).features == frozenset({"named"})


def test_facts_are_frozen():
    facts = make_facts("named")

    with pytest.raises(AttributeError):
        facts.self_report = True
