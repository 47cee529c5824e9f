"""The note for the citizen's case file on a recording decision (offentlighedsloven § 13), and the default
guideline without unconditional bans on sharing or publishing (LEGAL-REVIEW.md F 34–36)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from demo import recordings as demo
from recordings.suggest import ADVICE_OWN_USE, ADVICE_VIDEO_CONSENT, RequestFacts, suggest
from tests.recordings.conftest import PERSONA_NAMES, login

pytestmark = pytest.mark.django_db

BANS = re.compile(r"må ikke offentliggøres uden|deles ikke med andre|må ikke deles med andre", re.IGNORECASE)


def _request(make_request):
    return make_request(
        reasons=("memory_problems", "publish_intent"),
        media="video",
        decision="allowed_with_conditions",
        conditions="Kun lyd; borgeren siger til, når optagelsen starter.",
        justification="Borgeren har en hjerneskade og husker dårligt, hvad der bliver sagt.",
    )


def test_the_note_gives_the_assessment_and_its_reasons_as_text_and_pdf(client, personas, guideline, make_request):
    rr = _request(make_request)
    login(client, personas, "caseworker")
    page = client.get(reverse("recordings:detail", args=[rr.pk])).content.decode()
    assert reverse("recordings:note_pdf", args=[rr.pk]) in page and "notatpligt" in page

    response = client.get(reverse("recordings:note_text", args=[rr.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for expected in (
        "NOTAT OM ANMODNING OM OPTAGELSE",
        rr.reference,
        "Tilladt med vilkår",
        "Kun lyd; borgeren siger til",
        "Borgeren har en hjerneskade og husker dårligt",
        "Videooptagelse",
        "FOB 2005.578",
        "DUKH",
        "Praksisnyt 54",
        "§ 13, stk. 1",
        "Borgerens sag (journalnummer)",
        guideline.title,
    ):
        assert expected in text, expected

    pdf = client.get(reverse("recordings:note_pdf", args=[rr.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with open("/tmp/i16-note.pdf", "wb") as handle:  # for a person to look at
        handle.write(pdf.content)
    reader = PdfReader(io.BytesIO(pdf.content))
    pdf_text = " ".join((p.extract_text() or "") for p in reader.pages)
    flat = re.sub(r"\s+", " ", pdf_text)
    for expected in (
        "Notat om anmodning om optagelse",
        rr.reference,
        "Borgeren har en hjerneskade",
        "FOB 2005.578",
        "Praksisnyt 54",
        "notatpligt",
    ):
        assert expected in flat, expected
    downloads = AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD, object_id=str(rr.pk), summary__contains="Notat"
    )
    assert sorted(e.details["format"] for e in downloads) == ["pdf", "txt"]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_only_who_may_open_the_request_gets_the_note(client, personas, guideline, make_request, persona):
    rr = _request(make_request)
    login(client, personas, persona)
    allowed = persona in ("caseworker", "manager")
    for name in ("recordings:note_text", "recordings:note_pdf"):
        response = client.get(reverse(name, args=[rr.pk]))
        assert response.status_code == (200 if allowed else 404), (persona, name)


def test_the_default_guideline_and_the_advice_state_no_unconditional_ban(personas):
    texts = [demo.DEFAULT_BODY, *demo.DEFAULT_PASSAGES.values(), str(ADVICE_OWN_USE), str(ADVICE_VIDEO_CONSENT)]
    for facts in (
        RequestFacts.of(["memory_problems", "publish_intent"], "video"),
        RequestFacts.of(["language_barrier"]),
    ):
        suggestion = suggest(facts)
        texts += [str(suggestion.explanation), *map(str, suggestion.advice)]
    assert not [t for t in texts if BANS.search(t)]
    assert "FOB 2005.578" in demo.DEFAULT_BODY and "Praksisnyt 54" in demo.DEFAULT_BODY
    assert "som udgangspunkt offentliggøre en lydoptagelse" in demo.DEFAULT_BODY


def test_the_note_carries_nothing_of_the_linked_incident_or_the_employee(client, personas, guideline, make_request):
    """The note goes to the citizen's case file: a linked incident about the employee (its
    reference, title, description, the employee's name, sick leave, the perpetrator, internal
    notes) stays in this system."""
    from incidents import services as incident_services
    from recordings import services
    from tests.incidents.test_manager_views import register as register_incident

    incident = register_incident(
        personas,
        title="Videoklip fra mødet lagt på YouTube",
        video_published=True,
        description="Borgeren har lagt en optagelse af mødet ud og skrevet MARKØR-BESKRIVELSE om medarbejderen.",
        perpetrator_name="Hans Borgersen",
        absence_days=12,
    )
    incident_services.note_add(
        actor=personas.manager,
        incident=incident,
        visibility="internal",
        body="Intern note: MARKØR-NOTE, medarbejderen er sygemeldt med stress.",
    )
    # decided by the manager (the note names who decided); the caseworker is the incident's target
    rr = make_request(
        actor=personas.manager,
        media="video",
        decision="allowed",
        justification="Borgeren husker dårligt, hvad der bliver sagt.",
    )
    services.recording_request_link_incident(actor=personas.manager, recording_request=rr, incident=incident)
    login(client, personas, "manager")

    text = client.get(reverse("recordings:note_text", args=[rr.pk])).content.decode()
    pdf = client.get(reverse("recordings:note_pdf", args=[rr.pk])).content
    flat = re.sub(r"\s+", " ", " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages))
    for document in (text, flat):
        assert rr.reference in document  # the note itself is there
        for absent in (
            incident.reference,
            "Videoklip fra mødet",
            "MARKØR-BESKRIVELSE",
            "MARKØR-NOTE",
            "sygemeldt",
            "stress",
            "Hans Borgersen",
            "sygefravær",
            personas.caseworker.get_full_name(),
            personas.caseworker.last_name,
        ):
            assert absent not in document, absent
