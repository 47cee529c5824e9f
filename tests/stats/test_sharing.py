"""Issue 7.5: an employee shares one of their incidents with a named union rep of their unit
and can withdraw it; the rep reads it, read-only and without notes. Audited and notified."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import Membership, Role
from audit.models import AuditEvent
from incidents import policy, services, sharing
from incidents.models import IncidentShare, Note
from notifications.models import Notification
from tests.conftest import PERSONA_NAMES
from tests.factories import member

pytestmark = pytest.mark.django_db

INTERNAL = "Intern note: borgeren er kendt af politiet"
SHARED = "Vi har bedt Facebook fjerne opslaget"
DESCRIPTION = "Opslaget kalder Sara en heks"


@pytest.fixture
def case(personas):
    incident = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        targets=[personas.caseworker],
        fields={
            "title": "Opslag om Sara",
            "description": DESCRIPTION,
            "discovered_at": timezone.now(),
            "offensive_language": True,
        },
    )
    services.note_add(actor=personas.manager, incident=incident, body=INTERNAL, visibility=Note.Visibility.INTERNAL)
    services.note_add(actor=personas.manager, incident=incident, body=SHARED, visibility=Note.Visibility.SHARED)
    return incident


def _share(client, incident, rep):
    return client.post(reverse("incidents:share", args=[incident.reference]), {"union_rep": rep.pk})


def _detail(incident):
    return reverse("incidents:detail", args=[incident.reference])


def test_employee_shares_and_the_rep_reads_without_notes(client, personas, case):
    client.force_login(personas.caseworker)
    response = _share(client, case, personas.union_rep)
    assert response.status_code == 302 and response["Location"].endswith("#deling")
    share = IncidentShare.objects.get()
    assert (share.incident, share.union_rep, share.shared_by, share.withdrawn_at) == (
        case,
        personas.union_rep,
        personas.caseworker,
        None,
    )
    event = AuditEvent.objects.get(object_type="incidents.incidentshare", action="create")
    assert event.incident_reference == case.reference and event.actor == personas.caseworker
    assert Notification.objects.filter(recipient=personas.union_rep, kind="incident_shared").exists()

    client.force_login(personas.union_rep)
    body = client.get(_detail(case)).content.decode()
    assert DESCRIPTION in body and case.reference in body
    assert "Du kan læse den, men ikke ændre noget" in body
    assert INTERNAL not in body and SHARED not in body
    assert "<form" not in body.split('id="main"')[1]  # nothing to submit: no upload, no status, no notes
    assert AuditEvent.objects.filter(
        action="view", incident_reference=case.reference, actor=personas.union_rep
    ).exists()
    dashboard = client.get(reverse("dashboard:union_rep")).content.decode()
    assert f'href="{_detail(case)}"' in dashboard


def test_rep_cannot_change_anything(client, personas, case):
    sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    rep = personas.union_rep
    assert policy.may_view(rep, case)
    assert not any(
        check(rep, case)
        for check in (
            policy.may_change,
            policy.may_add_evidence,
            policy.may_assess,
            policy.may_report,
            policy.may_remove_evidence,
            policy.sees_internal_notes,
            policy.sees_shared_notes,
            policy.may_share,
        )
    )
    client.force_login(rep)
    ref = case.reference
    assert client.get(reverse("incidents:evidence_upload", args=[ref])).status_code == 404
    assert client.post(reverse("incidents:evidence_upload", args=[ref])).status_code == 404
    for name, data in (
        ("status", {"to_status": "closed"}),
        ("note", {"body": "x", "visibility": "internal"}),
        ("action", {"action_code": "police_report"}),
        ("edit", {}),
    ):
        assert client.post(reverse(f"incidents:{name}", args=[ref]), data).status_code == 404, name
    assert client.get(reverse("incidents:edit", args=[ref])).status_code == 404
    assert _share(client, case, rep).status_code == 404


def test_withdrawn_share_ends_access(client, personas, case):
    share = sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    client.force_login(personas.caseworker)
    response = client.post(reverse("incidents:share_withdraw", args=[case.reference, share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.withdrawn_at is not None and share.withdrawn_by == personas.caseworker
    assert AuditEvent.objects.filter(object_type="incidents.incidentshare", action="update").exists()
    client.force_login(personas.union_rep)
    assert client.get(_detail(case)).status_code == 404
    # Sharing again makes a new row; the withdrawn one stays for the record.
    sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    assert IncidentShare.objects.count() == 2
    assert client.get(_detail(case)).status_code == 200


def test_sharing_twice_keeps_one_active_share(personas, case):
    first = sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    again = sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    assert first == again and IncidentShare.objects.count() == 1


def test_only_reps_of_the_employees_unit_can_be_chosen(client, personas, case):
    stranger = member(personas.jobcenter, Role.UNION_REP, username="jobcenter_rep")
    team_rep = member(personas.team, Role.UNION_REP, username="team_rep")  # below Børn og Familie: not hers
    assert list(sharing.share_candidates(personas.caseworker)) == [personas.union_rep]
    client.force_login(personas.caseworker)
    for rep in (stranger, team_rep, personas.manager):
        response = _share(client, case, rep)
        assert response.status_code == 302
    assert not IncidentShare.objects.exists()
    with pytest.raises(sharing.ShareRefused):
        sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=stranger)


def test_rep_who_loses_the_role_loses_access(client, personas, case):
    sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    Membership.objects.filter(user=personas.union_rep, role=Role.UNION_REP).delete()
    permissions.forget(personas.union_rep)
    client.force_login(personas.union_rep)
    assert client.get(_detail(case)).status_code == 404


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_who_may_share_and_withdraw(client, personas, case, persona):
    share = sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    sharing.incident_share_withdraw(actor=personas.caseworker, share=share)
    client.force_login(getattr(personas, persona))
    share_response = _share(client, case, personas.union_rep)
    withdraw = client.post(reverse("incidents:share_withdraw", args=[case.reference, share.pk]))
    if persona == "caseworker":
        assert share_response.status_code == 302 and withdraw.status_code == 302
    else:
        assert share_response.status_code == 404 and withdraw.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, case):
    response = client.post(reverse("incidents:share", args=[case.reference]), {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_get_is_not_allowed(client, personas, case):
    client.force_login(personas.caseworker)
    assert client.get(reverse("incidents:share", args=[case.reference])).status_code == 405


def test_other_incidents_stay_hidden_from_the_rep(client, personas, case):
    other = services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel="manager",
        fields={"title": "Andet", "discovered_at": timezone.now()},
    )
    sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    client.force_login(personas.union_rep)
    assert client.get(_detail(other)).status_code == 404
    assert list(policy.visible_incidents(personas.union_rep)) == [case]


def test_share_card_shows_reps_and_the_withdraw_button(personas, case):
    request = RequestFactory().get("/")
    request.user = personas.caseworker
    context = {"incident": case, **sharing.share_card_context(personas.caseworker, case)}
    html = render_to_string("incidents/includes/share_card.html", context, request=request)
    assert "Del sagen med din tillidsrepræsentant" in html and 'name="union_rep"' in html
    assert f'value="{personas.union_rep.pk}"' in html
    sharing.incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    context = {"incident": case, **sharing.share_card_context(personas.caseworker, case)}
    html = render_to_string("incidents/includes/share_card.html", context, request=request)
    assert (
        "Træk deling med" in html
        and reverse("incidents:share_withdraw", args=[case.reference, IncidentShare.objects.get().pk]) in html
    )
    assert "Der er ingen tillidsrepræsentant" not in html
    assert sharing.share_card_context(personas.manager, case) == {"may_share": False}
