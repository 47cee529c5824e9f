"""Properties DOMAIN.md 4 promises for any facts, checked with hypothesis."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incidents.assessment import (
    ACTION_CODES,
    ALL_FEATURES,
    ALWAYS_ACTIONS,
    DEADLINE_CODES,
    LEGAL_REFERENCE_CODES,
    LEVEL_CODES,
    LEVEL_LABELS,
    PERPETRATOR_RELATIONS,
    PLATFORMS,
    REACHES,
    RELATED_PHENOMENA,
    Facts,
    add_working_days,
    assess,
    is_case_complaint_only,
)

# No example database: the tests must not write outside their own folder.
checked = settings(database=None, deadline=None, max_examples=300)

ZONES = st.sampled_from([ZoneInfo("Europe/Copenhagen"), UTC, timezone(timedelta(hours=-5, minutes=-30))])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=ZONES)
FEATURES = st.frozensets(st.sampled_from(ALL_FEATURES))
NOT_CONSENT = st.sampled_from([code for code in ALL_FEATURES if code != "video_consent"])
# `addressed_to_employee` moves offensive words from §§ 267–268 to § 121 (DOMAIN.md 4.2):
# adding it can swap a reference, though never lower the level.
MONOTONE = st.sampled_from([code for code in ALL_FEATURES if code not in ("video_consent", "addressed_to_employee")])


@st.composite
def published(draw):
    first = draw(st.none() | MOMENTS)
    if first is None:
        return {}
    last = first + draw(st.timedeltas(timedelta(0), timedelta(days=30)))
    return {"first_published_at": first, "last_published_at": last}


@st.composite
def facts(draw, features=FEATURES):
    return Facts(
        draw(features),
        perpetrator_relation=draw(st.sampled_from(PERPETRATOR_RELATIONS)),
        related_phenomena=draw(st.frozensets(st.sampled_from(RELATED_PHENOMENA))),
        platforms=draw(st.frozensets(st.sampled_from(PLATFORMS))),
        reaches=draw(st.frozensets(st.sampled_from(REACHES))),
        publication_count=draw(st.integers(0, 10)),
        **draw(published()),
        absence_days=draw(st.integers(0, 30)),
        absence_start=draw(st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        psychological_harm=draw(st.booleans()),
        discovered_at=draw(MOMENTS),
        registered_at=draw(MOMENTS),
        self_report=draw(st.booleans()),
        takedown_requested_at=draw(st.none() | MOMENTS),
    )


def with_features(base: Facts, features: frozenset[str]) -> Facts:
    return Facts(
        features,
        perpetrator_relation=base.perpetrator_relation,
        related_phenomena=base.related_phenomena,
        platforms=base.platforms,
        reaches=base.reaches,
        publication_count=base.publication_count,
        first_published_at=base.first_published_at,
        last_published_at=base.last_published_at,
        absence_days=base.absence_days,
        absence_start=base.absence_start,
        psychological_harm=base.psychological_harm,
        discovered_at=base.discovered_at,
        registered_at=base.registered_at,
        self_report=base.self_report,
        takedown_requested_at=base.takedown_requested_at,
    )


@checked
@given(facts())
def test_level_is_one_to_four_with_matching_code_and_label(f):
    severity = assess(f).severity

    assert severity.level in (1, 2, 3, 4)
    assert severity.code == LEVEL_CODES[severity.level]
    assert severity.label == LEVEL_LABELS[severity.level]
    assert set(severity.reasons) <= f.effective_features | (f.related_phenomena & {"stalking"})
    assert bool(severity.reasons) or severity.level == 1


@checked
@given(facts(), NOT_CONSENT)
def test_adding_a_feature_never_lowers_the_level(f, added):
    before = assess(f)
    after = assess(with_features(f, f.features | {added}))

    assert after.severity.level >= before.severity.level


@checked
@given(facts(), MONOTONE)
def test_adding_a_feature_never_drops_a_reference_or_action(f, added):
    assume(not is_case_complaint_only(f))  # leaving scope case_complaint changes the action list
    before = assess(f)
    after = assess(with_features(f, f.features | {added}))

    assert {i.code for i in before.legal_references} <= {i.code for i in after.legal_references}
    assert {i.code for i in before.actions} <= {i.code for i in after.actions}


@checked
@given(facts())
def test_video_consent_is_the_one_mitigating_feature(f):
    without = assess(with_features(f, f.features - {"video_consent"}))
    with_consent = assess(with_features(f, f.features | {"video_consent"}))

    assert with_consent.severity.level <= without.severity.level
    if "video_published" not in f.features and without.scope == "udhaengning":
        assert with_consent.to_dict() == without.to_dict()


@checked
@given(facts(), st.integers(0, 10))
def test_more_publications_never_lower_the_level(f, extra):
    more = Facts(
        f.features,
        publication_count=f.publication_count + extra,
        discovered_at=f.discovered_at,
        registered_at=f.registered_at,
    )
    same = Facts(f.features, discovered_at=f.discovered_at, registered_at=f.registered_at)
    assert assess(more).severity.level >= assess(same).severity.level


@checked
@given(facts())
def test_deterministic(f):
    rebuilt = with_features(f, frozenset(sorted(f.features, reverse=True)))

    assert assess(f) == assess(f)
    assert assess(f).to_dict() == assess(rebuilt).to_dict()


@checked
@given(facts())
def test_each_code_once_in_domain_order(f):
    result = assess(f)

    for items, order in (
        (result.legal_references, LEGAL_REFERENCE_CODES),
        (result.actions, ACTION_CODES),
        (result.deadlines, DEADLINE_CODES),
    ):
        codes = [item.code for item in items]
        assert len(codes) == len(set(codes))
        assert codes == [code for code in order if code in codes]


@checked
@given(facts())
def test_always_actions_always_first(f):
    result = assess(f)
    codes = tuple(item.code for item in result.actions)

    if result.scope == "case_complaint":  # DOMAIN.md 4.0: these two only
        assert codes == ("support_conversation", "complaint_system")
    else:
        assert codes[:4] == ALWAYS_ACTIONS


@checked
@given(facts())
def test_every_item_has_reason_and_source(f):
    result = assess(f)

    for item in (*result.legal_references, *result.actions, *result.deadlines):
        assert item.title and item.reason and item.source
    for deadline in result.deadlines:
        assert deadline.due.utcoffset() is not None
    assert ("follow_up_14_days" in {d.code for d in result.deadlines}) == (result.scope == "udhaengning")


@checked
@given(MOMENTS, st.integers(0, 10))
def test_working_days_land_on_a_weekday_not_before_the_start(start, days):
    due = add_working_days(start, days)

    assert due >= start
    assert due.tzinfo is start.tzinfo
    if days:
        assert due.weekday() < 5


FIXED_OFFSET_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2))]),
)


@checked
@given(FIXED_OFFSET_MOMENTS, st.integers(0, 7 * 24 * 60), st.integers(1, 10))
def test_working_days_never_go_backwards(start, minutes, days):
    # Fixed offsets only: in the hour repeated when summer time ends, a later moment can
    # have an earlier wall-clock time, and the due time follows the wall clock.
    later = start + timedelta(minutes=minutes)

    assert add_working_days(later, days) >= add_working_days(start, days)
