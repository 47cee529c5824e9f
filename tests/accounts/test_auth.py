"""Sign-in: username or e-mail, throttling (app and admin), logout, password change and
reset, inactivity expiry, two factors required by the organisation."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def login(client, login, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_sign_in_page_is_danish(client):
    body = client.get(reverse("account_login")).content.decode()
    assert "Log ind" in body
    assert 'lang="da"' in body


def test_sign_in_with_username_lands_on_role_page(client, personas):
    response = login(client, "caseworker")
    assert response.status_code == 302
    follow = client.get(response["Location"], follow=True)
    assert follow.redirect_chain[-1][0] == reverse("dashboard:caseworker")


def test_sign_in_with_email(client, personas):
    response = login(client, personas.manager.email)
    assert response.status_code == 302
    assert client.get(reverse("dashboard:manager")).status_code == 200


def test_wrong_password_keeps_login_and_says_why_in_danish(client, personas):
    response = login(client, "caseworker", "forkert-kode")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="caseworker"' in body
    assert "ikke korrekt" in body


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()


def test_failed_sign_ins_are_throttled(client, personas):
    limit = settings.LOGIN_FAILURES_PER_USER
    for _ in range(limit):
        login(client, "caseworker", "forkert-kode")
    # Even the right password is refused while the account is throttled.
    response = login(client, "caseworker")
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "for mange" in response.content.decode().lower()


def test_admin_login_goes_through_the_same_throttled_sign_in(client, personas):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        client.post(response["Location"], {"login": "admin", "password": "forkert"})
    blocked = client.post(response["Location"], {"login": "admin", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "for mange" in blocked.content.decode().lower()


def test_admin_site_is_for_admins_only(client, personas):
    client.force_login(personas.admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/unit/").status_code == 200
    client.force_login(personas.manager)
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/accounts/unit/").status_code in (302, 403)


def test_admin_sees_only_own_organisation(client, personas):
    from tests.factories import UnitFactory

    foreign = UnitFactory(name="Fremmed enhed")
    client.force_login(personas.admin)
    body = client.get("/admin/accounts/unit/").content.decode()
    assert "Børn og Familie" in body
    assert "Fremmed enhed" not in body
    assert client.get(f"/admin/accounts/unit/{foreign.pk}/change/").status_code == 302


def test_logout(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "EnNyOgLangKode-42", "password2": "EnNyOgLangKode-42"},
    )
    assert response.status_code == 302
    personas.caseworker.refresh_from_db()
    assert personas.caseworker.check_password("EnNyOgLangKode-42")


def test_password_reset_sends_email(client, personas):
    response = client.post(reverse("account_reset_password"), {"email": personas.caseworker.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert personas.caseworker.email in mail.outbox[0].to
    assert re.search(r"/accounts/password/reset/key/", mail.outbox[0].body)


def test_session_expires_after_inactivity():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == 30 * 60
    # Not saved on every request: SessionRefreshMiddleware moves the expiry at most once a minute.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_each_request_moves_the_inactivity_deadline(client, personas):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(personas.caseworker)
    client.get(reverse("dashboard:caseworker"))
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    assert abs((session.expire_date - expected).total_seconds()) < 10


def test_idle_session_is_signed_out(client, personas):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(personas.caseworker)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("dashboard:caseworker"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_required_mfa_sends_manager_without_totp_to_set_up(client, personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    client.force_login(personas.manager)
    response = client.get(reverse("dashboard:manager"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_required_mfa_does_not_touch_caseworkers(client, personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    client.force_login(personas.caseworker)
    assert client.get(reverse("dashboard:caseworker")).status_code == 200


def test_mfa_not_required_lets_manager_in(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("dashboard:manager")).status_code == 200


def test_manager_with_totp_is_asked_for_code_at_sign_in(client, personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    secret = _activate_totp(personas.manager)
    response = login(client, "manager")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    import time

    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    done = client.post(reverse("mfa_authenticate"), {"code": code})
    assert done.status_code == 302
    assert client.get(reverse("dashboard:manager")).status_code == 200
    assert Authenticator.objects.filter(user=personas.manager).exists()


def test_a_plain_read_does_not_rewrite_the_session(client, personas, django_assert_max_num_queries):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.caseworker)
    client.get(reverse("dashboard:caseworker"))  # the first request stamps the refresh
    before = Session.objects.get(session_key=client.session.session_key).expire_date
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("dashboard:caseworker"))
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []
    assert Session.objects.get(session_key=client.session.session_key).expire_date == before


def test_the_idle_deadline_moves_once_the_refresh_is_a_minute_old(client, personas):
    import time as time_module
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from udhaengning.middleware import SessionRefreshMiddleware

    client.force_login(personas.caseworker)
    client.get(reverse("dashboard:caseworker"))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    session = client.session
    session[SessionRefreshMiddleware.STAMP] = int(time_module.time()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("dashboard:caseworker"))
    expected = timezone.now() + timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    assert abs((Session.objects.get(session_key=key).expire_date - expected).total_seconds()) < 10
