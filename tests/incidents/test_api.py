"""The REST API under /api/v1/incidents/: who may do what, roundtrips, Danish validation, schema and docs."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from audit.models import AuditEvent
from incidents import services
from incidents.evidence import evidence_store
from incidents.models import Evidence, Incident, Note, Publication, TimelineEntry
from tests.conftest import PERSONA_NAMES
from tests.factories import api_token

ALL = (*PERSONA_NAMES, "anonymous")
URL_MESSAGE = "Skriv et fuldt link, der begynder med http:// eller https://."
FUTURE_MESSAGE = "Tidspunktet ligger i fremtiden. Angiv hvornår det skete."


def _png(colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _client(personas, name: str) -> APIClient:
    client = APIClient()
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


def _if_match(incident) -> dict:
    """The If-Match header for the incident's version as stored now (issue 23)."""
    return {"HTTP_IF_MATCH": Incident.objects.get(pk=incident.pk).etag}


def _ago(**kwargs) -> str:
    return (timezone.now() - timedelta(**kwargs)).isoformat()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def world(personas):
    """`own`: a Børn og Familie case about the caseworker; `other`: a Jobcenter case about the other caseworker."""
    now = timezone.now()
    own = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Opslag om Sara i Facebook-gruppe",
            "description": "Navn og billede delt.",
            "discovered_at": now - timedelta(days=2),
            "named": True,
            "offensive_language": True,
            "perpetrator_relation": "citizen_own_case",
        },
        targets=[personas.caseworker],
        publications=[
            {
                "platform": "facebook",
                "url": "https://facebook.com/groups/1/posts/2",
                "published_at": now - timedelta(days=3),
                "quote": "Hun er en skændsel",
            }
        ],
    )
    services.note_add(
        actor=personas.manager, incident=own, body="Intern vurdering af borgeren", visibility=Note.Visibility.INTERNAL
    )
    services.note_add(
        actor=personas.manager, incident=own, body="Vi tager fat i platformen i dag", visibility=Note.Visibility.SHARED
    )
    kept = evidence_store(
        actor=personas.manager,
        incident=own,
        uploaded_file=SimpleUploadedFile("skaermbillede.png", _png()),
        publication=own.publications.get(),
    )
    removed = evidence_store(
        actor=personas.manager, incident=own, uploaded_file=SimpleUploadedFile("forkert.png", _png("blue"))
    )
    services.evidence_remove(actor=personas.manager, evidence=removed, reason="Uploadet til forkert sag")
    other = services.incident_register(
        actor=personas.other_manager,
        unit=personas.jobcenter,
        channel=Incident.Channel.MANAGER,
        fields={"title": "Video fra jobsamtale", "discovered_at": now - timedelta(days=1), "video_published": True},
        targets=[personas.other_caseworker],
    )
    own.refresh_from_db()
    return {"own": own, "other": other, "kept": kept, "removed": removed}


def _create_payload(personas, **overrides) -> dict:
    payload = {
        "unit": personas.family.pk,
        "title": "Kommentarer på YouTube",
        "description": "Flere kommentarer under en video.",
        "targets": [personas.caseworker.pk],
        "features": ["named", "threat"],
        "perpetrator_relation": "relative",
        "perpetrator_name": "Ukendt profil",
        "perpetrator_profile_url": "https://youtube.com/@profil",
        "related_phenomena": ["threats"],
        "absence_days": 2,
        "absence_start": str(timezone.localdate() - timedelta(days=1)),
        "psychological_harm": True,
        "emotional_load": 2,
        "discovered_at": _ago(hours=5),
        "publications": [
            {
                "platform": "youtube",
                "url": "https://youtube.com/watch?v=abc",
                "title": "Video",
                "published_at": _ago(days=1),
                "captured_at": _ago(hours=4),
                "reach": "public",
                "audience_size": 1200,
                "still_online": True,
                "quote": "Vi ved hvor du bor",
            },
            {"platform": "blog", "url": "http://blog.example/indlaeg"},
        ],
    }
    payload.update(overrides)
    return payload


def _detail_url(incident) -> str:
    return reverse("api:incident-detail", args=[incident.reference])


# --- Who may see what -------------------------------------------------------------------------

LIST_EXPECTED = {
    "manager": {"own", "other"},
    "other_manager": {"other"},
    "caseworker": {"own"},
    "other_caseworker": {"other"},
    "union_rep": set(),
    "admin": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_shows_exactly_the_incidents_the_policy_allows(personas, world, name):
    response = _client(personas, name).get(reverse("api:incident-list"))

    assert response.status_code == 200
    body = response.json()
    expected = {world[key].reference for key in LIST_EXPECTED[name]}
    assert {row["reference"] for row in body["results"]} == expected
    assert body["count"] == len(expected)
    event = AuditEvent.objects.filter(action="view", actor=getattr(personas, name)).first()
    assert event is not None and sorted(event.details["references"]) == sorted(expected)


def test_list_rows_carry_summary_fields_and_links(personas, world):
    body = _client(personas, "manager").get(reverse("api:incident-list")).json()

    row = next(r for r in body["results"] if r["reference"] == world["own"].reference)
    assert row["title"] == "Opslag om Sara i Facebook-gruppe"
    assert row["unit"] == {"id": personas.family.pk, "name": "Børn og Familie"}
    assert row["status"] == "reported" and row["status_label"] == "Indberettet"
    assert row["level"] == 2 and row["level_label"] == "Moderat" and row["confirmed_level"] is None
    assert row["url"].endswith(f"/api/v1/incidents/{world['own'].reference}/")


def test_list_filters_by_status_level_and_unit(personas, world):
    client = _client(personas, "manager")
    Incident.objects.filter(pk=world["other"].pk).update(status="closed")

    def refs(**params):
        response = client.get(reverse("api:incident-list"), params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs(status="closed") == {world["other"].reference}
    assert refs(unit=personas.family.pk) == {world["own"].reference}
    assert refs(level=2) == {world["own"].reference}  # named + offensive language
    assert refs(level=3) == {world["other"].reference}  # video without consent
    Incident.objects.filter(pk=world["own"].pk).update(confirmed_level=3)
    assert refs(level=3) == {world["own"].reference, world["other"].reference}


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"level": "9"}, {"unit": "abc"}, {"unit": "99999999999999999999"}]
)
def test_bad_filters_answer_400_in_danish(personas, world, params):
    response = _client(personas, "manager").get(reverse("api:incident-list"), params)

    assert response.status_code == 400
    message = next(iter(response.json().values()))[0]
    assert "gyldig" in message.lower()


def test_list_pages(personas, world):
    response = _client(personas, "manager").get(reverse("api:incident-list"), {"page": 7})

    assert response.status_code == 404
    assert response.json()["detail"] == "Ugyldig side"


def test_anonymous_gets_401_with_token_challenge(personas, world):
    client = APIClient()
    for url in (
        reverse("api:incident-list"),
        _detail_url(world["own"]),
        reverse("api:incident-timeline", args=[world["own"].reference]),
        reverse("api:incident-evidence", args=[world["own"].reference]),
        reverse("api:incident-evidence-download", args=[world["own"].reference, world["kept"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Legitimation til autentificering blev ikke angivet."}
    assert client.post(reverse("api:incident-list"), {}, format="json").status_code == 401
    assert client.patch(_detail_url(world["own"]), {}, format="json").status_code == 401


DETAIL_OWN = {
    "manager": 200,
    "other_manager": 404,
    "caseworker": 200,
    "other_caseworker": 404,
    "union_rep": 404,
    "admin": 404,
    "outsider": 404,
    "anonymous": 401,
}
DETAIL_OTHER = {
    "manager": 200,
    "other_manager": 200,
    "caseworker": 404,
    "other_caseworker": 200,
    "union_rep": 404,
    "admin": 404,
    "outsider": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("case", "expected"), [("own", DETAIL_OWN), ("other", DETAIL_OTHER)])
def test_detail_persona_matrix(personas, world, name, case, expected):
    incident = world[case]
    response = _client(personas, name).get(_detail_url(incident))

    assert response.status_code == expected[name]
    if expected[name] == 200:
        assert response.json()["title"] == incident.title
        assert AuditEvent.objects.filter(
            action="view", incident_reference=incident.reference, actor=getattr(personas, name)
        ).exists()
    else:
        assert incident.title not in response.content.decode()
    if expected[name] == 404:
        assert response.json() == {"detail": "Ikke fundet."}


def test_unknown_reference_is_404_like_a_hidden_one(personas, world):
    response = _client(personas, "manager").get("/api/v1/incidents/UDH-1999-0001/")

    assert response.status_code == 404 and response.json() == {"detail": "Ikke fundet."}


@pytest.mark.parametrize("endpoint", ["timeline", "evidence", "download"])
@pytest.mark.parametrize("name", ALL)
def test_sub_resources_follow_the_same_matrix(personas, world, endpoint, name):
    ref = world["own"].reference
    url = {
        "timeline": reverse("api:incident-timeline", args=[ref]),
        "evidence": reverse("api:incident-evidence", args=[ref]),
        "download": reverse("api:incident-evidence-download", args=[ref, world["kept"].pk]),
    }[endpoint]

    response = _client(personas, name).get(url)

    assert response.status_code == DETAIL_OWN[name]


def test_manager_sees_everything_on_the_incident(personas, world):
    body = _client(personas, "manager").get(_detail_url(world["own"])).json()

    assert body["features"] == ["named", "offensive_language"]
    assert body["perpetrator_relation"] == "citizen_own_case"
    assert body["perpetrator_relation_label"] == "Borger i egen sag"
    assert body["targets"] == [{"id": personas.caseworker.pk, "name": "Sara Sagsbehandler"}]
    assert body["reporter"] == {"id": personas.manager.pk, "name": "Mette Leder"}
    [publication] = body["publications"]
    assert publication["platform"] == "facebook" and publication["quote"] == "Hun er en skændsel"
    assert {note["body"] for note in body["notes"]} == {
        "Intern vurdering af borgeren",
        "Vi tager fat i platformen i dag",
    }
    assert any(not entry["visible_to_employee"] for entry in body["timeline"])
    kept, removed = body["evidence"]
    assert kept["original_name"] == "skaermbillede.png" and kept["publication"] == publication["id"]
    assert kept["sha256"] == world["kept"].sha256 and kept["removed_at"] is None
    assert kept["download_url"].endswith(f"/evidence/{world['kept'].pk}/download/")
    assert removed["removed_at"] is not None and removed["removal_reason"] == "Uploadet til forkert sag"
    assert removed["sha256"] == world["removed"].sha256 and removed["download_url"] is None
    assert removed["removed_by"]["id"] == personas.manager.pk
    assert body["assessment"]["severity"]["code"] == "moderate"
    assert body["assessment"]["confirmed_level"] is None and body["assessment"]["override"] is None


def test_employee_sees_only_shared_notes_and_visible_timeline(personas, world):
    body = _client(personas, "caseworker").get(_detail_url(world["own"])).json()

    assert [note["body"] for note in body["notes"]] == ["Vi tager fat i platformen i dag"]
    assert body["timeline"] and all(entry["visible_to_employee"] for entry in body["timeline"])
    assert "Intern vurdering af borgeren" not in str(body)
    assert len(body["evidence"]) == 2  # tombstones too


def test_timeline_for_employee_hides_internal_entries(personas, world):
    ref = world["own"].reference
    manager_entries = _client(personas, "manager").get(reverse("api:incident-timeline", args=[ref])).json()
    employee_entries = _client(personas, "caseworker").get(reverse("api:incident-timeline", args=[ref])).json()

    internal = [e for e in manager_entries if not e["visible_to_employee"]]
    assert internal and internal[0]["text"] == "Intern vurdering af borgeren"
    assert [e["id"] for e in employee_entries] == [e["id"] for e in manager_entries if e["visible_to_employee"]]
    kinds = {e["kind"] for e in employee_entries}
    assert {"registered", "evidence_added", "evidence_removed"} <= kinds
    assert AuditEvent.objects.filter(action="view", incident_reference=ref, actor=personas.caseworker).exists()


def test_override_is_shown_with_justification_to_managers_only(personas, world):
    Incident.objects.filter(pk=world["own"].pk).update(
        confirmed_level=4,
        override_justification="Borgeren har opsøgt kontoret",
        confirmed_by=personas.manager,
        confirmed_at=timezone.now(),
        confirmed_facts_hash=world["own"].facts_hash,
    )

    manager = _client(personas, "manager").get(_detail_url(world["own"])).json()
    employee = _client(personas, "caseworker").get(_detail_url(world["own"])).json()

    assert manager["level"] == 4 and manager["assessed_level"] == 2
    assert manager["assessment"]["confirmed_level"] == 4
    assert manager["assessment"]["override"] == {
        "level": 4,
        "code": "critical",
        "label": "Kritisk",
        "computed_level": 2,
        "justification": "Borgeren har opsøgt kontoret",
    }
    assert manager["assessment"]["confirmed_by"]["id"] == personas.manager.pk
    assert manager["assessment"]["facts_changed_since_confirmation"] is False
    assert employee["assessment"]["override"]["justification"] == ""


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_rows(personas, world):
    own = world["own"]
    client = _client(personas, "manager")
    client.get(_detail_url(own))  # warm up the session
    urls = [
        _detail_url(own),
        reverse("api:incident-list"),
        reverse("api:incident-timeline", args=[own.reference]),
        reverse("api:incident-evidence", args=[own.reference]),
    ]
    before = [_count_queries(client, url) for url in urls]
    for index in range(4):
        Publication.objects.create(incident=own, platform="x", url=f"https://x.com/p/{index}")
        services.note_add(actor=personas.manager, incident=own, body=f"Note {index}", visibility="shared")
        evidence_store(
            actor=personas.manager, incident=own, uploaded_file=SimpleUploadedFile(f"bevis{index}.png", _png())
        )
        services.incident_register(
            actor=personas.manager,
            unit=personas.team,
            channel="manager",
            fields={"title": f"Sag {index}", "discovered_at": timezone.now()},
            targets=[personas.caseworker],
        )

    after = [_count_queries(client, url) for url in urls]

    assert after == before
    assert before[0] <= 20


# --- Creating -------------------------------------------------------------------------------------

CREATE_EXPECTED = {
    "manager": 201,
    "other_manager": 400,
    "caseworker": 403,
    "other_caseworker": 403,
    "union_rep": 403,
    "admin": 403,
    "outsider": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("name", ALL)
def test_create_persona_matrix(personas, name):
    response = _client(personas, name).post(reverse("api:incident-list"), _create_payload(personas), format="json")

    assert response.status_code == CREATE_EXPECTED[name]
    if response.status_code == 403:
        assert response.json()["detail"].startswith("Kun ledere kan registrere hændelser.")
    if response.status_code == 400:
        assert response.json() == {"unit": ["Du kan kun registrere hændelser for enheder, du er leder for."]}
    assert Incident.objects.exists() is (response.status_code == 201)


def test_create_and_read_back_roundtrip(personas):
    client = _client(personas, "manager")
    payload = _create_payload(personas)

    response = client.post(reverse("api:incident-list"), payload, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"].endswith(f"/api/v1/incidents/{created['reference']}/")
    assert re.fullmatch(r"UDH-\d{4}-\d{4}", created["reference"])
    read = client.get(response["Location"]).json()
    assert read == created
    for key in (
        "title",
        "description",
        "features",
        "perpetrator_relation",
        "perpetrator_name",
        "perpetrator_profile_url",
        "related_phenomena",
        "absence_days",
        "absence_start",
        "psychological_harm",
        "emotional_load",
    ):
        assert read[key] == payload[key], key
    assert read["channel"] == "manager" and read["status"] == "reported"
    assert [t["id"] for t in read["targets"]] == [personas.caseworker.pk]
    pubs = {p["platform"]: p for p in read["publications"]}  # ordered by published_at (nulls differ by database)
    assert {name: p["url"] for name, p in pubs.items()} == {
        "youtube": "https://youtube.com/watch?v=abc",
        "blog": "http://blog.example/indlaeg",
    }
    assert pubs["youtube"]["audience_size"] == 1200 and pubs["youtube"]["still_online"] is True
    assert pubs["blog"]["reach"] == "public" and pubs["blog"]["published_at"] is None
    assert read["assessment"]["severity"]["code"] == "critical"  # threat
    incident = Incident.objects.get(reference=created["reference"])
    assert incident.threat and incident.named and incident.related_threats and not incident.photo
    assert AuditEvent.objects.filter(action="create", incident_reference=incident.reference).exists()


def test_three_publications_make_the_incident_repeated(personas):
    pubs = [{"platform": "facebook"}, {"platform": "x"}, {"platform": "reddit"}]
    response = _client(personas, "manager").post(
        reverse("api:incident-list"), _create_payload(personas, publications=pubs, features=["named"]), format="json"
    )

    assert response.status_code == 201, response.content
    assert "repeated" in response.json()["features"]


# --- Updating -------------------------------------------------------------------------------------

UPDATE_EXPECTED = {
    "manager": 200,
    "other_manager": 404,
    "caseworker": 403,
    "other_caseworker": 404,
    "union_rep": 404,
    "admin": 404,
    "outsider": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("name", ALL)
def test_patch_persona_matrix(personas, world, name):
    response = _client(personas, name).patch(
        _detail_url(world["own"]), {"title": "Ny overskrift"}, format="json", **_if_match(world["own"])
    )

    assert response.status_code == UPDATE_EXPECTED[name]
    world["own"].refresh_from_db()
    assert (world["own"].title == "Ny overskrift") is (response.status_code == 200)
    if response.status_code == 403:
        assert response.json() == {"detail": "Kun ledere for hændelsens enhed kan ændre oplysningerne."}


def test_patch_changes_only_what_is_sent_and_reassesses(personas, world):
    own = world["own"]
    response = _client(personas, "manager").patch(
        _detail_url(own), {"features": ["named", "threat"]}, format="json", **_if_match(own)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["features"] == ["named", "threat"]
    assert body["title"] == own.title and len(body["publications"]) == 1
    assert body["assessment"]["severity"]["code"] == "critical"
    own.refresh_from_db()
    assert own.threat and not own.offensive_language and own.assessed_level == 4
    assert AuditEvent.objects.filter(action="update", incident_reference=own.reference).exists()
    assert TimelineEntry.objects.filter(incident=own, kind="edited", visible_to_employee=False).exists()


def test_publications_on_update_replace_the_list(personas, world):
    own = world["own"]
    [first] = own.publications.all()
    client = _client(personas, "manager")

    response = client.patch(
        _detail_url(own),
        {
            "publications": [
                {"id": first.pk, "still_online": False},
                {"platform": "tiktok", "url": "https://tiktok.com/@x/video/1"},
            ]
        },
        format="json",
        **_if_match(own),
    )

    assert response.status_code == 200, response.content
    pubs = {p["platform"]: p for p in response.json()["publications"]}
    assert set(pubs) == {"facebook", "tiktok"}
    assert pubs["facebook"]["id"] == first.pk and pubs["facebook"]["still_online"] is False
    assert pubs["facebook"]["quote"] == "Hun er en skændsel"  # PATCH keeps the fields not sent

    response = client.patch(
        _detail_url(own),
        {"publications": [{"platform": "book", "title": "Kapitel 3"}]},
        format="json",
        **_if_match(own),
    )

    assert response.status_code == 200, response.content
    assert [p["platform"] for p in response.json()["publications"]] == ["book"]
    world["kept"].refresh_from_db()
    assert world["kept"].publication is None  # the evidence stays, unlinked


def test_put_replaces_every_field(personas, world):
    own = world["own"]
    response = _client(personas, "manager").put(
        _detail_url(own),
        {
            "unit": personas.team.pk,
            "title": "Erstattet",
            "discovered_at": _ago(days=1),
        },
        format="json",
        **_if_match(own),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Erstattet" and body["unit"]["id"] == personas.team.pk
    assert body["description"] == "" and body["features"] == [] and body["perpetrator_relation"] == "unknown"
    assert len(body["publications"]) == 1 and len(body["targets"]) == 1  # left out: unchanged


def test_put_without_required_fields_names_them_in_danish(personas, world):
    response = _client(personas, "manager").put(
        _detail_url(world["own"]), {"title": "X"}, format="json", **_if_match(world["own"])
    )

    assert response.status_code == 400
    assert response.json() == {"unit": ["Dette felt er påkrævet."], "discovered_at": ["Dette felt er påkrævet."]}


def test_manager_cannot_move_an_incident_out_of_their_units(personas, world):
    response = _client(personas, "other_manager").patch(
        _detail_url(world["other"]), {"unit": personas.family.pk}, format="json", **_if_match(world["other"])
    )

    assert response.status_code == 400
    assert response.json() == {"unit": ["Du kan kun registrere hændelser for enheder, du er leder for."]}


def test_publication_of_another_incident_cannot_be_edited(personas, world):
    foreign = Publication.objects.create(incident=world["other"], platform="x")
    response = _client(personas, "manager").patch(
        _detail_url(world["own"]),
        {"publications": [{"id": foreign.pk, "title": "Kapret"}]},
        format="json",
        **_if_match(world["own"]),
    )

    assert response.status_code == 400
    assert "hører ikke til denne hændelse" in response.json()["publications"][0]  # a list-level error
    foreign.refresh_from_db()
    assert foreign.title == ""


# --- Danish validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_url", ["javascript:alert(1)", "ftp://example.com/fil", "www.example.com", "data:text/html,x"]
)
def test_links_must_be_http_or_https(personas, bad_url):
    payload = _create_payload(
        personas, perpetrator_profile_url=bad_url, publications=[{"platform": "website", "url": bad_url}]
    )

    response = _client(personas, "manager").post(reverse("api:incident-list"), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"perpetrator_profile_url": [URL_MESSAGE], "publications": {"0": {"url": [URL_MESSAGE]}}}


def test_dates_in_the_future_are_refused(personas):
    tomorrow = timezone.now() + timedelta(days=1)
    payload = _create_payload(
        personas,
        discovered_at=tomorrow.isoformat(),
        absence_start=str(timezone.localdate() + timedelta(days=3)),
        publications=[{"platform": "x", "published_at": tomorrow.isoformat()}],
    )

    response = _client(personas, "manager").post(reverse("api:incident-list"), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "discovered_at": [FUTURE_MESSAGE],
        "absence_start": ["Datoen ligger i fremtiden. Angiv en dato, der er passeret."],
        "publications": {"0": {"published_at": [FUTURE_MESSAGE]}},
    }


def test_unknown_codes_are_named_in_danish(personas):
    payload = _create_payload(
        personas,
        features=["named", "bogus"],
        perpetrator_relation="nabo",
        related_phenomena=["ufo"],
        publications=[{"platform": "myspace", "reach": "alle"}],
    )

    response = _client(personas, "manager").post(reverse("api:incident-list"), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "features": {"1": ["«bogus» er ikke et kendt kendetegn."]},
        "perpetrator_relation": ["«nabo» er ikke en kendt relation for afsenderen."],
        "related_phenomena": {"0": ["«ufo» er ikke et kendt fænomen."]},
        "publications": {
            "0": {
                "platform": ["«myspace» er ikke en kendt platform."],
                "reach": ["«alle» er ikke en kendt rækkevidde."],
            }
        },
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"discovered_at": "i går"}, "discovered_at"),
        ({"discovered_at": "0001-01-01T00:00:00+05:00"}, "discovered_at"),
        ({"discovered_at": "1850-01-01T00:00:00+01:00"}, "discovered_at"),
        ({"absence_days": -1}, "absence_days"),
        ({"absence_days": 10**30}, "absence_days"),
        ({"absence_days": "mange"}, "absence_days"),
        ({"emotional_load": 9}, "emotional_load"),
        ({"unit": 10**30}, "unit"),
        ({"unit": "abc"}, "unit"),
        ({"unit": None}, "unit"),
        ({"targets": [10**12]}, "targets"),
        ({"targets": "alle"}, "targets"),
        ({"features": "named"}, "features"),
        ({"features": [["named"]]}, "features"),
        ({"features": ["\ud800"]}, "features"),
        ({"title": "nul\x00tegn"}, "title"),
        ({"publications": "facebook"}, "publications"),
        ({"publications": [{}]}, "publications"),
        ({"publications": [{"platform": "x"}] * 101}, "publications"),
        ({"publications": [{"platform": "x", "audience_size": -5}]}, "publications"),
    ],
)
def test_bad_input_gives_400_naming_the_field(personas, overrides, field):
    body = json.dumps(_create_payload(personas, **overrides))  # ASCII escapes, so a lone surrogate gets through
    response = _client(personas, "manager").post(reverse("api:incident-list"), body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Incident.objects.exists()


def test_target_from_another_organisation_is_refused(personas):
    from tests.factories import UserFactory

    stranger = UserFactory()
    response = _client(personas, "manager").post(
        reverse("api:incident-list"), _create_payload(personas, targets=[stranger.pk]), format="json"
    )

    assert response.status_code == 400
    assert response.json()["targets"] == [f"Medarbejder nr. {stranger.pk} findes ikke i din organisation."]


@pytest.mark.parametrize("body", ["{ikke json", "[1, 2", "\xff\xfe"])
def test_malformed_json_is_400_in_danish(personas, body):
    response = _client(personas, "manager").post(
        reverse("api:incident-list"), data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Forespørgslen kunne ikke læses.")


@pytest.mark.parametrize("body", ["[]", "42", '"tekst"', "null"])
def test_non_object_body_is_400(personas, body):
    response = _client(personas, "manager").post(
        reverse("api:incident-list"), data=body, content_type="application/json"
    )

    assert response.status_code == 400


def test_html_in_text_is_kept_as_data_and_never_rendered(personas):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = _client(personas, "manager")
    response = client.post(
        reverse("api:incident-list"),
        _create_payload(personas, title=script, description=script, publications=[{"platform": "x", "quote": script}]),
        format="json",
    )
    assert response.status_code == 201, response.content

    read = client.get(response["Location"], HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert read["Content-Type"] == "application/json"
    assert read["X-Content-Type-Options"] == "nosniff"
    body = read.json()
    assert body["title"] == body["description"] == body["publications"][0]["quote"] == script
    assert Incident.objects.get().title == script
    assert client.get(response["Location"], HTTP_ACCEPT="text/html").status_code == 406


# --- Evidence ---------------------------------------------------------------------------------------

UPLOAD_EXPECTED = {
    "manager": 201,
    "other_manager": 404,
    "caseworker": 201,
    "other_caseworker": 404,
    "union_rep": 404,
    "admin": 404,
    "outsider": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("name", ALL)
def test_upload_persona_matrix(personas, world, name):
    own = world["own"]
    response = _client(personas, name).post(
        reverse("api:incident-evidence", args=[own.reference]),
        {
            "file": SimpleUploadedFile("ny.png", _png("green")),
            "description": "Skærmbillede af opslaget",
            "captured_at": _ago(hours=1),
            "publication": own.publications.get().pk,
        },
        format="multipart",
    )

    assert response.status_code == UPLOAD_EXPECTED[name], response.content
    if response.status_code == 201:
        body = response.json()
        evidence = Evidence.objects.get(pk=body["id"])
        assert evidence.incident == own and evidence.uploaded_by == getattr(personas, name)
        assert body["kind"] == "image" and body["content_type"] == "image/png"
        assert body["description"] == "Skærmbillede af opslaget" and body["sha256"] == evidence.sha256
        assert body["publication"] == own.publications.get().pk
    else:
        assert Evidence.objects.count() == 2


def test_renamed_exe_is_refused_in_danish(personas, world):
    fake_png = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = _client(personas, "caseworker").post(
        reverse("api:incident-evidence", args=[world["own"].reference]),
        {"file": SimpleUploadedFile("billede.png", fake_png, content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {
        "file": ["«billede.png» blev afvist: det er et program eller anden kørbar kode, ikke dokumentation."]
    }
    assert Evidence.objects.count() == 2


def test_upload_validation_in_danish(personas, world, settings):
    url = reverse("api:incident-evidence", args=[world["own"].reference])
    client = _client(personas, "manager")

    missing = client.post(url, {"description": "uden fil"}, format="multipart")
    assert missing.status_code == 400 and missing.json() == {"file": ["Ingen medsendt fil."]}

    foreign = Publication.objects.create(incident=world["other"], platform="x")
    wrong_pub = client.post(
        url, {"file": SimpleUploadedFile("a.png", _png()), "publication": foreign.pk}, format="multipart"
    )
    assert wrong_pub.status_code == 400
    assert wrong_pub.json() == {"publication": ["Offentliggørelsen hører ikke til denne hændelse."]}

    future = client.post(
        url,
        {"file": SimpleUploadedFile("a.png", _png()), "captured_at": (timezone.now() + timedelta(days=2)).isoformat()},
        format="multipart",
    )
    assert future.status_code == 400 and future.json() == {"captured_at": [FUTURE_MESSAGE]}

    as_json = client.post(url, {"file": "ikke en fil"}, format="json")
    assert as_json.status_code == 415

    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    too_big = client.post(
        url, {"file": SimpleUploadedFile("stor.png", _png() + b"\x00" * (1024 * 1024 + 10))}, format="multipart"
    )
    assert too_big.status_code == 400
    assert too_big.json()["file"][0].startswith("«stor.png» er for stor.")
    assert Evidence.objects.count() == 2


def test_download_sends_the_original_bytes_safely(personas, world):
    kept = world["kept"]
    response = _client(personas, "caseworker").get(
        reverse("api:incident-evidence-download", args=[world["own"].reference, kept.pk]),
        HTTP_ACCEPT="application/octet-stream",
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _png()
    assert response["Content-Disposition"] == 'attachment; filename="skaermbillede.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "image/png"
    event = AuditEvent.objects.get(action="download")
    assert event.actor == personas.caseworker and event.details["sha256"] == kept.sha256


def test_active_content_is_downloaded_as_octet_stream(personas, world):
    page = evidence_store(
        actor=personas.manager,
        incident=world["own"],
        uploaded_file=SimpleUploadedFile("side.html", b"<!doctype html><script>alert(1)</script>"),
    )

    response = _client(personas, "manager").get(
        reverse("api:incident-evidence-download", args=[world["own"].reference, page.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_removed_or_foreign_evidence_is_404(personas, world):
    client = _client(personas, "manager")
    removed = client.get(reverse("api:incident-evidence-download", args=[world["own"].reference, world["removed"].pk]))
    foreign = client.get(reverse("api:incident-evidence-download", args=[world["other"].reference, world["kept"].pk]))

    assert removed.status_code == 404 and removed.json() == {"detail": "Filen er fjernet og kan ikke hentes."}
    assert foreign.status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_evidence_list_includes_tombstones(personas, world):
    response = _client(personas, "caseworker").get(reverse("api:incident-evidence", args=[world["own"].reference]))

    assert response.status_code == 200
    rows = response.json()
    assert [r["original_name"] for r in rows] == ["skaermbillede.png", "forkert.png"]
    assert rows[1]["removed_at"] and rows[1]["removal_reason"] == "Uploadet til forkert sag"
    assert rows[1]["download_url"] is None and rows[1]["sha256"] == world["removed"].sha256


@pytest.mark.parametrize("name", ["manager", "caseworker", "other_manager", "outsider", "anonymous"])
def test_options_and_unsupported_methods_never_fail(personas, world, name):
    ref = world["own"].reference
    client = _client(personas, name)
    urls = [
        reverse("api:incident-list"),
        _detail_url(world["own"]),
        reverse("api:incident-timeline", args=[ref]),
        reverse("api:incident-evidence", args=[ref]),
        reverse("api:incident-evidence-download", args=[ref, world["kept"].pk]),
        reverse("api:assessment-preview"),
    ]
    for url in urls:
        assert client.options(url).status_code in (200, 401, 404), url
        assert client.delete(url).status_code in (401, 404, 405), url
        assert client.head(url).status_code in (200, 401, 404, 405), url
    if name == "manager":
        assert client.options(_detail_url(world["own"])).json()["name"]


# --- Token authentication ----------------------------------------------------------------------------


def test_token_authentication(personas, world):
    token = api_token(personas.caseworker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    listed = client.get(reverse("api:incident-list"))
    hidden = client.get(_detail_url(world["other"]))
    patched = client.patch(_detail_url(world["own"]), {"title": "x"}, format="json")

    assert listed.status_code == 200
    assert [row["reference"] for row in listed.json()["results"]] == [world["own"].reference]
    assert hidden.status_code == 404
    assert patched.status_code == 403
    assert AuditEvent.objects.filter(actor=personas.caseworker, action="view").exists()


def test_token_lets_a_manager_register(personas):
    token = api_token(personas.manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.post(reverse("api:incident-list"), _create_payload(personas), format="json")

    assert response.status_code == 201
    assert Incident.objects.get().reporter == personas.manager


@pytest.mark.parametrize("header", ["Token forkert", "Token", "Token a b", "Bearer abc"])
def test_bad_token_is_401(personas, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(reverse("api:incident-list"))

    assert response.status_code == 401


def test_inactive_users_token_is_refused(personas):
    token = api_token(personas.manager)
    personas.manager.is_active = False
    personas.manager.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(reverse("api:incident-list")).status_code == 401


# --- Schema and docs ---------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    for path in (
        "/api/v1/incidents/",
        "/api/v1/incidents/{reference}/",
        "/api/v1/incidents/{reference}/evidence/",
        "/api/v1/incidents/{reference}/evidence/{evidence_id}/download/",
        "/api/v1/incidents/{reference}/timeline/",
        "/api/v1/assessment/preview/",
    ):
        assert f"  {path}:" in text


def test_schema_endpoint_serves_json(personas):
    response = _client(personas, "manager").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Udhængning API"
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    patch = schema["paths"]["/api/v1/incidents/{reference}/"]["patch"]
    assert "erstatter listen" in patch["description"]


def test_docs_page_has_no_inline_script(personas, client):
    client.force_login(personas.caseworker)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        assert body.strip() == "", "inline script body"
        assert 'src="' in attributes
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any(src.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/") for src in sources)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    init = next(src for src in sources if "script" in src.split("?", 1)[-1])
    init_response = client.get(init.replace("&amp;", "&"))
    assert init_response.status_code == 200
    assert init_response["Content-Type"].startswith("application/javascript")
