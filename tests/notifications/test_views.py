"""The notification centre, opening a notification, and the e-mail preferences, per persona."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from incidents import notify as incident_notify
from incidents.models import Incident
from notifications import services, tasks
from notifications.context_processors import unread_notifications
from notifications.models import Channel, Kind, Notification, Preference
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

# Paths, not reverse(): the module is imported before conftest mounts the URLs.
LIST = "/notifikationer/"
PREFS = "/notifikationer/indstillinger/"
MARK_ALL = "/notifikationer/marker-laest/"


def _open(pk: int) -> str:
    return f"/notifikationer/{pk}/"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", lambda *a, **kw: None)


def _in_app(user, kind=None) -> Notification:
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    return (qs.filter(kind=kind) if kind else qs).latest("id")


@pytest.fixture
def everyone_told(personas, register):
    """Notifications for each persona that can get one: a self-report (→ manager), a case
    registered by a manager (→ caseworker) and a serious one (→ union rep)."""
    own = register(Incident.Channel.SELF_REPORT, threat=True)
    incident_notify.on_incident_registered(own)
    theirs = register(Incident.Channel.MANAGER, targets=[personas.caseworker])
    incident_notify.on_incident_registered(theirs)
    return own, theirs


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, PREFS])
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_every_signed_in_persona_has_a_centre_and_preferences(client, personas, persona, url):
    client.force_login(getattr(personas, persona))
    response = client.get(url)
    assert response.status_code == 200
    assert "Notifikationer" in response.content.decode()


@pytest.mark.parametrize("url", [LIST, PREFS, MARK_ALL, _open(1)])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_each_persona_sees_only_their_own(client, personas, everyone_told, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    response = client.get(LIST)
    shown = {n.pk for n in response.context["notifications"]}
    own = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    assert shown == set(own.values_list("pk", flat=True))
    body = response.content.decode()
    for other in Notification.objects.exclude(recipient=user).filter(channel=Channel.IN_APP):
        assert _open(other.pk) not in body


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_opening_someone_elses_notification_is_404(client, personas, everyone_told, persona):
    managers = _in_app(personas.manager, Kind.SELF_REPORT)
    client.force_login(getattr(personas, persona))
    response = client.get(_open(managers.pk))
    if persona == "manager":
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[everyone_told[0].reference])
    else:
        assert response.status_code == 404
        managers.refresh_from_db()
        assert managers.read_at is None


def test_email_rows_are_not_opened_from_the_centre(client, personas, everyone_told):
    email = Notification.objects.filter(recipient=personas.manager, channel=Channel.EMAIL).first()
    client.force_login(personas.manager)
    assert client.get(_open(email.pk)).status_code == 404


# --- Opening -----------------------------------------------------------------------------------


def test_open_marks_read_and_lands_on_the_incident(client, personas, everyone_told):
    own, theirs = everyone_told
    row = _in_app(personas.caseworker, Kind.INCIDENT_REGISTERED)
    client.force_login(personas.caseworker)
    response = client.post(_open(row.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[theirs.reference])
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_get_of_the_open_link_changes_nothing(client, personas, everyone_told):
    """The finding: a GET (a link preview, a prefetch, a mail scanner) marked it read."""
    _, theirs = everyone_told
    row = _in_app(personas.caseworker, Kind.INCIDENT_REGISTERED)
    client.force_login(personas.caseworker)
    response = client.get(_open(row.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[theirs.reference])
    row.refresh_from_db()
    assert row.read_at is None
    page = client.get(LIST).content.decode()
    assert f'<form method="post" action="{_open(row.pk)}"' in page  # the centre opens it with a POST


def test_access_is_asked_again_when_opening(client, personas, everyone_told):
    own, _ = everyone_told
    row = _in_app(personas.manager, Kind.SELF_REPORT)
    personas.manager.memberships.all().delete()
    client.force_login(personas.manager)
    assert client.get(_open(row.pk)).status_code == 404


def test_a_deleted_incident_answers_404(client, personas, everyone_told):
    own, _ = everyone_told
    row = _in_app(personas.manager, Kind.SELF_REPORT)
    own.delete()
    client.force_login(personas.manager)
    assert client.get(_open(row.pk)).status_code == 404


def test_union_rep_lands_on_statistics_not_the_incident(client, personas, everyone_told):
    row = _in_app(personas.union_rep, Kind.SERIOUS_INCIDENT)
    client.force_login(personas.union_rep)
    response = client.get(_open(row.pk))
    assert response["Location"] == reverse("dashboard:union_rep")


# --- The list ----------------------------------------------------------------------------------


def test_newest_first_unread_highlighted_and_mark_all_read(client, personas, register):
    first = register(Incident.Channel.SELF_REPORT)
    incident_notify.on_incident_registered(first)
    second = register(Incident.Channel.SELF_REPORT)
    incident_notify.on_incident_registered(second)
    read = Notification.objects.get(recipient=personas.manager, channel=Channel.IN_APP, incident=first)
    services.notification_mark_read(user=personas.manager, notification=read)
    client.force_login(personas.manager)
    response = client.get(LIST)
    body = response.content.decode()
    rows = response.context["notifications"]
    assert [n.incident_id for n in rows] == [second.pk, first.pk]
    assert body.index(second.reference) < body.index(first.reference)
    assert "Du har 1 ulæst notifikation." in body
    assert body.count(">Ny</span>") == 1
    assert "Markér alle som læst" in body

    assert client.get(MARK_ALL).status_code == 405
    response = client.post(MARK_ALL, follow=True)
    body = response.content.decode()
    assert "Alle notifikationer er markeret som læst." in body
    assert "Du har 0 ulæste notifikationer." in body
    assert not Notification.objects.filter(
        recipient=personas.manager, channel=Channel.IN_APP, read_at__isnull=True
    ).exists()


def test_mark_all_read_touches_only_my_own(client, personas, everyone_told):
    client.force_login(personas.manager)
    client.post(MARK_ALL)
    assert Notification.objects.filter(
        recipient=personas.caseworker, read_at__isnull=True, channel=Channel.IN_APP
    ).exists()


def test_list_costs_the_same_few_queries_however_many(client, personas, register, django_assert_max_num_queries):
    for _ in range(3):
        incident_notify.on_incident_registered(register(Incident.Channel.SELF_REPORT))
    client.force_login(personas.manager)
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    for _ in range(10):
        incident_notify.on_incident_registered(register(Incident.Channel.SELF_REPORT))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["notifications"]) == 13


def test_empty_centre_says_so(client, personas):
    client.force_login(personas.outsider)
    assert "Du har ingen notifikationer endnu." in client.get(LIST).content.decode()


# --- Unread count -------------------------------------------------------------------------------


def test_unread_count_is_lazy_and_for_signed_in_users_only(personas, everyone_told, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_notifications(request) == {}
    request.user = personas.manager
    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 1


def test_badge_shows_the_count_with_an_accessible_label(rf, personas, everyone_told):
    request = rf.get("/")
    request.user = personas.manager
    html = render_to_string("notifications/badge.html", {"user": personas.manager, **unread_notifications(request)})
    assert re.search(r">1<span class=\"visually-hidden\"> ulæste</span>", html)
    assert f'href="{LIST}"' in html
    request.user = personas.outsider
    html = render_to_string("notifications/badge.html", {"user": personas.outsider, **unread_notifications(request)})
    assert "badge" not in html.replace('id="notification-badge"', "")


def test_pages_show_the_unread_badge_once_wired(client, personas, everyone_told):
    client.force_login(personas.manager)
    response = client.get(LIST)
    assert int(str(response.context["unread_notifications"])) == 1


# --- Preferences ---------------------------------------------------------------------------------


def test_preferences_offer_the_kinds_of_the_users_roles(client, personas):
    client.force_login(personas.caseworker)
    body = client.get(PREFS).content.decode()
    assert "Status på din sag er ændret" in body
    assert "Ny selvanmeldelse i din enhed" not in body
    client.force_login(personas.outsider)
    assert "Din rolle giver ingen beskeder" in client.get(PREFS).content.decode()


def test_turning_email_off_and_on(client, personas, register):
    client.force_login(personas.manager)
    body = client.get(PREFS).content.decode()
    assert re.search(r'name="self_report" id="id_self_report" checked', body)
    response = client.post(PREFS, {"deadline_reminder": "on", "weekly_digest": "on"}, follow=True)
    assert "Dine valg er gemt." in response.content.decode()
    assert set(Preference.objects.filter(user=personas.manager, email=False).values_list("kind", flat=True)) == {
        Kind.SELF_REPORT,
        Kind.REPORT_READY,
        Kind.REPORT_FAILED,
        Kind.RETENTION_WARNING,
        Kind.PAGE_WATCH,
        Kind.CASE_ASSIGNED,
        Kind.CASE_MESSAGE,
    }
    body = response.content.decode()
    assert not re.search(r'name="self_report" id="id_self_report" checked', body)
    assert re.search(r'name="weekly_digest" id="id_weekly_digest" checked', body)

    incident = register(Incident.Channel.SELF_REPORT)
    incident_notify.on_incident_registered(incident)
    assert list(Notification.objects.filter(incident=incident).values_list("channel", flat=True)) == [Channel.IN_APP]


def test_preferences_cannot_be_set_for_kinds_outside_the_role(client, personas):
    client.force_login(personas.caseworker)
    client.post(PREFS, {"self_report": "", "status_changed": "on"})
    assert not Preference.objects.filter(user=personas.caseworker, kind=Kind.SELF_REPORT).exists()


def test_preferences_warn_without_an_email_address(client, personas):
    personas.caseworker.email = ""
    personas.caseworker.save()
    client.force_login(personas.caseworker)
    assert "Der er ingen e-mailadresse på din bruger" in client.get(PREFS).content.decode()
