"""Security events in the audit chain (issue 26 item 5), each done the way a person would
do it: through the sign-in page, allauth's pages and the Django admin. Every event must be
in the organisation's keyed chain, and the chain must verify afterwards."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Membership, Role
from audit.models import AuditEvent
from audit.services import audit_verify, security_event
from notifications.models import Channel, Kind, Notification
from tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _kinds(user=None, **filters) -> list[str]:
    qs = AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, **filters).order_by("pk")
    if user is not None:
        qs = qs.filter(object_type="accounts.user", object_id=str(user.pk))
    return [event.details["kind"] for event in qs]


def _event(kind: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, details__kind=kind).latest("pk")


def _login(client, login, password=TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def test_sign_in_and_failed_sign_in_are_in_the_chain_with_the_address(client, personas):
    _login(client, "caseworker", "forkert-kode", REMOTE_ADDR="192.0.2.7")
    _login(client, "caseworker", REMOTE_ADDR="192.0.2.7")
    assert _kinds(personas.caseworker)[-2:] == ["auth.login_failed", "auth.login"]
    failed, ok = _event("auth.login_failed"), _event("auth.login")
    assert failed.ip_address == ok.ip_address == "192.0.2.7"
    assert ok.actor == personas.caseworker and failed.actor is None
    assert failed.organisation_id == ok.organisation_id == personas.org.pk
    assert failed.seq is not None and failed.chain == personas.org.pk
    assert "forkert-kode" not in str(failed.details)  # never the password
    assert audit_verify().ok


def test_a_failed_sign_in_for_an_unknown_name_does_not_store_what_was_typed(client, personas):
    _login(client, "mette.mistyped@example.dk", "x")
    event = _event("auth.login_failed")
    assert event.details["login"] == "(ukendt bruger)"
    assert "mistyped" not in str(event.details) + event.summary


def test_a_lockout_is_in_the_chain(client, personas, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        _login(client, "caseworker", "forkert-kode")
    refused = _login(client, "caseworker")
    assert "_auth_user_id" not in client.session
    assert "for mange" in refused.content.decode().lower()
    assert _kinds(personas.caseworker)[-1] == "auth.lockout"
    assert audit_verify().ok


def test_password_change_is_in_the_chain(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "Et-nyt-og-langt-kodeord-42",
            "password2": "Et-nyt-og-langt-kodeord-42",
        },
    )
    assert response.status_code == 302
    assert "user.password_changed" in _kinds(personas.caseworker)
    assert _event("user.password_changed").actor == personas.caseworker


def test_totp_and_recovery_codes_are_in_the_chain(client, personas, django_capture_on_commit_callbacks):
    _login(client, "manager")
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=personas.manager, type="totp").exists()
    added = [e.details["type"] for e in AuditEvent.objects.filter(details__kind="mfa.added")]
    assert "totp" in added

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert _event("mfa.reset").details["type"] == "recovery_codes"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"), {})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=personas.manager, type="totp").exists()
    removed = {e.details["type"] for e in AuditEvent.objects.filter(details__kind="mfa.removed")}
    assert "totp" in removed
    assert {"mfa.added", "mfa.reset", "mfa.removed"} <= set(_kinds(personas.manager))
    assert audit_verify().ok


def test_a_role_granted_and_removed_in_the_django_admin_is_in_the_chain(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": personas.caseworker.pk, "unit": personas.family.pk, "role": Role.MANAGER},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    granted = _event("role.granted")
    assert granted.actor == personas.admin
    assert granted.object_id == str(personas.caseworker.pk)
    assert granted.details["role"] == Role.MANAGER and granted.details["self_granted"] is False
    membership = Membership.objects.get(user=personas.caseworker, role=Role.MANAGER)

    response = client.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    revoked = _event("role.revoked")
    assert revoked.actor == personas.admin and revoked.details["role"] == Role.MANAGER
    assert audit_verify(organisation_id=personas.org.pk).ok


def test_an_admin_who_grants_themselves_the_manager_role_is_recorded_and_the_other_admins_are_told(client, personas):
    """The finding: an admin made themselves manager in the Django admin to read internal
    notes, and only django_admin_log knew."""
    second_admin = member(personas.root, Role.ADMIN, username="admin2", email="admin2@example.dk")
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/membership/add/", {"user": personas.admin.pk, "unit": personas.root.pk, "role": Role.MANAGER}
    )
    assert response.status_code == 302
    event = _event("role.granted")
    assert event.actor == personas.admin and event.details["self_granted"] is True
    assert event.chain == personas.org.pk and audit_verify().ok

    told = Notification.objects.filter(kind=Kind.ADMIN_ALERT, recipient=second_admin)
    assert {n.channel for n in told} == {Channel.IN_APP, Channel.EMAIL}
    in_app = told.get(channel=Channel.IN_APP)
    assert personas.admin.get_full_name() in in_app.subject
    assert "Leder" in in_app.body and "Socialforvaltning" in in_app.body
    assert not Notification.objects.filter(kind=Kind.ADMIN_ALERT, recipient=personas.admin).exists()


def test_a_role_granted_outside_any_request_is_in_the_chain_as_the_system(personas):
    """The shell, a data migration or a script: no request, still recorded."""
    Membership.objects.create(user=personas.outsider, unit=personas.team, role=Role.ADMIN)
    event = _event("role.granted")
    assert event.actor is None and event.actor_label == "system"
    assert event.object_id == str(personas.outsider.pk) and event.details["role"] == Role.ADMIN


def test_organisation_setting_changes_are_in_the_chain_with_before_and_after(client, personas):
    client.force_login(personas.admin)
    org = personas.org
    response = client.post(
        f"/admin/accounts/organisation/{org.pk}/change/",
        {
            "name": org.name,
            "cvr": org.cvr,
            "address": org.address,
            "contact_name": org.contact_name,
            "contact_email": org.contact_email,
            "contact_phone": org.contact_phone,
            "statistics_threshold": 3,
            "statistics_lag_months": 1,
            "retention_months": org.retention_months,
            "recording_retention_months": 36,
            "audit_retention_months": 60,
            "notify_union_reps_of_serious": "on",
            "mfa_relaxed_reason": "Testorganisation",
            "allow_local_passwords": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _event("organisation.settings_changed")
    assert event.actor == personas.admin and event.organisation_id == org.pk
    assert event.details["changed"]["statistics_threshold"] == {"from": org.statistics_threshold, "to": 3}
    assert "name" not in event.details["changed"]  # unchanged fields are not listed
    assert audit_verify().ok


def test_superuser_and_staff_flags_are_in_the_chain(personas):
    user = personas.caseworker
    user.is_superuser = True
    user.save()
    event = _event("user.changed")
    assert event.details["changed"]["is_superuser"] == {"from": False, "to": True}


def test_admin_lifts_a_lockout_and_that_is_in_the_chain(client, personas, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_USER + 1):
        _login(client, "caseworker", "forkert-kode")
    assert "_auth_user_id" not in _login(client, "caseworker").wsgi_request.session

    admin_client = type(client)()
    admin_client.force_login(personas.admin)
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "lift_sign_in_lockout", "_selected_action": [personas.caseworker.pk]}
    )
    assert response.status_code == 302
    assert _event("auth.lockout_lifted").actor == personas.admin

    _login(client, "caseworker")
    assert client.session["_auth_user_id"] == str(personas.caseworker.pk)


def test_security_event_is_the_hook_for_token_creation_and_revocation(personas):
    """i18's API tokens call this when a token is made or revoked."""
    for kind in ("token.created", "token.revoked"):
        security_event(
            actor=personas.manager, subject=personas.manager, kind=kind, summary="API-nøgle", details={"token_id": 7}
        )
    assert _kinds(personas.manager)[-2:] == ["token.created", "token.revoked"]
    assert _event("token.revoked").chain == personas.org.pk
    assert audit_verify().ok
