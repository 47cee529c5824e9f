"""The engine against an independent reading of DOMAIN.md 4 (``oracle.py``), over random facts."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.assessment import (
    ALL_FEATURES,
    PERPETRATOR_RELATIONS,
    PLATFORMS,
    REACHES,
    RELATED_PHENOMENA,
    Facts,
    assess,
)

from . import oracle

ZONES = st.sampled_from([ZoneInfo("Europe/Copenhagen"), UTC, timezone(timedelta(hours=5, minutes=30))])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=ZONES).map(
    lambda moment: moment.replace(microsecond=0)
)


@st.composite
def fact_dicts(draw):
    facts = {
        "features": draw(st.frozensets(st.sampled_from(ALL_FEATURES))),
        "perpetrator_relation": draw(st.sampled_from(PERPETRATOR_RELATIONS)),
        "related_phenomena": draw(st.frozensets(st.sampled_from(RELATED_PHENOMENA))),
        "platforms": draw(st.frozensets(st.sampled_from(PLATFORMS), max_size=5)),
        "reaches": draw(st.frozensets(st.sampled_from(REACHES))),
        "publication_count": draw(st.integers(0, 8)),
        "absence_days": draw(st.integers(0, 5)),
        "absence_start": draw(st.none() | st.dates(date(2000, 1, 1), date(2090, 1, 1))),
        "psychological_harm": draw(st.booleans()),
        "discovered_at": draw(MOMENTS),
        "registered_at": draw(MOMENTS),
        "self_report": draw(st.booleans()),
        "takedown_requested_at": draw(st.none() | MOMENTS),
    }
    first = draw(st.none() | MOMENTS)
    if first is not None:
        facts["first_published_at"] = first
        facts["last_published_at"] = first + draw(
            st.sampled_from([timedelta(0), timedelta(days=5), timedelta(days=5, seconds=1)])
            | st.timedeltas(timedelta(0), timedelta(days=40)).map(lambda d: d - timedelta(microseconds=d.microseconds))
        )
    return facts


@settings(database=None, deadline=None, max_examples=2000)
@given(fact_dicts())
def test_engine_agrees_with_an_independent_reading_of_domain_4(facts):
    fields = dict(facts)
    features = fields.pop("features")

    body = assess(Facts(features, **fields)).to_dict()

    assert oracle.observed(body) == oracle.expected(facts)
