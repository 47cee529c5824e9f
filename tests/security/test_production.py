"""Production checks (issue 9, item 6): HTTPS-only cookies and HSTS in production, two factors
for managers and admins when the organisation requires them, and the API schema for signed-in
users only. `check --deploy` clean with the production settings is tested in tests/test_project.py.
"""

from __future__ import annotations

import json

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import api_token
from tests.test_project import _manage

# Runs inside `manage.py shell` with the production settings. Static files are served from the
# source folders because collectstatic has not run here; nothing else is changed, and no
# database is touched (the sign-in page and the redirect need none).
PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings

static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=static):
    client = Client(HTTP_HOST="udhaengning.example.dk")
    behind_proxy = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http")
print(json.dumps({
    "https_status": behind_proxy.status_code,
    "hsts": behind_proxy.headers.get("Strict-Transport-Security"),
    "cookies": {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
                for name, c in behind_proxy.cookies.items()},
    "http_status": plain.status_code,
    "http_location": plain.headers.get("Location"),
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_NAME", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_NAME", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER")},
}))
"""


@pytest.fixture(scope="module")
def production():
    result = _manage("shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_https_only(production):
    config = production["settings"]
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["CSRF_COOKIE_SECURE"] is True
    # The __Secure- prefix makes browsers refuse the cookie over plain HTTP as well.
    assert config["SESSION_COOKIE_NAME"].startswith("__Secure-")
    assert config["CSRF_COOKIE_NAME"].startswith("__Secure-")
    assert config["DEBUG"] is False
    # The cookie the sign-in page really sets carries the flags.
    assert production["https_status"] == 200
    csrf = production["cookies"][config["CSRF_COOKIE_NAME"]]
    assert csrf == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_production_sends_hsts_and_redirects_plain_http(production):
    config = production["settings"]
    assert config["SECURE_HSTS_SECONDS"] >= 31536000
    assert config["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert config["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert production["http_status"] == 301
    assert production["http_location"] == "https://udhaengning.example.dk/accounts/login/"


# --- Two factors required by the organisation ------------------------------------------------------


@pytest.fixture
def mfa_org(personas):
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    return personas


LANDING = {"manager": ["dashboard:manager", "incidents:list"], "admin": ["dashboard:admin"]}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["manager", "admin"])
def test_manager_or_admin_without_totp_is_sent_to_set_it_up_everywhere(client, mfa_org, persona):
    client.force_login(getattr(mfa_org, persona))
    urls = [reverse(name) for name in LANDING[persona]] + ["/api/docs/", "/api/schema/"]
    if persona == "admin":
        urls.append("/admin/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    # The set-up itself stays reachable (allauth asks for the password again first): no loop.
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code in (200, 302)
    if setup.status_code == 302:
        assert setup["Location"].startswith("/accounts/")
        assert not setup["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["manager", "admin"])
def test_manager_or_admin_with_totp_gets_in(client, mfa_org, persona):
    user = getattr(mfa_org, persona)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    for name in LANDING[persona]:
        assert client.get(reverse(name)).status_code == 200, name
    if persona == "admin":
        assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["caseworker", "union_rep"])
def test_the_rule_does_not_touch_other_roles(client, mfa_org, persona):
    client.force_login(getattr(mfa_org, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(f"dashboard:{persona}")


@pytest.mark.django_db
def test_the_rule_is_off_unless_the_organisation_requires_it(client, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("dashboard:admin")).status_code == 200
    assert client.get("/admin/").status_code == 200


# --- The API schema and its docs: signed-in users only --------------------------------------------


@pytest.mark.django_db
def test_schema_refuses_a_request_without_credentials():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert b"/api/v1/" not in response.content


@pytest.mark.django_db
def test_schema_is_served_to_a_token_and_to_a_session(personas):
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {api_token(personas.caseworker)}")
    by_token = token.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert by_token.status_code == 200
    assert "/api/v1/incidents/" in by_token.json()["paths"]

    session = APIClient()
    session.force_login(personas.union_rep)
    assert session.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200


@pytest.mark.django_db
def test_docs_send_a_browser_without_a_session_to_sign_in(client):
    for url in ("/api/docs/", "/api/docs/?script="):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next=/api/docs/"), url
