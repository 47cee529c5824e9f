"""Issue 26, item 8, as the attacks that found it: inputs that gave 500, pages that could be
cached, an API filter that told which unit ids exist elsewhere. Every URL the project has is
tried where the finding was "every page" or "every JSON endpoint"."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import OrganisationFactory, UnitFactory
from tests.security.test_attacks import persona_for, signed_in
from tests.security.test_permission_matrix import EXPECTED, concrete_url, project_routes
from tests.security.world import build_world, private_storage
from udhaengning.middleware import MAX_JSON_DEPTH, json_depth

pytestmark = pytest.mark.django_db

DEEP = ("[" * 1000 + "]" * 1000).encode()
DEEP_OBJECT = ('{"a":' * 1000 + "1" + "}" * 1000).encode()


@pytest.fixture
def world(personas, settings, tmp_path):
    private_storage(settings, tmp_path)
    return build_world(personas)


def test_json_depth_skips_brackets_inside_strings():
    assert json_depth(b'{"a": "[[[[[[[[[[", "b": [1, [2]]}') == 3
    assert json_depth(b'"\\"[[[["') == 0
    assert json_depth(DEEP) == 1000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_1000_deep_answers_400_on_every_endpoint_that_takes_a_body(personas, world, body):
    """Every URL of the project, POST (and PATCH on the API) as a persona who may use it."""
    wrong = []
    tried = 0
    for name, _, pattern in project_routes():
        if name == "healthz":  # answered first by udhaengning.health: GET only, no body, no data, no audit
            continue
        subject, _ = EXPECTED[name]
        client = signed_in(personas, persona_for(name, post=True), enforce_csrf_checks=False)
        url = concrete_url(name, pattern, world, subject)
        for method in ("post", "patch") if url.startswith("/api/") else ("post",):
            response = getattr(client, method)(url, data=body, content_type="application/json")
            tried += 1
            if response.status_code != 400:
                wrong.append(f"{method.upper()} {name}: {response.status_code}")
                continue
            data = response.json()
            if "body" not in data or "indlejret for dybt" not in data["body"][0]:
                wrong.append(f"{method.upper()} {name}: {data}")
    assert tried > 60 and not wrong, "\n".join(wrong)


def test_deep_json_sent_as_text_to_the_recording_suggestion_answers_400(personas):
    client = signed_in(personas, "caseworker")
    response = client.post(reverse("recordings:suggest"), data=DEEP, content_type="text/plain")
    assert response.status_code == 400
    assert f"højst {MAX_JSON_DEPTH} niveauer" in response.content.decode()


def test_json_within_the_limit_still_works(personas):
    client = signed_in(personas, "caseworker")
    nested = {"reasons": [], "media": "audio", "extra": json.loads("[" * 50 + "]" * 50)}
    response = client.post(reverse("recordings:suggest"), data=json.dumps(nested), content_type="application/json")
    assert response.status_code in (200, 400)
    assert "indlejret for dybt" not in response.content.decode()


@pytest.mark.parametrize(
    "url_name, params",
    [
        ("incidents:list", {"q": "Facebook\x00"}),
        ("incidents:list", {"status": "open\x00"}),
        ("incidents:list", {"unit\x00": "1"}),
        ("recordings:list", {"q": "\x00"}),
        ("recordings:overview", {"status": "\x01"}),
        ("api:incident-list", {"status": "\x00"}),
    ],
)
def test_nul_and_control_characters_in_query_parameters_answer_400_in_danish(personas, url_name, params):
    client = signed_in(personas, "manager")
    before = AuditEvent.objects.count()
    response = client.get(reverse(url_name), params)
    assert response.status_code == 400
    assert "kontroltegn" in response.content.decode()
    assert AuditEvent.objects.count() == before  # refused before any case data was read


def test_a_non_ip_forwarded_for_answers_400_on_every_audited_page(personas, world):
    wrong = []
    for name, _, pattern in project_routes():
        if name == "healthz":  # answered first by udhaengning.health: GET only, no body, no data, no audit
            continue
        subject, expected = EXPECTED[name]
        persona = persona_for(name)
        client = signed_in(personas, persona)
        url = concrete_url(name, pattern, world, subject)
        response = client.get(url, HTTP_X_FORWARDED_FOR="not-an-ip, <script>")
        if response.status_code != 400:
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_forged_forwarded_for_is_not_stored_when_reading_a_case(personas, world, settings):
    """The finding: a forged 6.6.6.6 was stored as the reader's address."""
    for hops, remote, forwarded, stored in [
        (0, "192.0.2.20", "6.6.6.6", "192.0.2.20"),
        (1, "10.0.0.1", "6.6.6.6, 198.51.100.4", "198.51.100.4"),
    ]:
        settings.TRUSTED_PROXY_HOPS = hops
        client = signed_in(personas, "manager")
        response = client.get(
            reverse("incidents:detail", args=[world.incident.reference]),
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 200
        event = AuditEvent.objects.filter(
            incident_reference=world.incident.reference, action=AuditEvent.Action.VIEW
        ).latest("pk")
        assert event.ip_address == stored
    assert not AuditEvent.objects.filter(ip_address="6.6.6.6").exists()


def test_the_api_unit_filter_answers_alike_for_a_foreign_and_a_missing_unit(personas, world):
    foreign = UnitFactory(organisation=OrganisationFactory(name="Nabokommune"), name="Fremmed team")
    missing = foreign.pk + 1000
    client = signed_in(personas, "manager")
    answers = [client.get(reverse("api:incident-list"), {"unit": unit_id}) for unit_id in (foreign.pk, missing)]
    assert [a.status_code for a in answers] == [400, 400]
    first, second = (a.json() for a in answers)
    assert first.keys() == second.keys() == {"unit"}
    assert first["unit"][0].replace(str(foreign.pk), "N") == second["unit"][0].replace(str(missing), "N")
    own = client.get(reverse("api:incident-list"), {"unit": world.incident.unit_id})
    assert own.status_code == 200 and own.json()["count"] >= 1


def test_api_answers_and_pages_with_case_data_are_not_stored(personas, world):
    token_less = signed_in(personas, "manager")
    for url in (
        reverse("api:incident-detail", args=[world.incident.reference]),
        reverse("incidents:detail", args=[world.incident.reference]),
        reverse("incidents:evidence_download", args=[world.incident.reference, world.evidence.pk]),
    ):
        response = token_less.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "no-store" in Client().get(reverse("api:incident-list"))["Cache-Control"]  # 401 too
