"""POST /api/v1/assessment/preview/ — the stable contract of DOMAIN.md section 9 — and the stored assessment."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from incidents import services
from incidents.api.serializers import AssessmentFactsSerializer
from incidents.assessment import ALL_FEATURES, PERPETRATOR_RELATIONS, PLATFORMS, REACHES, RELATED_PHENOMENA, assess
from incidents.models import Incident
from tests.conftest import PERSONA_NAMES
from tests.factories import api_token

URL = "/api/v1/assessment/preview/"
RESPONSE_KEYS = ["rules_version", "scope", "severity", "legal_references", "actions", "deadlines"]
ERROR_KEYS = {"field", "value", "code", "detail"}
REQUEST_KEYS = (
    "features",
    "perpetrator_relation",
    "related_phenomena",
    "platforms",
    "reaches",
    "publication_count",
    "first_published_at",
    "last_published_at",
    "absence_days",
    "absence_start",
    "psychological_harm",
    "discovered_at",
    "registered_at",
    "self_report",
)

SECTION_9_REQUEST = {
    "features": ["named", "offensive_language", "audio_published"],
    "perpetrator_relation": "citizen_own_case",
    "related_phenomena": ["stalking"],
    "platforms": ["facebook", "youtube"],
    "reaches": ["public"],
    "publication_count": 1,
    "first_published_at": "2026-11-19T22:41:00+01:00",
    "last_published_at": "2026-11-19T22:41:00+01:00",
    "absence_days": 0,
    "absence_start": None,
    "psychological_harm": False,
    "discovered_at": "2026-11-20T10:00:00+01:00",
    "registered_at": "2026-11-21T09:00:00+01:00",
    "self_report": False,
}


@pytest.fixture
def api(personas):
    client = APIClient()
    client.force_login(personas.caseworker)
    return client


def _post(client, body):
    """Post raw JSON (ASCII-escaped, so any Python value JSON can hold gets through)."""
    return client.post(URL, json.dumps(body), content_type="application/json")


def _codes(items):
    return [item["code"] for item in items]


# --- The documented shape -----------------------------------------------------------------------


def test_section_9_example_gives_the_documented_shape(api):
    response = _post(api, SECTION_9_REQUEST)

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == RESPONSE_KEYS
    assert body["rules_version"] == "2026.2"
    assert body["scope"] == "udhaengning"
    assert body["severity"] == {"level": 3, "code": "serious", "label": "Alvorlig", "reasons": ["stalking"]}
    assert _codes(body["legal_references"]) == ["strfl_242", "strfl_267_268"]
    assert [(item["prosecution"], item["victim"]) for item in body["legal_references"]] == [
        ("public", ["employee"]),
        ("private", ["employee"]),
    ]
    for item in body["legal_references"]:
        assert item["summary"] and item["guidance"] and item["summary"] != item["guidance"]
    assert _codes(body["actions"]) == [
        "support_conversation",
        "secure_evidence",
        "involve_amr_tr",
        "no_engagement",
        "platform_takedown",
        "platform_report",
        "police_report",
        "safety_assessment",
        "complaint_system",
        "bisidder",
        "change_caseworker",
        "recording_guidelines",
        "restraining_order",
    ]
    assert {d["code"]: d["due"] for d in body["deadlines"]} == {
        "police_report_72h": "2026-11-22T22:41:00+01:00",  # 72 hours from the offence, not the discovery
        "request_6_months": "2027-05-20T10:00:00+01:00",
        "follow_up_14_days": "2026-12-05T09:00:00+01:00",
    }
    for item in body["legal_references"] + body["actions"]:
        assert set(item) >= {"code", "title", "reason", "source"} and item["title"] and item["source"]
    for group in ("legal_references", "actions", "deadlines"):
        assert len(set(_codes(body[group]))) == len(body[group]), "each code once"


def test_response_is_exactly_what_the_engine_computes(api):
    from incidents.api.serializers import preview_facts

    body = _post(api, SECTION_9_REQUEST).json()

    assert body == assess(preview_facts(SECTION_9_REQUEST)).to_dict()


def test_only_features_is_required_and_dates_default_to_now(api):
    before = timezone.now()
    response = _post(api, {"features": []})

    assert response.status_code == 200
    body = response.json()
    assert body["severity"] == {"level": 1, "code": "low", "label": "Lav", "reasons": []}
    assert _codes(body["legal_references"]) == []
    [follow_up] = body["deadlines"]
    due = datetime.fromisoformat(follow_up["due"])
    assert before + timedelta(days=14) - timedelta(seconds=2) <= due <= timezone.now() + timedelta(days=14)
    assert due.utcoffset() == timezone.localtime(due).utcoffset()  # Danish time, like the app


def test_null_is_the_same_as_leaving_a_key_out(api):
    nulls = {key: None for key in REQUEST_KEYS if key != "features"}

    assert _post(api, {"features": ["threat"], **nulls}).json()["severity"]["code"] == "critical"


def test_self_report_adds_assessment_due(api):
    body = _post(api, {**SECTION_9_REQUEST, "self_report": True}).json()

    assert "assessment_due" in _codes(body["deadlines"])
    # Registered Saturday 21 November 2026 → due Tuesday end of day.
    due = next(d for d in body["deadlines"] if d["code"] == "assessment_due")["due"]
    assert due == "2026-11-24T23:59:59+01:00"


def test_three_publications_count_as_repeated_and_only_book_is_not_a_platform(api):
    repeated = _post(api, {"features": ["offensive_language"], "publication_count": 3}).json()
    book = _post(api, {"features": ["offensive_language"], "platforms": ["book"]}).json()
    nowhere = _post(api, {"features": ["offensive_language"]}).json()

    assert repeated["severity"]["level"] == 3 and "repeated" in repeated["severity"]["reasons"]
    assert "platform_takedown" not in _codes(book["actions"])
    assert "platform_takedown" in _codes(nowhere["actions"])


def test_unknown_keys_are_ignored(api):
    response = _post(api, {**SECTION_9_REQUEST, "takedown_requested_at": "x", "ekstra": [1, 2]})

    assert response.status_code == 200
    assert response.json() == _post(api, SECTION_9_REQUEST).json()


# Decision (documented in the schema): a time without UTC offset is Danish local time.
@pytest.mark.parametrize(
    ("registered_at", "due"),
    [
        ("2026-11-21T09:00:00", "2026-12-05T09:00:00+01:00"),  # winter: +01:00
        ("2026-07-01T09:00:00", "2026-07-15T09:00:00+02:00"),  # summer: +02:00
        ("2026-11-21T08:00:00Z", "2026-12-05T08:00:00+00:00"),  # an offset given is kept
        ("2026-11-21T09:00:00+01:00", "2026-12-05T09:00:00+01:00"),
        ("2026-11-21", "2026-12-05T00:00:00+01:00"),  # a date alone is midnight, Danish time
    ],
)
def test_naive_times_are_danish_time_and_offsets_are_kept(api, registered_at, due):
    body = _post(api, {"features": [], "registered_at": registered_at}).json()

    assert next(d for d in body["deadlines"] if d["code"] == "follow_up_14_days")["due"] == due


# --- 400: an unknown code, a wrong type or a bad date, naming field and value -------------------------

BAD_REQUESTS = [
    # (request, field, value, code)
    ({"features": ["named", "bogus"]}, "features", "bogus", "unknown_code"),
    ({"features": "named"}, "features", "named", "wrong_type"),
    ({"features": {"named": True}}, "features", {"named": True}, "wrong_type"),
    ({"features": [1]}, "features", 1, "wrong_type"),
    ({"features": [None]}, "features", None, "wrong_type"),
    ({}, "features", None, "required"),
    ({"features": None}, "features", None, "required"),
    ({"perpetrator_relation": "neighbour"}, "perpetrator_relation", "neighbour", "unknown_code"),
    ({"perpetrator_relation": ["unknown"]}, "perpetrator_relation", ["unknown"], "wrong_type"),
    ({"platforms": ["myspace"]}, "platforms", "myspace", "unknown_code"),
    ({"platforms": "facebook"}, "platforms", "facebook", "wrong_type"),
    ({"related_phenomena": ["gossip"]}, "related_phenomena", "gossip", "unknown_code"),
    ({"publication_count": "3"}, "publication_count", "3", "wrong_type"),
    ({"publication_count": 2.5}, "publication_count", 2.5, "wrong_type"),
    ({"publication_count": 3.0}, "publication_count", 3.0, "wrong_type"),
    ({"publication_count": True}, "publication_count", True, "wrong_type"),
    ({"publication_count": -1}, "publication_count", -1, "bad_value"),
    ({"absence_days": "1"}, "absence_days", "1", "wrong_type"),
    ({"absence_days": []}, "absence_days", [], "wrong_type"),
    ({"absence_days": -4}, "absence_days", -4, "bad_value"),
    ({"self_report": "true"}, "self_report", "true", "wrong_type"),
    ({"self_report": 1}, "self_report", 1, "wrong_type"),
    ({"psychological_harm": "ja"}, "psychological_harm", "ja", "wrong_type"),
    ({"discovered_at": "i går"}, "discovered_at", "i går", "bad_date"),
    ({"discovered_at": "2026-02-30T10:00:00+01:00"}, "discovered_at", "2026-02-30T10:00:00+01:00", "bad_date"),
    ({"discovered_at": "2026-11-20T25:00:00"}, "discovered_at", "2026-11-20T25:00:00", "bad_date"),
    ({"discovered_at": "2026-11-20T10:00:00+25:00"}, "discovered_at", "2026-11-20T10:00:00+25:00", "bad_date"),
    ({"discovered_at": "9999-12-31T23:59:59+00:00"}, "discovered_at", "9999-12-31T23:59:59+00:00", "bad_date"),
    ({"discovered_at": "0001-01-01T00:00:00-05:00"}, "discovered_at", "0001-01-01T00:00:00-05:00", "bad_date"),
    ({"discovered_at": 1700000000}, "discovered_at", 1700000000, "wrong_type"),
    ({"registered_at": ""}, "registered_at", "", "bad_date"),
    ({"registered_at": ["2026-11-20"]}, "registered_at", ["2026-11-20"], "wrong_type"),
    ({"absence_start": "2026-11-20T10:00:00"}, "absence_start", "2026-11-20T10:00:00", "bad_date"),
    ({"absence_start": "20.11.2026"}, "absence_start", "20.11.2026", "bad_date"),
    ({"absence_start": 20261120}, "absence_start", 20261120, "wrong_type"),
]


@pytest.mark.parametrize(("overrides", "field", "value", "code"), BAD_REQUESTS)
def test_bad_requests_answer_400_naming_field_and_value(api, overrides, field, value, code):
    body = {"features": ["named"], **overrides} if overrides else {}

    response = _post(api, body)

    assert response.status_code == 400
    error = response.json()
    assert set(error) == ERROR_KEYS
    assert (error["field"], error["value"], error["code"]) == (field, value, code)
    assert f"«{field}»" in error["detail"]  # Danish, naming the field


def test_unknown_code_message_lists_the_known_codes(api):
    error = _post(api, {"features": ["bogus"]}).json()

    assert error["detail"].startswith("«bogus» er ikke en kendt kode i «features». Kendte koder: named, photo,")


@pytest.mark.parametrize("raw", ["{", '{"features": [}', "nonsens", '{"features": NaN}', "\xff"])
def test_malformed_json_is_400_with_the_same_shape(api, raw):
    response = api.post(URL, raw, content_type="application/json")

    assert response.status_code == 400
    error = response.json()
    assert set(error) == ERROR_KEYS and error["field"] is None and error["code"] == "parse_error"
    assert error["detail"].startswith("Forespørgslen kunne ikke læses.")


@pytest.mark.parametrize("body", [[], ["named"], "features", 7, None, True])
def test_a_body_that_is_not_an_object_is_400(api, body):
    response = _post(api, body)

    assert response.status_code == 400
    error = response.json()
    assert error["field"] is None and error["value"] == body and error["code"] == "wrong_type"
    assert "JSON-objekt" in error["detail"]


def test_an_empty_body_lacks_features(api):
    response = api.post(URL, "", content_type="application/json")

    assert response.status_code == 400 and response.json()["field"] == "features"


def test_lone_surrogate_is_echoed_safely(api):
    response = api.post(URL, '{"features": ["\\ud800"]}', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == "features" and response.json()["value"] == "?"


def test_other_media_types_and_methods_are_not_400(api):
    assert api.post(URL, {"features": "named"}, format="multipart").status_code == 415
    assert api.get(URL).status_code == 405


# --- Who may use it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_signed_in_user_may_preview(personas, name):
    client = APIClient()
    client.force_login(getattr(personas, name))

    assert _post(client, SECTION_9_REQUEST).status_code == 200


def test_anonymous_may_not_preview(personas):
    response = _post(APIClient(), SECTION_9_REQUEST)

    assert response.status_code == 401
    assert response.json() == {"detail": "Legitimation til autentificering blev ikke angivet."}


def test_token_authentication_works(personas):
    token = api_token(personas.union_rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert _post(client, SECTION_9_REQUEST).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert _post(client, SECTION_9_REQUEST).status_code == 401


def test_session_posts_need_the_csrf_token(personas):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(personas.caseworker)

    response = _post(client, SECTION_9_REQUEST)

    assert response.status_code == 403


# --- The schema documents exactly this contract -------------------------------------------------


def test_schema_documents_request_keys_and_error_shape(personas):
    client = APIClient()
    client.force_login(personas.manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/assessment/preview/"]["post"]
    components = schema["components"]["schemas"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[request_ref]["properties"]) == set(REQUEST_KEYS) == set(AssessmentFactsSerializer().fields)
    assert components[request_ref]["required"] == ["features"]
    ok_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert list(components[ok_ref]["properties"]) == RESPONSE_KEYS
    bad_ref = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[bad_ref]["properties"]) == ERROR_KEYS
    assert "dansk tid" in operation["description"]


# --- Fuzzing: never a 500 ---------------------------------------------------------------------------

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from([*ALL_FEATURES, *PLATFORMS, *RELATED_PHENOMENA, *PERPETRATOR_RELATIONS])
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
date_texts = (
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none() | st.timezones()
    ).map(lambda moment: moment.isoformat())
    | st.dates().map(str)
    | st.from_regex(r"\A\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?\Z")
)
plausible = {
    "features": st.lists(st.sampled_from(ALL_FEATURES) | st.text(max_size=6), max_size=6),
    "perpetrator_relation": st.sampled_from(PERPETRATOR_RELATIONS) | st.text(max_size=6),
    "related_phenomena": st.lists(st.sampled_from(RELATED_PHENOMENA), max_size=3),
    "platforms": st.lists(st.sampled_from(PLATFORMS), max_size=4),
    "reaches": st.lists(st.sampled_from(REACHES), max_size=3),
    "first_published_at": st.none() | date_texts,
    "last_published_at": st.none() | date_texts,
    "publication_count": st.integers(min_value=-2, max_value=10**20),
    "absence_days": st.integers(min_value=-2, max_value=10**20),
    "absence_start": st.none() | date_texts,
    "psychological_harm": st.booleans(),
    "discovered_at": date_texts,
    "registered_at": date_texts,
    "self_report": st.booleans(),
}
random_bodies = st.dictionaries(st.sampled_from(REQUEST_KEYS) | st.text(max_size=10), json_values, max_size=12)
near_valid_bodies = st.fixed_dictionaries(
    {"features": plausible["features"]},
    optional={key: strategy | json_values for key, strategy in plausible.items() if key != "features"},
)
any_bodies = json_values | random_bodies | near_valid_bodies


def _check(response, sent) -> None:
    assert response.status_code in (200, 400), (response.status_code, sent)
    body = response.json()
    event(f"{response.status_code} {body.get('code', '')}")
    if response.status_code == 200:
        assert list(body) == RESPONSE_KEYS
        assert list(body["severity"]) == ["level", "code", "label", "reasons"]
        return
    assert set(body) == ERROR_KEYS
    assert isinstance(body["detail"], str) and body["detail"]
    if body["field"] is not None and isinstance(sent, dict) and body["code"] != "required":
        assert body["field"] in REQUEST_KEYS
        given_value = json.loads(json.dumps(sent[body["field"]]))
        assert body["value"] == given_value or (isinstance(given_value, list) and body["value"] in given_value)


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@FUZZ
@given(body=any_bodies)
def test_fuzz_random_json_never_500(api, body):
    raw = json.dumps(body, allow_nan=False) if _finite(body) else json.dumps(body)
    _check(api.post(URL, raw, content_type="application/json"), body if _finite(body) else None)


@FUZZ
@given(body=near_valid_bodies)
def test_fuzz_near_valid_requests_are_200_or_named_400(api, body):
    if not _finite(body):
        return
    response = _post(api, body)
    _check(response, body)


in_range_moments = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(2999, 12, 30),
    timezones=st.none() | st.timezones(),
).map(lambda moment: moment.isoformat())
well_typed_bodies = st.fixed_dictionaries(
    {"features": st.lists(st.sampled_from(ALL_FEATURES), max_size=8)},
    optional={
        "perpetrator_relation": st.sampled_from(PERPETRATOR_RELATIONS),
        "related_phenomena": st.lists(st.sampled_from(RELATED_PHENOMENA), max_size=4),
        "platforms": st.lists(st.sampled_from(PLATFORMS), max_size=4),
        "reaches": st.lists(st.sampled_from(REACHES), max_size=3),
        "first_published_at": in_range_moments,
        "publication_count": st.integers(min_value=0, max_value=10**12),
        "absence_days": st.integers(min_value=0, max_value=10**12),
        "absence_start": st.none()
        | st.dates(min_value=datetime(1900, 1, 1).date(), max_value=datetime(2999, 12, 31).date()).map(str),
        "psychological_harm": st.booleans(),
        "discovered_at": in_range_moments,
        "registered_at": in_range_moments,
        "self_report": st.booleans(),
    },
)


@FUZZ
@given(body=well_typed_bodies)
def test_fuzz_every_well_typed_request_is_200(api, body):
    response = _post(api, body)

    assert response.status_code == 200, (body, response.content)
    _check(response, body)


def _finite(value) -> bool:
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    return True


# --- The stored assessment is the same function -----------------------------------------------------


def test_stored_assessment_on_the_incident_equals_the_engine(personas):
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.SELF_REPORT,
        fields={
            "title": "Trussel i kommentarspor",
            "discovered_at": timezone.now() - timedelta(hours=3),
            "threat": True,
            "private_details": True,
            "perpetrator_relation": "citizen_own_case",
            "absence_days": 2,
            "related_stalking": True,
        },
        targets=[personas.caseworker],
        publications=[{"platform": "news_comments"}, {"platform": "facebook"}, {"platform": "book"}],
    )
    client = APIClient()
    client.force_login(personas.manager)

    body = client.get(reverse("api:incident-detail", args=[incident.reference])).json()

    expected = assess(services.incident_facts(incident)).to_dict()
    assert {key: body["assessment"][key] for key in RESPONSE_KEYS} == expected
    assert body["assessment"]["severity"]["code"] == "critical"
    assert "assessment_due" in _codes(body["assessment"]["deadlines"])  # a self-report
    assert body["assessment"]["confirmed_level"] is None and body["assessment"]["override"] is None


def test_stored_assessment_follows_an_api_update(personas):
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Opslag", "discovered_at": timezone.now() - timedelta(days=1), "named": True},
    )
    client = APIClient()
    client.force_login(personas.manager)

    body = client.patch(
        reverse("api:incident-detail", args=[incident.reference]),
        {"features": ["named", "lawbreaking_accusation"]},
        format="json",
        HTTP_IF_MATCH=incident.etag,
    ).json()

    incident.refresh_from_db()
    expected = assess(services.incident_facts(incident)).to_dict()
    assert {key: body["assessment"][key] for key in RESPONSE_KEYS} == expected
    assert body["assessment"]["severity"]["code"] == "serious"


def test_preview_and_stored_assessment_agree_for_the_same_facts(personas):
    # JSON carries offsets, and the preview keeps the offset it is given; 1 October → 1 April stays in
    # summer time, so the 6-month step lands on the same instant as the stored (Europe/Copenhagen) one.
    discovered = timezone.localtime().replace(year=2026, month=10, day=1, hour=10, minute=0)
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Video", "discovered_at": discovered, "video_published": True, "offensive_language": True},
        publications=[{"platform": "youtube"}],
    )
    client = APIClient()
    client.force_login(personas.manager)
    stored = client.get(reverse("api:incident-detail", args=[incident.reference])).json()["assessment"]

    preview = _post(
        client,
        {
            "features": ["video_published", "offensive_language"],
            "platforms": ["youtube"],
            "reaches": ["public"],
            "publication_count": 1,
            "discovered_at": discovered.isoformat(),
            "registered_at": timezone.localtime(incident.registered_at).isoformat(),
        },
    ).json()

    assert preview == {key: stored[key] for key in RESPONSE_KEYS}
