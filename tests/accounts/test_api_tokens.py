"""API tokens: created and revoked in the UI, shown once, hashed, expiring, scoped, throttled."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership
from audit.models import AuditEvent
from tests.factories import api_token

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/incidents/"
STATISTICS = "/api/v1/statistics/"
LIST = reverse("api_tokens:list")


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _create_in_ui(client, user, **data) -> str:
    client.force_login(user)
    response = client.post(LIST, {"name": "Regneark", "scopes": ["incidents:read"], "expires_in_days": 30, **data})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    return re.search(r'id="api-key" type="text" value="([^"]+)"', response.content.decode()).group(1)


def test_a_token_made_in_the_ui_is_shown_once_and_works(client, personas):
    key = _create_in_ui(client, personas.caseworker)
    assert key.startswith("udh_")
    assert _api(key).get(INCIDENTS).status_code == 200
    page = client.get(LIST).content.decode()
    assert "Regneark" in page and key not in page
    assert key.split("_")[1] in page  # the prefix identifies it in the list
    token = ApiToken.objects.get(user=personas.caseworker)
    assert token.scopes == ["incidents:read"] and token.last_used_at is not None


@pytest.mark.postgres
def test_no_table_holds_the_key_in_plain_text(client, personas):
    key = _create_in_ui(client, personas.caseworker)
    _api(key).get(INCIDENTS)
    secret = key.split("_", 2)[2]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        hits = []
        for table in tables:
            quoted = connection.ops.quote_name(table)  # a name from the catalogue, not input
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE t::text LIKE %s", [f"%{secret}%"])  # noqa: S608
            if cursor.fetchone()[0]:
                hits.append(table)
    assert tables and hits == []
    assert ApiToken.objects.get().key_hash != key and len(ApiToken.objects.get().key_hash) == 64


def test_only_scopes_the_roles_allow_are_offered(client, personas):
    client.force_login(personas.union_rep)
    page = client.get(LIST).content.decode()
    assert "Statistik" in page and "Registrere og ændre hændelser" not in page
    response = client.post(LIST, {"name": "x", "scopes": ["incidents:write"], "expires_in_days": 30})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "admin"])
def test_users_without_a_role_that_uses_the_api_get_404(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(LIST).status_code == 404


def test_creation_and_revocation_are_audited_and_a_revoked_token_is_refused(client, personas):
    key = _create_in_ui(client, personas.caseworker)
    token = ApiToken.objects.get()
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "er tilbagekaldt" in response.content.decode()
    refused = _api(key).get(INCIDENTS)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "API-nøglen er tilbagekaldt.", "code": "token_revoked"}
    events = AuditEvent.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk)).order_by("id")
    assert [e.action for e in events] == [AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE]
    assert events[1].details["reason"] == "user" and events[0].details["prefix"] == token.prefix
    assert key not in str([e.details for e in events])


def test_nobody_revokes_another_users_token(client, personas):
    api_token(personas.caseworker)
    client.force_login(personas.other_caseworker)
    response = client.post(reverse("api_tokens:revoke", args=[ApiToken.objects.get().pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_an_expired_token_is_refused_with_its_date(personas):
    key = api_token(personas.caseworker)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = _api(key).get(INCIDENTS)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "udløbet" in response.json()["detail"]


def test_out_of_scope_is_403_naming_the_scope_needed(personas):
    reader = api_token(personas.manager, scopes=["incidents:read"])
    response = _api(reader).post(INCIDENTS, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "token_out_of_scope"
    assert response.json()["required_scope"] == "incidents:write"
    assert "Registrere og ændre hændelser" in response.json()["detail"]
    stats = _api(api_token(personas.manager, scopes=["statistics"]))
    assert stats.get(STATISTICS).status_code == 200
    assert stats.get(INCIDENTS).json()["required_scope"] == "incidents:read"


def test_a_session_is_not_limited_by_scopes(client, personas):
    client.force_login(personas.manager)
    assert client.get(STATISTICS).status_code == 200 and client.get(INCIDENTS).status_code == 200


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "2/minute", "api_user": "3/minute"},
    }
)
def test_throttled_per_token_and_per_user(personas):
    cache.clear()
    first, second = api_token(personas.caseworker), api_token(personas.caseworker)
    assert [_api(first).get(INCIDENTS).status_code for _ in range(2)] == [200, 200]
    refused = _api(first).get(INCIDENTS)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) >= 1
    assert "For mange forespørgsler" in refused.json()["detail"]
    # Another token of the same user has its own count, but the user's count runs out at 3.
    assert _api(second).get(INCIDENTS).status_code == 200
    assert _api(second).get(INCIDENTS).status_code == 429
    # Another user is not affected.
    assert _api(api_token(personas.other_caseworker)).get(INCIDENTS).status_code == 200
    cache.clear()


def test_a_password_change_revokes_the_tokens(client, personas):
    key = api_token(personas.caseworker)
    assert _api(key).get(INCIDENTS).status_code == 200
    personas.caseworker.set_password("en-helt-ny-adgangskode-42")
    personas.caseworker.save()
    response = _api(key).get(INCIDENTS)
    assert response.status_code == 401
    assert "adgangskoden er ændret" in response.json()["detail"]
    assert ApiToken.objects.get().revoked_reason == ApiToken.RevokedReason.PASSWORD


def test_deactivation_revokes_the_tokens(personas):
    key = api_token(personas.caseworker)
    personas.caseworker.is_active = False
    personas.caseworker.save()
    assert _api(key).get(INCIDENTS).json()["code"] in {"token_revoked", "token_invalid"}
    assert ApiToken.objects.get().revoked_reason == ApiToken.RevokedReason.DEACTIVATED


def test_losing_the_memberships_a_scope_needs_revokes_the_token(personas):
    key = api_token(personas.union_rep, scopes=["statistics"])
    assert _api(key).get(STATISTICS).status_code == 200
    Membership.objects.filter(user=personas.union_rep).delete()
    response = _api(key).get(STATISTICS)
    assert response.status_code == 401 and "roller" in response.json()["detail"]
    assert ApiToken.objects.get().revoked_reason == ApiToken.RevokedReason.MEMBERSHIPS


def test_old_static_tokens_are_carried_over_hashed(personas):
    old = Token.objects.create(user=personas.caseworker)
    migration = importlib.import_module("accounts.migrations.0004_i18_carry_over_tokens_and_mfa")
    migration.forwards(apps, None)
    assert not Token.objects.exists()
    carried = ApiToken.objects.get(user=personas.caseworker)
    assert carried.key_hash != old.key and old.key not in str(carried.__dict__)
    assert carried.scopes == ["incidents:read", "incidents:write", "preview"]
    assert timedelta(days=89) < carried.expires_at - timezone.now() <= timedelta(days=90)
    assert _api(old.key).get(INCIDENTS).status_code == 200
