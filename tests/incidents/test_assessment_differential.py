"""The preview API against an independent reading of DOMAIN.md 4 (tests/assessment/oracle.py).

Random requests over the whole feature space, posted to POST /api/v1/assessment/preview/
as JSON, must give exactly the scope, level, references (with prosecution and victims),
actions and deadlines the oracle reads out of DOMAIN.md.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from incidents.assessment import ALL_FEATURES, PERPETRATOR_RELATIONS, PLATFORMS, REACHES, RELATED_PHENOMENA
from tests.assessment import oracle

URL = "/api/v1/assessment/preview/"
# JSON carries offsets, not zone names: fixed offsets only (winter and summer time in Denmark among them).
ZONES = st.sampled_from(
    [timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), UTC, timezone(timedelta(hours=-3))]
)
MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=ZONES).map(
    lambda moment: moment.replace(microsecond=0)
)
DIFF = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def api(personas):
    client = APIClient()
    client.force_login(personas.manager)
    return client


@st.composite
def requests(draw):
    """A valid request and the same facts as Python values."""
    facts = {
        "features": sorted(draw(st.frozensets(st.sampled_from(ALL_FEATURES)))),
        "perpetrator_relation": draw(st.sampled_from(PERPETRATOR_RELATIONS)),
        "related_phenomena": sorted(draw(st.frozensets(st.sampled_from(RELATED_PHENOMENA)))),
        "platforms": sorted(draw(st.frozensets(st.sampled_from(PLATFORMS), max_size=4))),
        "reaches": sorted(draw(st.frozensets(st.sampled_from(REACHES)))),
        "publication_count": draw(st.integers(0, 6)),
        "absence_days": draw(st.integers(0, 5)),
        "absence_start": draw(st.none() | st.dates(date(2020, 1, 1), date(2030, 1, 1))),
        "psychological_harm": draw(st.booleans()),
        "discovered_at": draw(MOMENTS),
        "registered_at": draw(MOMENTS),
        "self_report": draw(st.booleans()),
    }
    first = draw(st.none() | MOMENTS)
    if first is not None:
        facts["first_published_at"] = first
        if draw(st.booleans()):
            facts["last_published_at"] = first + draw(
                st.sampled_from([timedelta(0), timedelta(days=5), timedelta(days=5, seconds=1), timedelta(days=12)])
            )
    body = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in facts.items()}
    return body, facts


@DIFF
@given(pair=requests())
def test_preview_agrees_with_an_independent_reading_of_domain_4(api, pair):
    body, facts = pair

    response = api.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 200, response.content
    assert oracle.observed(response.json()) == oracle.expected(facts)


# The scenarios of LEGAL-REVIEW.md, through the API, each checked against the oracle too.
D = "2026-11-20T10:00:00+01:00"
R = "2026-11-21T09:00:00+01:00"
SCENARIOS = {
    "insult about her on Facebook": {"features": ["named", "offensive_language"], "platforms": ["facebook"]},
    "insult to her in a comment": {
        "features": ["named", "offensive_language", "addressed_to_employee"],
        "platforms": ["facebook"],
    },
    "home address in a private message": {
        "features": ["named", "private_details"],
        "platforms": ["messaging"],
        "reaches": ["private_message"],
    },
    "home address posted publicly": {
        "features": ["named", "private_details"],
        "platforms": ["facebook"],
        "reaches": ["public"],
    },
    "children shown in a closed group": {
        "features": ["named", "family_exposed"],
        "platforms": ["closed_group"],
        "reaches": ["closed_group"],
    },
    "I'll expose you unless": {
        "features": ["threat_to_expose"],
        "platforms": ["email"],
        "reaches": ["private_message"],
    },
    "call to go after her": {"features": ["named", "incitement", "workplace_details"], "platforms": ["facebook"]},
    "secretly filmed meeting on YouTube": {
        "features": ["named", "video_published", "hidden_recording"],
        "platforms": ["youtube"],
    },
    "audio reveals another citizen": {
        "features": ["audio_published", "third_party_confidential"],
        "platforms": ["youtube"],
    },
    "threat posted days before discovery": {
        "features": ["threat"],
        "platforms": ["facebook"],
        "first_published_at": "2026-11-10T08:00:00+01:00",
    },
    "three-week campaign with sick leave": {
        "features": ["named", "insulting_description"],
        "publication_count": 4,
        "platforms": ["facebook"],
        "absence_days": 5,
        "absence_start": "2026-11-18",
        "first_published_at": "2026-10-30T10:00:00+01:00",
        "last_published_at": "2026-11-19T10:00:00+01:00",
    },
    "a photo alone": {"features": ["photo"], "platforms": ["instagram"]},
    "a book chapter": {"features": ["named", "lawbreaking_accusation"], "platforms": ["book"]},
    "criticism of a decision": {
        "features": ["named"],
        "related_phenomena": ["case_complaint"],
        "perpetrator_relation": "citizen_own_case",
        "platforms": ["facebook"],
    },
}


def _parsed(body: dict) -> dict:
    facts = dict(body)
    for key in ("discovered_at", "registered_at", "first_published_at", "last_published_at"):
        if key in facts:
            facts[key] = datetime.fromisoformat(facts[key])
    if "absence_start" in facts:
        facts["absence_start"] = date.fromisoformat(facts["absence_start"])
    return facts


@pytest.mark.parametrize("name", SCENARIOS)
def test_legal_review_scenarios_agree_with_the_oracle(api, name):
    body = {"discovered_at": D, "registered_at": R, **SCENARIOS[name]}

    response = api.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    assert oracle.observed(response.json()) == oracle.expected(_parsed(body))


BAD_VALUES = [
    ("reaches", ["everyone"], "unknown_code"),
    ("reaches", "public", "wrong_type"),
    ("reaches", [1], "wrong_type"),
    ("first_published_at", "yesterday", "bad_date"),
    ("first_published_at", 20261120, "wrong_type"),
    ("last_published_at", "2026-13-01T00:00:00+01:00", "bad_date"),
    ("features", ["addressed_to_her"], "unknown_code"),
]


@pytest.mark.parametrize(("field", "value", "code"), BAD_VALUES)
def test_bad_values_of_the_new_keys_answer_400_naming_the_field(api, field, value, code):
    response = api.post(URL, json.dumps({"features": [], field: value}), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["value"] in (value, value[0] if isinstance(value, list) else value)
    assert response.json()["code"] == code


def test_last_published_before_first_is_a_bad_value(api):
    body = {
        "features": [],
        "first_published_at": "2026-11-19T22:41:00+01:00",
        "last_published_at": "2026-11-18T22:41:00+01:00",
    }

    response = api.post(URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "field": "last_published_at",
        "value": "2026-11-18T22:41:00+01:00",
        "code": "bad_value",
        "detail": response.json()["detail"],
    }
    assert "før" in response.json()["detail"]


def test_equal_first_and_last_are_fine(api):
    body = {
        "features": [],
        "first_published_at": "2026-11-19T22:41:00+01:00",
        "last_published_at": "2026-11-19T21:41:00Z",
    }  # the same moment, another offset

    assert api.post(URL, json.dumps(body), content_type="application/json").status_code == 200
