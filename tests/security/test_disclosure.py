"""A union rep reads a shared case through the page and through the API, and gets the same
(issue 26 item 1). The finding: for a shared case `/api/v1/incidents/{ref}/` and
`/timeline/` gave the rep the manager's action notes, the police journal number, the
status-change reasons, the perpetrator's name and URL and quotes, all hidden on the page.

Every field of the case carries a marker; a field the rep may read must show on the page and
in the API, a field they may not must show in neither."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import disclosure, services, sharing
from incidents.art14 import art14_record
from incidents.models import Note

pytestmark = pytest.mark.django_db

HIDDEN = {
    "action note": "AKTIONSNOTE-hemmelig",
    "external reference": "POL-4711-journal",
    "status reason": "STATUSBEGRUNDELSE-intern",
    "perpetrator name": "Gerningsperson Jensen",
    "perpetrator url": "https://example.com/gerningsperson-profil",
    "quote": "CITAT-ordret-hemmeligt",
    "publication title": "PUBTITEL-skjult",
    "internal note": "INTERN-NOTE-skjult",
    "shared note": "DELT-NOTE-skjult",
    "target names": "FRITEKST-navne",
}
SHOWN = {
    "title": "Opslag om Sara i gruppen",
    "description": "Opslaget kalder Sara en heks",
    "publication url": "https://facebook.com/groups/1/posts/2",
}


@pytest.fixture
def shared_case(personas):
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        targets=[personas.caseworker],
        fields={
            "title": SHOWN["title"],
            "description": SHOWN["description"],
            "discovered_at": timezone.now(),
            "offensive_language": True,
            "perpetrator_name": HIDDEN["perpetrator name"],
            "perpetrator_profile_url": HIDDEN["perpetrator url"],
            "target_names": HIDDEN["target names"],
        },
        publications=[
            {
                "platform": "facebook",
                "url": SHOWN["publication url"],
                "quote": HIDDEN["quote"],
                "title": HIDDEN["publication title"],
            }
        ],
    )
    services.incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=date.today(),
        note=HIDDEN["action note"],
        external_reference=HIDDEN["external reference"],
    )
    art14_record(actor=personas.manager, incident=incident, informed_on=date.today())  # closing needs it
    services.incident_change_status(
        actor=personas.manager, incident=incident, to_status="closed", reason=HIDDEN["status reason"]
    )
    services.note_add(
        actor=personas.manager, incident=incident, body=HIDDEN["internal note"], visibility=Note.Visibility.INTERNAL
    )
    services.note_add(
        actor=personas.manager, incident=incident, body=HIDDEN["shared note"], visibility=Note.Visibility.SHARED
    )
    sharing.incident_share(actor=personas.caseworker, incident=incident, union_rep=personas.union_rep)
    return incident


def _keys(data, prefix="") -> set[str]:
    """Every key path of a JSON answer (lists flattened)."""
    out = set()
    if isinstance(data, dict):
        for key, value in data.items():
            out.add(prefix + key)
            out |= _keys(value, prefix + key + ".")
    elif isinstance(data, list):
        for item in data:
            out |= _keys(item, prefix)
    return out


def test_the_reps_api_answer_has_exactly_the_shared_case_fields(client, personas, shared_case):
    client.force_login(personas.union_rep)
    detail = client.get(reverse("api:incident-detail", args=[shared_case.reference])).json()
    sets = disclosure.SHARED_CASE
    assert set(detail) == sets.incident
    assert {key for p in detail["publications"] for key in p} == sets.publication
    assert {key for e in detail["timeline"] for key in e} == sets.timeline
    assert {key for p in detail["targets"] for key in p} == sets.person
    timeline = client.get(reverse("api:incident-timeline", args=[shared_case.reference])).json()
    assert {key for e in timeline for key in e} == sets.timeline
    assert not {
        "notes",
        "assessment",
        "perpetrator_name",
        "perpetrator_profile_url",
        "reporter",
        "target_names",
    } & _keys(detail)


def test_the_page_and_the_api_show_the_rep_the_same_and_nothing_hidden(client, personas, shared_case):
    client.force_login(personas.union_rep)
    page = client.get(reverse("incidents:detail", args=[shared_case.reference])).content.decode()
    answers = [
        client.get(reverse(name, args=[shared_case.reference])).content.decode()
        for name in ("api:incident-detail", "api:incident-timeline")
    ]
    api = json.dumps([json.loads(a) for a in answers], ensure_ascii=False)
    for what, text in HIDDEN.items():
        assert text not in page, f"page shows the {what}"
        assert text not in api, f"API gives the {what}"
    detail = json.loads(answers[0])
    for what, text in SHOWN.items():
        assert text in page and text in api, what
    # Field by field: every value the API gives the rep is on the page.
    assert detail["reference"] in page and detail["unit"]["name"] in page
    assert detail["status_label"] in page and detail["level_label"] in page
    for person in detail["targets"]:
        assert person["name"] in page
    for entry in detail["timeline"]:
        if entry["kind"] == "action":
            assert entry["action_title"] in page or entry["action_code"] in page
        if entry["kind"] == "status":
            assert entry["to_status"] in {"in_progress", "reported", "assessing", "closed"}


def test_the_manager_and_the_employee_still_read_what_their_pages_show(client, personas, shared_case):
    client.force_login(personas.manager)
    manager = client.get(reverse("api:incident-detail", args=[shared_case.reference])).json()
    assert manager["perpetrator_name"] == HIDDEN["perpetrator name"]
    assert any(e["external_reference"] == HIDDEN["external reference"] for e in manager["timeline"])
    assert {n["body"] for n in manager["notes"]} == {HIDDEN["internal note"], HIDDEN["shared note"]}
    client.force_login(personas.caseworker)
    employee = client.get(reverse("api:incident-detail", args=[shared_case.reference])).json()
    assert {n["body"] for n in employee["notes"]} == {HIDDEN["shared note"]}
