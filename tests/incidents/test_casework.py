"""The manager's case workspace (issue 17): case owner, managers kept out of a case, the message
thread with the employee, the watch list and the dashboard's overdue deadlines by case."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from incidents import casework, services
from incidents.models import CaseExclusion, CaseMessage, Note, TimelineEntry, WatchListEntry
from incidents.next_steps import next_steps
from incidents.selectors import assessment_summary
from incidents.sharing import incident_share
from notifications.models import Channel, Kind, Notification, Preference
from tests.factories import member

pytestmark = pytest.mark.django_db


def _register(personas, unit=None, *, actor=None, **fields):
    fields.setdefault("title", "Trusler på Facebook")
    fields.setdefault("discovered_at", timezone.now() - timedelta(hours=2))
    case = services.incident_register(
        actor=actor or personas.manager,
        unit=unit or personas.family,
        channel="manager",
        fields=fields,
        targets=[personas.caseworker],
    )
    return case


@pytest.fixture
def colleague(personas):
    """A second manager over the case's unit (Børn og Familie), below Mette at the top."""
    return member(
        personas.family, Role.MANAGER, username="bo", first_name="Bo", last_name="Bestyrer", email="bo@example.dk"
    )


def _detail(case):
    return reverse("incidents:detail", args=[case.reference])


# --- Next step first -------------------------------------------------------------------------


def test_critical_case_opens_with_112_the_72_hours_and_the_police_report(personas):
    case = _register(personas, threat=True, private_details=True)
    steps = next_steps(assessment_summary(case, []), is_open=True)
    assert steps.acute_112 is not None
    assert [d.code for d in steps.deadlines][:1] == ["police_report_72h"]
    assert 60 <= steps.deadlines[0].hours_left < 72  # 72 hours from the offence, two hours ago
    assert [step.action["code"] for step in steps.urgent_actions] == ["police_report", "safety_assessment"]
    assert steps.urgent_actions[0].deadline.code == "police_report_72h"
    group_codes = [group["code"] for group in steps.groups]
    assert group_codes[0] == "now" and "support_conversation" in [s.action["code"] for s in steps.groups[0]["steps"]]
    every = [s.action["code"] for group in steps.groups for s in group["steps"]]
    assert "acute_112" not in every and "police_report" not in every  # never listed twice


def test_done_actions_fold_away_and_met_deadlines_leave_the_urgent_block(client, personas):
    case = _register(personas, threat=True)
    services.incident_record_action(
        actor=personas.manager,
        incident=case,
        action_code="police_report",
        occurred_on=timezone.localdate(),
        external_reference="J-42",
    )
    client.force_login(personas.manager)
    page = client.get(_detail(case)).content.decode()
    urgent = page[page.index('id="akut"') : page.index('id="naeste-skridt"')]
    assert "ring 112" in urgent and "Politianmeldelse ved arbejdsgiveren" not in urgent
    assert "Anmeld til politiet inden 72 timer" not in urgent
    done = page[page.index('class="mt-3 done-actions"') :]
    assert "<details" in page[page.index('id="naeste-skridt"') : page.index('class="mt-3 done-actions"') + 40]
    assert "1 handling udført" in done and "Politianmeldelse ved arbejdsgiveren" in done and "J-42" in done


# --- Case owner ------------------------------------------------------------------------------


def test_take_and_assign_the_case_notifies_the_new_owner(client, personas, colleague):
    case = _register(personas, threat=True)
    client.force_login(personas.manager)
    response = client.post(reverse("incidents:owner", args=[case.reference]), {"take": "1", "form_token": "t1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == personas.manager
    assert not Notification.objects.filter(kind=Kind.CASE_ASSIGNED).exists()  # took it herself

    client.post(reverse("incidents:owner", args=[case.reference]), {"owner-owner": colleague.pk, "form_token": "t2"})
    case.refresh_from_db()
    assert case.owner == colleague
    told = Notification.objects.filter(kind=Kind.CASE_ASSIGNED, recipient=colleague)
    assert {n.channel for n in told} == {Channel.IN_APP, Channel.EMAIL}
    assert case.reference in told.get(channel=Channel.IN_APP).body
    assert TimelineEntry.objects.filter(incident=case, kind=TimelineEntry.Kind.OWNER).count() == 2
    assert AuditEvent.objects.filter(incident_reference=case.reference, summary="Sagsansvarlig ændret").count() == 2

    # Shown on the list and the dashboard, and filterable.
    listing = client.get(reverse("incidents:list") + f"?owner={colleague.pk}").content.decode()
    assert case.reference in listing and "Bo Bestyrer" in listing
    assert (
        case.reference
        not in client.get(reverse("incidents:list") + "?owner=mine").content.decode().split("<tbody>")[-1]
    )
    client.force_login(colleague)
    dashboard = client.get(reverse("dashboard:manager") + "?ejer=mine").content.decode()
    assert case.reference in dashboard and "Mine sager (1)" in dashboard


def test_only_a_manager_of_the_unit_can_be_owner(client, personas):
    case = _register(personas)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:owner", args=[case.reference]), {"owner-owner": personas.other_manager.pk, "form_token": "t"}
    )
    assert response.status_code == 400
    assert "Kun ledere for sagens enhed kan være sagsansvarlige." in response.content.decode()
    case.refresh_from_db()
    assert case.owner is None


# --- Managers kept out of a case -------------------------------------------------------------


def test_an_excluded_manager_gets_404_everywhere_and_sees_nothing(client, personas, colleague):
    case = _register(personas, threat=True)
    other = _register(personas, named=True, title="Anden sag")
    casework.watch_set(user=colleague, incident=case, watching=True)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:exclusion", args=[case.reference]),
        {"exclude-manager": colleague.pk, "exclude-reason": "Bo er selv nævnt i opslaget", "form_token": "x1"},
    )
    assert response.status_code == 302
    exclusion = CaseExclusion.objects.get(incident=case, manager=colleague)
    assert exclusion.excluded_by == personas.manager
    assert not WatchListEntry.objects.filter(user=colleague, incident=case).exists()
    assert AuditEvent.objects.filter(incident_reference=case.reference, summary="Leder holdt ude af sagen").exists()

    client.force_login(colleague)
    for url in (
        _detail(case),
        reverse("incidents:edit", args=[case.reference]),
        reverse("incidents:evidence_upload", args=[case.reference]),
        reverse("reports:list", args=[case.reference]),
        reverse("api:incident-detail", args=[case.reference]),
        reverse("api:incident-timeline", args=[case.reference]),
        reverse("api:incident-evidence", args=[case.reference]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("incidents:action", args=[case.reference]), {"action-action_code": "police_report"}
        ).status_code
        == 404
    )
    listing = client.get(reverse("incidents:list")).content.decode()
    assert case.reference not in listing and other.reference in listing
    dashboard = client.get(reverse("dashboard:manager")).content.decode()
    assert case.reference not in dashboard and other.reference in dashboard
    assert client.get(reverse("incidents:list") + "?level=4").content.decode().count(case.reference) == 0
    api = client.get(reverse("api:incident-list")).json()
    assert case.reference not in str(api) and other.reference in str(api)

    # The manager who excluded Bo still works the case; letting Bo in again is audited too.
    client.force_login(personas.manager)
    page = client.get(_detail(case)).content.decode()
    assert "Bo er selv nævnt i opslaget" in page
    client.post(reverse("incidents:exclusion", args=[case.reference]), {"include": colleague.pk, "form_token": "x2"})
    client.force_login(colleague)
    assert client.get(_detail(case)).status_code == 200


def test_exclusion_needs_a_reason_and_not_oneself(client, personas, colleague):
    case = _register(personas)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:exclusion", args=[case.reference]),
        {"exclude-manager": colleague.pk, "exclude-reason": " ", "form_token": "r1"},
    )
    assert response.status_code == 400
    assert "Skriv hvorfor lederen skal holdes ude af sagen." in response.content.decode()
    with pytest.raises(casework.CaseworkRefused):
        casework.case_exclude(actor=personas.manager, incident=case, manager=personas.manager, reason="x")
    assert not CaseExclusion.objects.exists()


def test_excluding_the_owner_leaves_the_case_without_one(personas, colleague):
    case = _register(personas)
    casework.case_assign(actor=personas.manager, incident=case, owner=colleague)
    casework.case_exclude(actor=personas.manager, incident=case, manager=colleague, reason="Part i sagen")
    case.refresh_from_db()
    assert case.owner is None
    with pytest.raises(casework.CaseworkRefused):
        casework.case_assign(actor=personas.manager, incident=case, owner=colleague)


# --- Messages ------------------------------------------------------------------------------


def test_employee_and_owner_exchange_messages(client, personas, colleague):
    case = _register(personas, threat=True)
    casework.case_assign(actor=personas.manager, incident=case, owner=colleague)
    services.note_add(actor=colleague, incident=case, body="Intern: ring til HR", visibility=Note.Visibility.INTERNAL)
    Preference.objects.create(user=personas.caseworker, kind=Kind.CASE_MESSAGE, email=False)

    client.force_login(personas.caseworker)
    page = client.get(_detail(case)).content.decode()
    assert 'id="beskeder"' in page and "Intern: ring til HR" not in page
    response = client.post(
        reverse("incidents:message", args=[case.reference]),
        {"message-body": "Han har skrevet igen i nat", "form_token": "m1"},
    )
    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert message.from_employee and message.author == personas.caseworker
    to_owner = Notification.objects.filter(kind=Kind.CASE_MESSAGE, recipient=colleague)
    assert {n.channel for n in to_owner} == {Channel.IN_APP, Channel.EMAIL}
    assert "Han har skrevet igen" not in to_owner.get(channel=Channel.IN_APP).body  # the text stays in the app
    assert not Notification.objects.filter(kind=Kind.CASE_MESSAGE, recipient=personas.manager).exists()

    client.force_login(colleague)
    assert "Han har skrevet igen i nat" in client.get(_detail(case)).content.decode()
    client.post(
        reverse("incidents:message", args=[case.reference]),
        {"message-body": "Tak, jeg ringer til dig kl. 10", "form_token": "m2"},
    )
    to_employee = Notification.objects.filter(kind=Kind.CASE_MESSAGE, recipient=personas.caseworker)
    assert [n.channel for n in to_employee] == [Channel.IN_APP]  # e-mail turned off by the employee

    client.force_login(personas.caseworker)
    page = client.get(_detail(case)).content.decode()
    thread = page[page.index('id="beskeder"') :]
    assert thread.index("Han har skrevet igen i nat") < thread.index("Tak, jeg ringer til dig kl. 10")


def test_an_empty_message_is_refused_and_a_union_rep_cannot_write(client, personas):
    case = _register(personas)
    incident_share(actor=personas.caseworker, incident=case, union_rep=personas.union_rep)
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("incidents:message", args=[case.reference]), {"message-body": "  ", "form_token": "e"}
    )
    assert response.status_code == 400
    assert "Skriv en besked, før du sender." in response.content.decode()
    casework.case_message_post(actor=personas.caseworker, incident=case, body="Kun til lederen")
    client.force_login(personas.union_rep)
    page = client.get(_detail(case))
    assert page.status_code == 200 and "Kun til lederen" not in page.content.decode()
    assert (
        client.post(
            reverse("incidents:message", args=[case.reference]), {"message-body": "Hej", "form_token": "u"}
        ).status_code
        == 404
    )
    assert CaseMessage.objects.count() == 1


# --- Dashboard ----------------------------------------------------------------------------------


def test_overdue_deadlines_by_case_newest_first_with_show_all_and_dismissal(client, personas):
    now = timezone.now()
    old = _register(personas, threat=True, discovered_at=now - timedelta(days=400), title="Gammel")
    recent = _register(personas, threat=True, discovered_at=now - timedelta(days=5), title="Ny")
    extra = [_register(personas, threat=True, discovered_at=now - timedelta(days=20 + i)) for i in range(10)]
    client.force_login(personas.manager)
    url = reverse("dashboard:manager")
    body = client.get(url).content.decode()
    overdue = body[body.index('id="overdue-heading"') : body.index('id="waiting-heading"')]
    assert overdue.index(recent.reference) < overdue.index(extra[0].reference)
    assert old.reference not in overdue  # the oldest of 12 cases is past the first 10
    assert "Vis alle (12 sager)" in overdue
    body = client.get(url + "?vis=alle").content.decode()
    assert old.reference in body[body.index('id="overdue-heading"') : body.index('id="waiting-heading"')]

    # Mark a deadline as not relevant from the dashboard; the manager comes back to it.
    response = client.post(
        reverse("incidents:deadline_dismiss", args=[recent.reference]),
        {
            "frist-code": "police_report_72h",
            "frist-reason": "Medarbejderen ønsker ikke at anmelde",
            "next": url + "?vis=alle",
            "form_token": "d1",
        },
    )
    assert response.status_code == 302 and response["Location"] == url + "?vis=alle"
    body = client.get(url + "?vis=alle").content.decode()
    overdue = body[body.index('id="overdue-heading"') : body.index('id="waiting-heading"')]
    assert (
        f"{recent.reference}</strong>" not in overdue
        or "Anmeld til politiet inden 72 timer" not in overdue.split(recent.reference)[1].split("overdue-case")[0]
    )
    evil = client.post(
        reverse("incidents:deadline_dismiss", args=[old.reference]),
        {"frist-code": "police_report_72h", "frist-reason": "x", "next": "https://evil.example/", "form_token": "d2"},
    )
    assert evil["Location"].startswith(_detail(old))


def test_watch_list(client, personas):
    case = _register(personas, title="Følges")
    client.force_login(personas.manager)
    client.post(reverse("incidents:watch", args=[case.reference]), {"watch": "1", "form_token": "w1"})
    body = client.get(reverse("dashboard:manager")).content.decode()
    watch = body[body.index('id="watch-heading"') : body.index('id="deadlines-heading"')]
    assert case.reference in watch
    client.post(reverse("incidents:watch", args=[case.reference]), {"watch": "0", "form_token": "w2"})
    assert not WatchListEntry.objects.exists()
    client.force_login(personas.caseworker)
    assert (
        client.post(reverse("incidents:watch", args=[case.reference]), {"watch": "1", "form_token": "w3"}).status_code
        == 404
    )


# --- Forms that cannot double-submit; the timeline ------------------------------------------


def test_saving_the_assessment_twice_writes_one_entry_and_an_override_is_labelled_as_such(client, personas):
    case = _register(personas, threat=True)
    client.force_login(personas.manager)
    url = reverse("incidents:assess", args=[case.reference])
    data = {"assess-level": 3, "assess-justification": "Afsenderen er kendt og har undskyldt", "form_token": "same"}
    first = client.post(url, data)
    second = client.post(url, data)  # back and save again: the same token
    assert first.status_code == second.status_code == 302
    client.post(url, {**data, "form_token": "new"})  # a fresh form with the same content
    entries = TimelineEntry.objects.filter(incident=case, kind__in=["assessment", "assessment_override"])
    assert [e.kind for e in entries] == ["assessment_override"]
    timeline = client.get(_detail(case)).content.decode()
    timeline = timeline[timeline.index('id="tidslinje"') :]
    assert "Niveau ændret af leder" in timeline and "Vurdering bekræftet" not in timeline
    assert timezone.localtime(entries[0].created_at).strftime("%d.%m.%Y %H:%M") in timeline


def test_an_override_without_reason_points_at_its_error(client, personas):
    case = _register(personas, threat=True)
    client.force_login(personas.manager)
    page = client.get(_detail(case)).content.decode()
    assert f'action="{reverse("incidents:assess", args=[case.reference])}#vurdering-fejl"' in page
    response = client.post(
        reverse("incidents:assess", args=[case.reference]),
        {"assess-level": 2, "assess-justification": "", "form_token": "o1"},
    )
    body = response.content.decode()
    assert 'id="vurdering-fejl"' in body and "data-error-summary" in body
    assert "Skriv hvorfor niveauet afviger fra det beregnede." in body


def test_an_excluded_manager_gets_no_reminders_or_digest_about_the_case(personas, colleague):
    from incidents import reminders as notifications

    case = _register(personas, threat=True, discovered_at=timezone.now() - timedelta(hours=60))
    casework.case_exclude(actor=personas.manager, incident=case, manager=colleague, reason="Part i sagen")
    assert notifications.reminders_due(timezone.now()) >= 1
    reminded = set(Notification.objects.filter(kind=Kind.DEADLINE_REMINDER).values_list("recipient_id", flat=True))
    assert personas.manager.pk in reminded and colleague.pk not in reminded
    notifications.digest_weekly(timezone.now())
    assert Notification.objects.filter(kind=Kind.WEEKLY_DIGEST, recipient=personas.manager).exists()
    assert not Notification.objects.filter(kind=Kind.WEEKLY_DIGEST, recipient=colleague).exists()
