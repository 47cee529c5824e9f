"""Sign-in that degrades gracefully (issue 26 item 6): with Redis down sign-in still works
(the cache fails open and says so in the log), and one person's wrong passwords lock out
neither another account nor everyone behind the same proxy address."""

import logging
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _login(client, login, password=TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, on a free port; the test may stop it."""
    port = _free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.terminate()
        process.wait(10)


def test_sign_in_works_with_redis_stopped(client, personas, settings, own_redis, caplog):
    process, port = own_redis
    settings.CACHES = {
        "default": {
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # With Redis up, failures are counted there.
    _login(client, "caseworker", "forkert-kode")
    import redis

    assert redis.Redis(port=port).dbsize() > 0

    process.terminate()
    process.wait(10)
    with caplog.at_level(logging.WARNING, logger="accounts.cache"):
        wrong = _login(client, "caseworker", "forkert-kode")
        assert wrong.status_code == 200  # the form again, with its message: not a 500
        assert "ikke korrekt" in wrong.content.decode()
        started = time.monotonic()
        right = _login(client, "caseworker")
        took = time.monotonic() - started
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.caseworker.pk)
    assert client.get(reverse("dashboard:caseworker")).status_code == 200
    assert "Cache unavailable" in caplog.text and "throttling is off" in caplog.text
    assert took < 5  # short socket timeouts: a dead Redis does not hang the sign-in


def test_ten_wrong_passwords_from_one_address_do_not_lock_out_another_account(client, personas):
    for _ in range(10):
        _login(client, "caseworker", "forkert-kode", REMOTE_ADDR="192.0.2.50")
    # The attacked account is locked ...
    assert "for mange" in _login(client, "caseworker", REMOTE_ADDR="192.0.2.50").content.decode().lower()
    # ... but a colleague at the same address signs in.
    response = _login(client, "manager", REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.manager.pk)


def test_behind_the_proxy_one_persons_failures_do_not_lock_out_the_office(client, personas, settings):
    """Everyone reaches the app from the proxy's address; the client is the proxy's entry."""
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(12):
        _login(client, "caseworker", "forkert-kode", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    for name in ("manager", "union_rep", "other_caseworker"):
        colleague = type(client)()
        response = _login(colleague, name, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
        assert response.status_code == 302, name
        assert colleague.session["_auth_user_id"] == str(getattr(personas, name).pk)


def test_a_forged_forwarded_for_does_not_escape_the_account_limit(client, personas, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    for n in range(settings.LOGIN_FAILURES_PER_USER):
        _login(client, "caseworker", "forkert-kode", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
    refused = _login(client, "caseworker", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert "_auth_user_id" not in client.session
    assert "for mange" in refused.content.decode().lower()


def test_a_password_reset_by_email_lifts_the_lockout(client, personas, settings, mailoutbox):
    import re

    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        _login(client, "caseworker", "forkert-kode")
    assert "for mange" in _login(client, "caseworker").content.decode().lower()
    client.post(reverse("account_reset_password"), {"email": personas.caseworker.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mailoutbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "Et-helt-nyt-kodeord-77", "password2": "Et-helt-nyt-kodeord-77"},
    )
    response = _login(client, "caseworker", "Et-helt-nyt-kodeord-77")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.caseworker.pk)
