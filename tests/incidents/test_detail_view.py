"""The incident page: the whole case for managers, the employee's own view otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from incidents.models import Evidence
from tests.incidents.test_manager_views import SCRIPT, register, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    """A threat on Facebook against the caseworker, with notes, an action and evidence."""
    incident = register(
        personas,
        title="Trussel på Facebook",
        description="Borgeren skriver, at han ved hvor hun bor.",
        threat=True,
        private_details=True,
        named=True,
        perpetrator_relation="citizen_own_case",
        perpetrator_name="Ole Opslag",
        perpetrator_profile_url="https://www.facebook.com/ole.opslag",
        absence_days=3,
        psychological_harm=True,
        publications=[
            {
                "platform": "facebook",
                "url": "https://www.facebook.com/groups/1/posts/2",
                "quote": "Jeg ved hvor du bor",
                "audience_size": 1200,
            }
        ],
    )
    services.note_add(
        actor=personas.manager, incident=incident, body="Intern: borgeren er kendt af politiet", visibility="internal"
    )
    services.note_add(
        actor=personas.manager, incident=incident, body="Vi har bedt Facebook fjerne opslaget", visibility="shared"
    )
    services.incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=timezone.localdate(),
        external_reference="FB-ticket-991",
    )
    _evidence(incident, personas.manager, "skaermbillede.png")
    removed = _evidence(incident, personas.manager, "forkert-fil.pdf")
    services.evidence_remove(actor=personas.manager, evidence=removed, reason="Forkert sag")
    return incident


def _evidence(incident, actor, name):
    return Evidence.objects.create(
        incident=incident,
        original_name=name,
        content_type="image/png",
        kind=Evidence.Kind.IMAGE,
        size=10,
        sha256="a" * 64,
        uploaded_by=actor,
        file="",
    )


def _url(incident):
    return reverse("incidents:detail", args=[incident.reference])


@pytest.mark.parametrize(
    ("name", "expected", "template"),
    [
        ("manager", 200, "incidents/detail.html"),
        ("other_manager", 404, None),
        ("caseworker", 200, "incidents/detail_employee.html"),  # the employee concerned
        ("other_caseworker", 404, None),
        ("union_rep", 404, None),
        ("admin", 404, None),
        ("outsider", 404, None),
    ],
)
def test_who_may_open_the_incident(client, personas, case, name, expected, template):
    client.force_login(getattr(personas, name))
    response = client.get(_url(case))
    assert response.status_code == expected
    if template:
        assert template in [t.name for t in response.templates]
        assert case.title in text(response)


def test_anonymous_is_sent_to_sign_in(client, personas, case):
    response = client.get(_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_manager_sees_their_own_units_incident(client, personas):
    incident = register(personas, unit=personas.jobcenter, targets=[personas.other_caseworker])
    client.force_login(personas.other_manager)
    assert client.get(_url(incident)).status_code == 200
    client.force_login(personas.manager)  # the manager above Jobcenter sees it too
    assert client.get(_url(incident)).status_code == 200


def test_detail_is_get_only(client, personas, case):
    client.force_login(personas.manager)
    assert client.post(_url(case)).status_code == 405


def test_manager_sees_the_whole_case_at_a_glance(client, personas, case):
    client.force_login(personas.manager)
    response = client.get(_url(case))
    page = text(response)
    header = page[page.index("<header") : page.index("</header>")]
    for expected in (
        case.reference,
        "Trussel på Facebook",
        "Handling iværksat",
        "Kritisk",
        "Børn og Familie",
        personas.caseworker.get_full_name(),
    ):
        assert expected in header, expected
    # Facts
    assert "Borgeren skriver, at han ved hvor hun bor." in page
    assert "Oplysninger om private forhold" in page
    assert "Borger i egen sag: Ole Opslag" in page
    assert 'href="https://www.facebook.com/ole.opslag"' in page
    assert "3 sygedage" in page
    # Publications
    assert "https://www.facebook.com/groups/1/posts/2" in page and "Jeg ved hvor du bor" in page
    assert "ca. 1200" in page
    # Assessment summary
    assessment = page[page.index('id="vurdering"') : page.index('id="dokumentation"')]
    assert '<span class="level-pill level-4">Kritisk</span>' in assessment
    assert "Beregnet – ikke bekræftet endnu" in assessment
    assert "Straffeloven § 266: trusler" in assessment
    assert "Anmeld til politiet inden 72 timer" in assessment
    # Next step first (issue 17): the urgent block opens the page, before the facts
    urgent = page[page.index('id="akut"') : page.index('id="naeste-skridt"')]
    assert page.index('id="akut"') < page.index('id="oplysninger"')
    assert "Ved akut fare: ring 112" in urgent and "Politianmeldelse ved arbejdsgiveren" in urgent
    assert urgent.index("ring 112") < urgent.index("Politianmeldelse ved arbejdsgiveren")
    # Evidence, including the tombstone of the removed file
    assert [e.original_name for e in response.context["evidence_list"]] == ["skaermbillede.png", "forkert-fil.pdf"]
    assert response.context["evidence_list"][1].is_removed
    assert "skaermbillede.png" in page and "forkert-fil.pdf" in page
    assert response.context["may_add_evidence"] and response.context["may_remove_evidence"]
    # Timeline with actors, internal entries marked
    timeline = page[page.index('id="tidslinje"') : page.index("<aside")]
    assert "Send en anmeldelse af ulovligt indhold til platformen" in timeline and "FB-ticket-991" in timeline
    assert "Status: Indberettet → Handling iværksat" in timeline
    assert personas.manager.get_full_name() in timeline
    assert "Intern" in timeline
    assert "Forkert sag" in timeline
    # Notes and forms
    assert "Intern: borgeren er kendt af politiet" in page
    assert "Vi har bedt Facebook fjerne opslaget" in page
    for action in ("status", "action", "note"):
        assert f'action="{reverse(f"incidents:{action}", args=[case.reference])}"' in page
    assert f'href="{reverse("incidents:edit", args=[case.reference])}"' in page


def test_status_form_offers_only_allowed_transitions(client, personas, case):
    client.force_login(personas.manager)
    choices = [code for code, _ in client.get(_url(case)).context["status_form"].fields["to_status"].choices]
    assert choices == ["", "closed"]


def test_employee_never_gets_internal_notes_or_entries(client, personas, case):
    client.force_login(personas.caseworker)
    response = client.get(_url(case))
    context = response.context
    page = text(response)
    assert "internal_notes" not in context
    assert [note.body for note in context["shared_notes"]] == ["Vi har bedt Facebook fjerne opslaget"]
    assert all(entry.visible_to_employee for entry in context["timeline"])
    assert "Intern: borgeren er kendt af politiet" not in page
    assert "Vi har bedt Facebook fjerne opslaget" in page
    assert context["may_add_evidence"] is True and context["may_remove_evidence"] is False
    assert "status_form" not in context
    assert reverse("incidents:status", args=[case.reference]) not in page
    assert reverse("incidents:edit", args=[case.reference]) not in page


def test_internal_edit_entry_is_hidden_from_the_employee(client, personas, case):
    services.incident_update(actor=personas.manager, incident=case, fields={"title": "Ny overskrift"})
    client.force_login(personas.caseworker)
    kinds = [entry.kind for entry in client.get(_url(case)).context["timeline"]]
    assert "edited" not in kinds and "registered" in kinds


@pytest.mark.parametrize("name", ["manager", "caseworker"])
def test_every_view_is_audited(client, personas, case, name):
    user = getattr(personas, name)
    client.force_login(user)
    before = AuditEvent.objects.count()
    client.get(_url(case))
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor, event.incident_reference) == ("view", user, case.reference)


def test_hidden_incident_is_not_audited_as_viewed(client, personas, case):
    client.force_login(personas.other_caseworker)
    client.get(_url(case))
    assert not AuditEvent.objects.filter(action="view", actor=personas.other_caseworker).exists()


def test_text_is_escaped_everywhere(client, personas):
    incident = register(
        personas,
        title=SCRIPT,
        description=SCRIPT,
        perpetrator_name=SCRIPT,
        target_names=SCRIPT,
        perpetrator_profile_url="javascript:alert(1)",
        publications=[{"platform": "other", "url": "javascript:alert(1)", "quote": SCRIPT}],
    )
    services.note_add(actor=personas.manager, incident=incident, body=SCRIPT, visibility="shared")
    for name in ("manager", "caseworker"):
        client.force_login(getattr(personas, name))
        page = text(client.get(_url(incident)))
        assert SCRIPT not in page
        # A link that is not http(s) (saved by some other route) is shown as text, never as a link.
        assert 'href="javascript:' not in page


@pytest.mark.parametrize("name", ["manager", "caseworker"])
def test_detail_query_count_does_not_grow_with_the_case(client, personas, name, django_assert_max_num_queries):
    small = register(personas, publications=[{"platform": "facebook"}])
    big = register(personas, publications=[{"platform": "facebook"}] * 12)
    for number in range(10):
        services.note_add(
            actor=personas.manager,
            incident=big,
            body=f"Note {number}",
            visibility="shared" if number % 2 else "internal",
        )
        services.incident_record_action(
            actor=personas.manager,
            incident=big,
            action_code="secure_evidence",
            occurred_on=timezone.localdate() - timedelta(days=1),
        )
        _evidence(big, personas.manager, f"fil-{number}.png")
    client.force_login(getattr(personas, name))
    client.get(_url(small))
    with CaptureQueriesContext(connection) as baseline:
        client.get(_url(small))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(_url(big))
    assert len(response.context["publications"]) == 12
