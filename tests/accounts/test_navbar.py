"""The top bar (accounts/navigation.py): rendered once per user and language, completed per
request. What each request fills in must be that request's; what is kept must follow the
user's roles and name."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from notifications.models import Channel, Kind, Notification

pytestmark = pytest.mark.django_db


def _bar(body: str) -> str:
    return body[body.index("<nav") : body.index("</nav>")]


def _links(bar: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*"[^>]*href="([^"]+)"', bar)


def test_the_current_page_is_marked_and_only_it(client, personas):
    client.force_login(personas.manager)
    for name in ("incidents:list", "dashboard:manager", "knowledge:index"):
        url = reverse(name)
        bar = _bar(client.get(url).content.decode())
        assert bar.count('aria-current="page"') == 1
        assert f'<a class="nav-link active" aria-current="page" href="{url}">' in bar
    # A page that is not in the menu marks none.
    bar = _bar(client.get(reverse("incidents:create")).content.decode())
    assert 'aria-current="page"' not in bar
    assert "nav-link active" not in bar


def test_each_request_gets_its_own_csrf_token_and_return_address(client, personas):
    client.force_login(personas.manager)
    response = client.get(reverse("incidents:list"), {"q": '"><script>x</script>', "page": "2"})
    bar = _bar(response.content.decode())
    assert "STANDIN" not in bar
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar)
    assert len(tokens) == 2 and all(len(token) == 64 for token in tokens)
    assert "<script>x" not in bar
    assert 'name="next" value="/haendelser/?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&amp;page=2"' in bar
    # The language form works with the token the kept bar was given.
    client.handler.enforce_csrf_checks = True
    changed = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]})
    assert changed.status_code == 302


def test_the_unread_badge_is_counted_each_request(client, personas):
    client.force_login(personas.manager)
    url = reverse("incidents:list")
    assert "text-bg-danger" not in _bar(client.get(url).content.decode())
    for number in range(2):
        _notify(personas, personas.manager, f"test-badge-{number}")
    bar = _bar(client.get(url).content.decode())
    assert '>2<span class="visually-hidden"> ulæste</span>' in bar
    Notification.objects.filter(recipient=personas.manager).update(read_at="2026-01-01T00:00Z")
    assert "text-bg-danger" not in _bar(client.get(url).content.decode())


def test_the_kept_bar_follows_a_new_role_and_a_new_name(client, personas):
    user = personas.caseworker
    client.force_login(user)
    url = reverse("dashboard:caseworker")
    bar = _bar(client.get(url).content.decode())
    assert reverse("incidents:list") not in _links(bar)
    assert "Sara Sagsbehandler" in bar
    Membership.objects.create(user=user, unit=personas.team, role=Role.MANAGER)
    user.first_name = "Sofie"
    user.save(update_fields=["first_name"])
    bar = _bar(client.get(url).content.decode())
    assert reverse("incidents:list") in _links(bar)
    assert "Sofie Sagsbehandler" in bar


def test_one_bar_per_language(client, personas):
    client.force_login(personas.manager)
    url = reverse("dashboard:manager")
    danish = _bar(client.get(url).content.decode())
    client.cookies.load({"django_language": "en"})
    english = _bar(client.get(url).content.decode())
    assert "Hovedmenu" in danish and "Log ud" in danish
    assert "Main menu" in english and "Sign out" in english
    assert 'value="en" selected' in english and 'value="da" selected' in danish


def test_signed_out_pages_have_a_bar_without_the_account_menu(client, db):
    bar = _bar(client.get(reverse("account_login")).content.decode())
    assert "STANDIN" not in bar
    assert "csrfmiddlewaretoken" in bar
    assert "dropdown-menu" not in bar and "notification-badge" not in bar


def _notify(personas, user, key: str) -> Notification:
    return Notification.objects.create(
        organisation=personas.org,
        recipient=user,
        kind=Kind.SELF_REPORT,
        channel=Channel.IN_APP,
        key=key,
        subject="Ny selvanmeldelse",
        body="…",
    )


def test_the_kept_bar_costs_no_query_of_its_own(client, personas, django_assert_num_queries):
    client.force_login(personas.manager)
    url = reverse("knowledge:index")
    client.get(url)
    _notify(personas, personas.manager, "test-badge-query")
    # the session, and the user with the unread count (accounts/signed_in.py); the bar reads nothing
    with django_assert_num_queries(2):
        body = client.get(url).content.decode()
    assert '>1<span class="visually-hidden"> ulæste</span>' in _bar(body)


def test_the_count_loaded_with_the_user_is_dropped_when_the_request_reads_them(personas, django_assert_num_queries):
    from accounts.sso.backends import LocalPasswordBackend
    from notifications import services

    _notify(personas, personas.manager, "test-badge-loaded")
    user = LocalPasswordBackend().get_user(personas.manager.pk)
    with django_assert_num_queries(0):
        assert services.unread_count(user) == 1
    services.notification_mark_read(user=user)
    assert services.unread_count(user) == 0
