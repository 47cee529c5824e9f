"""Landing pages: each persona lands on their role's page; other pages answer 404."""

import pytest
from django.urls import reverse

from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db

PAGES = {
    "dashboard:manager": {"manager", "other_manager"},
    "dashboard:caseworker": {"caseworker", "other_caseworker"},
    "dashboard:union_rep": {"manager", "other_manager", "union_rep"},
    "dashboard:admin": {"admin"},
}


@pytest.mark.parametrize("url_name", list(PAGES))
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_landing_pages_per_persona(client, personas, url_name, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(url_name))
    expected = 200 if persona in PAGES[url_name] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", [*PAGES, "home", "dashboard:no_role"])
def test_anonymous_is_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("manager", "dashboard:manager"),
        ("caseworker", "dashboard:caseworker"),
        ("union_rep", "dashboard:union_rep"),
        ("admin", "dashboard:admin"),
        ("outsider", "dashboard:no_role"),
    ],
)
def test_home_redirects_to_role_page(client, personas, persona, landing):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_caseworker_page_invites_to_report(client, personas):
    client.force_login(personas.caseworker)
    response = client.get(reverse("dashboard:caseworker"))
    assert "Anmeld at du er blevet hængt ud" in response.content.decode()


def test_union_rep_page_says_figures_are_anonymised(client, personas):
    client.force_login(personas.union_rep)
    body = client.get(reverse("dashboard:union_rep")).content.decode()
    assert "anonymiserede" in body
    assert "Børn og Familie" in body


def test_admin_page_shows_organisation_settings(client, personas):
    client.force_login(personas.admin)
    body = client.get(reverse("dashboard:admin")).content.decode()
    assert "Testkommune" in body
    assert personas.org.cvr in body


def test_navigation_follows_roles(client, personas):
    client.force_login(personas.union_rep)
    body = client.get(reverse("dashboard:union_rep")).content.decode()
    assert reverse("dashboard:union_rep") in body
    assert reverse("dashboard:manager") not in body
    assert reverse("dashboard:admin") not in body


def test_friendly_danish_404(client, personas):
    client.force_login(personas.caseworker)
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_english_is_selectable(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/mine-sager/"})
    assert response.status_code == 302
    body = client.get(reverse("dashboard:caseworker")).content.decode()
    assert 'lang="en"' in body
    assert "Report that you have been hung out" in body


def test_healthz(client, db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["ok"] is True  # tests/test_health.py checks the rest


def test_security_headers_and_strict_csp(client, personas):
    client.force_login(personas.caseworker)
    response = client.get(reverse("dashboard:caseworker"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.content.decode()
