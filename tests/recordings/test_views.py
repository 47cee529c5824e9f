"""Recording request pages: who may open what, registering with the suggestion, the CPR
check in the form, the manager's review, hidden recordings and the incident link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from recordings.cpr import MASK
from recordings.models import RecordingRequest
from tests.incidents.test_manager_views import register as register_incident
from tests.recordings.conftest import (
    ESCAPED_SCRIPT,
    PERSONA_NAMES,
    SCRIPT,
    assert_login_redirect,
    login,
    text,
)

pytestmark = pytest.mark.django_db

REGISTRARS = {
    "manager": 200,
    "other_manager": 200,
    "caseworker": 200,
    "other_caseworker": 200,
    "union_rep": 404,
    "admin": 404,
    "outsider": 404,
}


def form_data(personas, **overrides) -> dict:
    data = {
        "unit": personas.family.pk,
        "request_date": timezone.localdate().isoformat(),
        "media": "audio",
        "setting": "meeting",
        "reasons": ["memory_problems"],
        "free_text": "Borgeren siger, at hun glemmer det meste efter møderne.",
        "decision": "allowed",
        "conditions": "",
        "justification": "Borgeren har dokumenterede hukommelsesproblemer.",
        "hidden_recording_note": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- Who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("url_name", ["recordings:list", "recordings:create"])
def test_list_and_form_are_for_caseworkers_and_managers(client, personas, name, url_name):
    response = login(client, personas, name).get(reverse(url_name))
    assert response.status_code == REGISTRARS[name]


@pytest.mark.parametrize(
    "url_name", ["recordings:list", "recordings:create", "recordings:overview", "recordings:guideline"]
)
def test_anonymous_is_sent_to_sign_in(client, personas, url_name):
    assert_login_redirect(client.get(reverse(url_name)))


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_suggest_endpoint_is_for_those_who_register(client, personas, guideline, name):
    response = login(client, personas, name).post(
        reverse("recordings:suggest"), {"reasons": ["memory_problems"]}, content_type="application/json"
    )
    assert response.status_code == REGISTRARS[name]
    if response.status_code == 200:
        assert response.json()["decision"] == "allowed"


def test_suggest_endpoint_anonymous_and_get(client, personas):
    assert_login_redirect(client.post(reverse("recordings:suggest"), {}, content_type="application/json"))
    client.force_login(personas.caseworker)
    assert client.get(reverse("recordings:suggest")).status_code == 405


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 200),
        ("other_manager", 404),
        ("caseworker", 200),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_detail_for_the_registrant_and_the_units_managers(client, personas, make_request, name, expected):
    rr = make_request(free_text="Borgeren glemmer aftaler")
    response = login(client, personas, name).get(reverse("recordings:detail", args=[rr.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Borgeren glemmer aftaler" in text(response)
    else:
        assert "Borgeren glemmer aftaler" not in text(response)


def test_detail_anonymous(client, personas, make_request):
    assert_login_redirect(client.get(reverse("recordings:detail", args=[make_request().pk])))


def test_caseworker_does_not_see_a_colleagues_request(client, personas, make_request):
    from tests.factories import member

    colleague = member(personas.family, "caseworker", username="colleague")
    rr = make_request(actor=colleague)
    client.force_login(personas.caseworker)
    assert client.get(reverse("recordings:detail", args=[rr.pk])).status_code == 404
    assert rr.reference not in text(client.get(reverse("recordings:list")))


def test_caseworker_loses_access_with_the_membership(client, personas, make_request):
    rr = make_request()
    personas.caseworker.memberships.all().delete()
    client.force_login(personas.caseworker)
    assert client.get(reverse("recordings:detail", args=[rr.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 302),
        ("other_manager", 404),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_review_only_by_the_units_managers(client, personas, make_request, name, expected):
    rr = make_request()
    response = login(client, personas, name).post(reverse("recordings:review", args=[rr.pk]), {"review_note": "Enig"})
    assert response.status_code == expected
    rr.refresh_from_db()
    assert rr.is_reviewed == (expected == 302)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 302),
        ("other_manager", 404),
        ("caseworker", 302),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_hidden_recording_by_the_registrant_and_managers(client, personas, make_request, name, expected):
    rr = make_request()
    response = login(client, personas, name).post(
        reverse("recordings:hidden", args=[rr.pk]), {"note": "Telefonen lå og optog på bordet"}
    )
    assert response.status_code == expected
    rr.refresh_from_db()
    assert rr.hidden_recording_discovered == (expected == 302)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 302),
        ("other_manager", 404),
        ("caseworker", 302),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_incident_link_by_the_registrant_and_managers(client, personas, make_request, name, expected):
    rr = make_request()
    incident = register_incident(personas, audio_published=True)  # the caseworker is its target
    response = login(client, personas, name).post(
        reverse("recordings:link_incident", args=[rr.pk]), {"reference": incident.reference}
    )
    assert response.status_code == expected
    rr.refresh_from_db()
    assert (rr.incident_id == incident.pk) == (expected == 302)


@pytest.mark.parametrize("url_name", ["recordings:review", "recordings:hidden", "recordings:link_incident"])
def test_changes_need_post_and_sign_in(client, personas, make_request, url_name):
    rr = make_request()
    assert_login_redirect(client.post(reverse(url_name, args=[rr.pk]), {}))
    client.force_login(personas.manager)
    assert client.get(reverse(url_name, args=[rr.pk])).status_code == 405


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 200),
        ("other_manager", 200),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_overview_for_managers_only(client, personas, name, expected):
    assert login(client, personas, name).get(reverse("recordings:overview")).status_code == expected


# --- Registering --------------------------------------------------------------------------------


def test_register_saves_the_request_with_the_suggestion_and_audits_it(client, personas, guideline):
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:create"), form_data(personas))
    rr = RecordingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recordings:detail", args=[rr.pk])
    assert rr.unit == personas.family
    assert rr.registered_by == personas.caseworker == rr.decided_by
    assert rr.reasons == ("memory_problems",)
    assert (rr.suggested_decision, rr.decision) == ("allowed", "allowed")
    assert rr.guideline == guideline
    event = AuditEvent.objects.filter(action="create", object_type="recordings.recordingrequest").get()
    assert event.details["reasons"] == ["memory_problems"]
    assert "glemmer" not in str(event.details)  # codes only, never the free text

    page = text(client.get(response["Location"]))
    assert "Problemer med hukommelsen" in page
    assert "Tilladt" in page
    assert "Problemer med hukommelsen er en saglig begrundelse" in page  # the guideline's passage
    assert AuditEvent.objects.filter(action="view", object_id=str(rr.pk)).exists()


def test_caseworker_cannot_register_in_another_unit(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:create"), form_data(personas, unit=personas.jobcenter.pk))
    assert response.status_code == 200
    assert not RecordingRequest.objects.exists()
    assert "Du kan ikke registrere anmodninger i den enhed." in text(response)


def test_manager_chooses_among_the_units_below(client, personas, guideline):
    client.force_login(personas.manager)
    page = text(client.get(reverse("recordings:create")))
    for unit in ("Socialforvaltning", "Børn og Familie", "Team Nord", "Jobcenter"):
        assert unit in page
    client.post(reverse("recordings:create"), form_data(personas, unit=personas.team.pk))
    assert RecordingRequest.objects.get().unit == personas.team


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reasons": None}, "reasons", "Vælg mindst én grund"),
        ({"decision": None}, "decision", "Vælg, om optagelsen er tilladt"),
        ({"justification": ""}, "justification", "Skriv en begrundelse for afgørelsen"),
        ({"decision": "allowed_with_conditions"}, "conditions", "Skriv de vilkår"),
        ({"reasons": ["other"], "free_text": ""}, "free_text", "Beskriv den anden grund"),
        (
            {"request_date": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "request_date",
            "kan ikke ligge i fremtiden",
        ),
    ],
)
def test_form_errors_in_danish_keep_what_was_typed(client, personas, overrides, field, message):
    client.force_login(personas.caseworker)
    data = form_data(personas, **{"free_text": "Særlig forklaring fra borgeren", **overrides})
    response = client.post(reverse("recordings:create"), data)
    page = text(response)
    assert response.status_code == 200
    assert not RecordingRequest.objects.exists()
    assert "Anmodningen er ikke gemt endnu" in page
    assert message in page
    if data.get("free_text"):
        assert "Særlig forklaring fra borgeren" in page


@pytest.mark.parametrize("field", ["free_text", "justification", "conditions", "hidden_recording_note"])
def test_cpr_number_is_refused_never_stored_and_not_sent_back(client, personas, field):
    client.force_login(personas.caseworker)
    typed = "Borgeren 010190-1234 husker dårligt"
    data = form_data(personas, **{field: typed})
    if field == "conditions":
        data["decision"] = "allowed_with_conditions"
    response = client.post(reverse("recordings:create"), data)
    page = text(response)
    assert response.status_code == 200
    assert not RecordingRequest.objects.exists()
    assert "010190-1234" not in page
    assert f"Borgeren {MASK} husker dårligt" in page
    assert "ser ud til at indeholde et CPR-nummer" in page
    assert "Borgeren har dokumenterede hukommelsesproblemer." in page or field == "justification"


def test_near_miss_numbers_are_saved(client, personas):
    client.force_login(personas.caseworker)
    typed = "Ring på 12 34 56 78 efter mødet 12-05-2024 om UDH-2026-0042"
    client.post(reverse("recordings:create"), form_data(personas, free_text=typed))
    assert RecordingRequest.objects.get().free_text == typed


def test_show_suggestion_without_javascript_saves_nothing(client, personas, guideline):
    client.force_login(personas.caseworker)
    data = form_data(
        personas,
        decision=None,
        justification="",
        preview="1",
        reasons=["distrust", "wants_documentation"],
        free_text="Vil have bevis 0101901234",
    )
    response = client.post(reverse("recordings:create"), data)
    page = text(response)
    assert not RecordingRequest.objects.exists()
    assert "Afslået" in page
    assert "ikke i sig selv en saglig begrundelse" in page
    assert "bisidder" in page
    assert "Anmodningen er ikke gemt endnu" not in page  # no error messages on a preview
    assert "0101901234" not in page
    assert f"Vil have bevis {MASK}" in page
    assert 'value="distrust" checked' in page or 'checked value="distrust"' in page or "distrust" in page


def test_suggestion_shown_again_after_a_failed_submit(client, personas, guideline):
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:create"), form_data(personas, justification="", media="video"))
    page = text(response)
    assert "Tilladt med vilkår" in page
    assert "Video er mere indgribende" in page


def test_free_text_is_escaped_everywhere(client, personas, make_request):
    rr = make_request(free_text=SCRIPT, justification=SCRIPT)
    client.force_login(personas.manager)
    page = text(client.get(reverse("recordings:detail", args=[rr.pk])))
    assert SCRIPT not in page
    assert ESCAPED_SCRIPT in page


# --- The JSON endpoint ----------------------------------------------------------------------------


def test_suggest_json_carries_the_passages_as_plain_data(client, personas, guideline):
    client.force_login(personas.caseworker)
    body = client.post(
        reverse("recordings:suggest"),
        {"reasons": ["memory_problems", "publish_intent"], "media": "video"},
        content_type="application/json",
    ).json()
    assert body["decision"] == "allowed_with_conditions"
    assert body["label"] == "Tilladt med vilkår"
    assert [r["code"] for r in body["reasons"]] == ["memory_problems", "publish_intent"]
    assert [p["key"] for p in body["passages"]] == ["memory_problems", "publish_intent", "video"]
    assert body["passages"][0]["blocks"][0]["kind"] == "paragraph"
    assert body["guideline"]["url"] == reverse("recordings:guideline_version", args=[guideline.pk])


def test_suggest_without_guideline_still_suggests(client, personas):
    client.force_login(personas.caseworker)
    body = client.post(reverse("recordings:suggest"), {"reasons": []}, content_type="application/json").json()
    assert body["decision"] == "refused"
    assert body["passages"] == [] and body["guideline"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reasons": ["memory"]}, "reasons"),
        ({"reasons": "memory_problems"}, "reasons"),
        ({"reasons": [], "media": "film"}, "media"),
        ({"reasons": [], "unit": 999999}, "unit"),
        ([1, 2], "body"),
    ],
)
def test_suggest_bad_input_answers_400_naming_the_field(client, personas, payload, field):
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:suggest"), payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_suggest_refuses_broken_json(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:suggest"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_suggest_unit_of_another_caseworker_is_refused(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("recordings:suggest"), {"reasons": [], "unit": personas.jobcenter.pk}, content_type="application/json"
    )
    assert response.status_code == 400


# --- List ----------------------------------------------------------------------------------------


def test_caseworker_list_shows_own_requests_and_is_audited(client, personas, make_request):
    mine = make_request()
    other = make_request(actor=personas.other_caseworker, unit=personas.jobcenter)
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("recordings:list")))
    assert mine.reference in page and other.reference not in page
    assert "Filtrér anmodninger" not in page  # filters are the manager's
    event = AuditEvent.objects.filter(action="view", object_type="recordings.recordingrequest").latest("id")
    assert event.details["ids"] == [mine.pk]


def test_manager_list_filters(client, personas, make_request):
    allowed = make_request()
    refused = make_request(reasons=["publish_intent"], decision="refused", justification="Ingen saglig grund")
    job = make_request(
        actor=personas.other_caseworker, unit=personas.jobcenter, reasons=["distrust"], decision="refused"
    )
    client.force_login(personas.manager)
    page = text(client.get(reverse("recordings:list")))
    assert all(r.reference in page for r in (allowed, refused, job))

    page = text(client.get(reverse("recordings:list"), {"decision": "refused"}))
    assert refused.reference in page and job.reference in page and f">{allowed.reference}<" not in page
    page = text(client.get(reverse("recordings:list"), {"unit": personas.jobcenter.pk}))
    assert job.reference in page and f">{refused.reference}<" not in page
    page = text(client.get(reverse("recordings:list"), {"reason": "publish_intent"}))
    assert refused.reference in page and f">{job.reference}<" not in page

    client.force_login(personas.other_manager)
    page = text(client.get(reverse("recordings:list")))
    assert job.reference in page and f">{allowed.reference}<" not in page
    response = client.get(reverse("recordings:list"), {"unit": personas.family.pk})
    assert "Marker en gyldig valgmulighed" in text(response)


def test_list_query_count_is_constant(client, personas, make_request, django_assert_max_num_queries):
    for _ in range(3):
        make_request()
    client.force_login(personas.manager)
    client.get(reverse("recordings:list"))
    with django_assert_max_num_queries(17):
        client.get(reverse("recordings:list"))
    for _ in range(10):
        make_request(reasons=["distrust"], decision="refused")
    with django_assert_max_num_queries(17):
        client.get(reverse("recordings:list"))


def test_detail_query_count(client, personas, make_request, guideline, django_assert_max_num_queries):
    rr = make_request()
    client.force_login(personas.manager)
    with django_assert_max_num_queries(18):
        client.get(reverse("recordings:detail", args=[rr.pk]))


# --- Review, hidden recording, incident link ------------------------------------------------------


def test_manager_review_is_shown_and_audited(client, personas, make_request):
    rr = make_request()
    client.force_login(personas.manager)
    response = client.post(reverse("recordings:review", args=[rr.pk]), {"review_note": "Fin vurdering"})
    assert response.status_code == 302
    rr.refresh_from_db()
    assert rr.reviewed_by == personas.manager and rr.review_note == "Fin vurdering"
    assert AuditEvent.objects.filter(action="update", object_id=str(rr.pk)).exists()
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("recordings:detail", args=[rr.pk])))
    assert "Fin vurdering" in page and "Gennemgået af Mette Leder" in page
    assert "Markér som gennemgået" not in page and "Opdatér gennemgang" not in page


def test_review_note_with_cpr_is_refused(client, personas, make_request):
    rr = make_request()
    client.force_login(personas.manager)
    response = client.post(reverse("recordings:review", args=[rr.pk]), {"review_note": "Se 311299 1234"})
    assert response.status_code == 200
    assert "311299 1234" not in text(response)
    assert f"Se {MASK}" in text(response)
    rr.refresh_from_db()
    assert not rr.is_reviewed


def test_hidden_recording_needs_a_note(client, personas, make_request):
    rr = make_request()
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:hidden", args=[rr.pk]), {"note": ""})
    assert "Skriv kort, hvad der skete." in text(response)
    client.post(reverse("recordings:hidden", args=[rr.pk]), {"note": "Optog i lommen"})
    rr.refresh_from_db()
    assert rr.hidden_recording_discovered and rr.hidden_recording_note == "Optog i lommen"


def test_incident_link_only_to_visible_incidents(client, personas, make_request):
    rr = make_request()
    hidden = register_incident(
        personas, unit=personas.jobcenter, targets=[personas.other_caseworker], actor=personas.manager
    )
    client.force_login(personas.caseworker)
    response = client.post(reverse("recordings:link_incident", args=[rr.pk]), {"reference": hidden.reference})
    assert response.status_code == 200
    assert "som du har adgang til" in text(response)
    rr.refresh_from_db()
    assert rr.incident is None


def test_linked_incident_shows_only_to_those_who_may_see_it(client, personas, make_request):
    rr = make_request(actor=personas.manager, unit=personas.jobcenter)
    incident = register_incident(personas, unit=personas.jobcenter, targets=[], video_published=True)
    client.force_login(personas.manager)
    response = client.post(reverse("recordings:link_incident", args=[rr.pk]), {"reference": incident.reference.lower()})
    assert response.status_code == 302
    page = text(client.get(reverse("recordings:detail", args=[rr.pk])))
    assert reverse("incidents:detail", args=[incident.reference]) in page
    event = AuditEvent.objects.filter(incident_reference=incident.reference, object_type="recordings.recordingrequest")
    assert event.exists()

    client.force_login(personas.other_manager)  # manages Jobcenter: sees both
    assert incident.reference in text(client.get(reverse("recordings:detail", args=[rr.pk])))

    client.post(reverse("recordings:link_incident", args=[rr.pk]), {"remove": "1"})
    rr.refresh_from_db()
    assert rr.incident is None


def test_unlinking_needs_access_to_the_incident(client, personas, make_request):
    from recordings import services

    rr = make_request()
    incident = register_incident(personas, unit=personas.jobcenter, targets=[])
    services.recording_request_link_incident(actor=personas.manager, recording_request=rr, incident=incident)
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("recordings:detail", args=[rr.pk])))
    assert incident.reference not in page
    assert client.post(reverse("recordings:link_incident", args=[rr.pk]), {"remove": "1"}).status_code == 404
    rr.refresh_from_db()
    assert rr.incident == incident


def test_pages_send_a_strict_csp_and_no_inline_script(client, personas, make_request, guideline):
    rr = make_request()
    client.force_login(personas.manager)
    for url in (
        reverse("recordings:create"),
        reverse("recordings:detail", args=[rr.pk]),
        reverse("recordings:list"),
        reverse("recordings:overview"),
        reverse("recordings:guideline"),
    ):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        page = text(response)
        assert "<script>" not in page and " style=" not in page and " onclick=" not in page
