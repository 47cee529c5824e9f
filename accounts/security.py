"""Security events in the audit chain (issue 26 item 5).

Signal receivers, connected in AccountsConfig.ready(), record every sign-in and failed
sign-in, changes of passwords, two-factor authenticators and recovery codes, memberships
(role grants and removals) and organisation settings, whichever way they were made (the
app, allauth, the Django admin or the shell). A receiver is the one place every path
passes; it only writes to the audit chain and the outbox, in the same transaction.

An admin who grants themselves a role is not stopped, but every other admin of the
organisation is told at once (in the app and by e-mail).
"""

from __future__ import annotations

import logging

from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_delete, post_save, pre_save

from audit.context import current_request
from audit.services import security_event

from .models import Membership, Organisation, User
from .signals import role_self_granted

logger = logging.getLogger(__name__)

USER_FIELDS = ("password", "is_active", "is_staff", "is_superuser", "organisation_id", "email", "username")
ORGANISATION_FIELDS = [f.attname for f in Organisation._meta.concrete_fields if f.name != "id"]


def _request(request=None):
    return request if request is not None else current_request()


def _actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _record(
    *, kind: str, summary: str, subject=None, request=None, actor=None, details=None, organisation_id=None
) -> None:
    request = _request(request)
    security_event(
        request=request,
        actor=actor or _actor(request),
        kind=kind,
        summary=summary,
        subject=subject,
        details=details,
        organisation_id=organisation_id,
    )


# --- Signing in ---------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    _record(kind="auth.login", summary="Logget ind", subject=user, request=request, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    from .adapters import _user_for

    login = str(credentials.get("username") or credentials.get("email") or "")[:150]
    user = _user_for(login)
    _record(
        kind="auth.login_failed",
        summary="Mislykket login",
        subject=user,
        request=request,
        details={"login": login if user is not None else "(ukendt bruger)"},
    )


def lockout_recorded(*, request, user, login: str) -> None:
    """Called by the account adapter when a sign-in is refused for too many failures."""
    _record(
        kind="auth.lockout",
        summary="Login afvist: for mange mislykkede forsøg",
        subject=user,
        request=request,
        details={"login": login[:150] if user is not None else "(ukendt bruger)"},
    )


def lockout_lifted(*, request, user, by: str) -> None:
    _record(
        kind="auth.lockout_lifted",
        summary="Låsning af konto ophævet",
        subject=user,
        request=request,
        details={"by": by},
    )


# --- Users, passwords, two factors ----------------------------------------------------------


def on_user_pre_save(sender, instance: User, update_fields=None, **kwargs):
    if instance.pk is None or (
        update_fields is not None and not set(update_fields) & {f.removesuffix("_id") for f in USER_FIELDS}
    ):
        instance._security_before = None
        return
    instance._security_before = User.objects.filter(pk=instance.pk).values(*USER_FIELDS).first()


def on_user_post_save(sender, instance: User, created: bool, **kwargs):
    if created:
        _record(
            kind="user.created", summary="Bruger oprettet", subject=instance, details={"username": instance.username}
        )
        return
    before = getattr(instance, "_security_before", None)
    if not before:
        return
    changed = [name for name in USER_FIELDS if before[name] != getattr(instance, name)]
    if "password" in changed:
        _record(kind="user.password_changed", summary="Adgangskode ændret", subject=instance)
    # Names and addresses are personal data an erasure must be able to remove: only that they changed.
    flags = {
        name: (
            {"from": before[name], "to": getattr(instance, name)} if name not in ("username", "email") else "changed"
        )
        for name in changed
        if name != "password"
    }
    if flags:
        _record(
            kind="user.changed",
            summary="Brugerens adgang eller oplysninger ændret",
            subject=instance,
            details={"changed": flags},
        )


def _authenticator_event(kind: str, summary: str):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        _record(
            kind=kind,
            summary=summary,
            subject=user,
            request=request,
            details={"type": getattr(authenticator, "type", "")},
        )

    return receiver


# --- Memberships and settings ------------------------------------------------------------------


def on_membership_saved(sender, instance: Membership, created: bool, **kwargs):
    if not created:
        return
    request = current_request()
    actor = _actor(request)
    organisation_id = instance.unit.organisation_id
    _record(
        kind="role.granted",
        summary=f"Rolle tildelt: {instance.role} i {instance.unit.name}"[:300],
        subject=instance.user,
        organisation_id=organisation_id,
        details={
            "role": instance.role,
            "unit_id": instance.unit_id,
            "membership_id": instance.pk,
            "self_granted": actor is not None and actor.pk == instance.user_id,
        },
    )
    if actor is not None and actor.pk == instance.user_id:
        role_self_granted.send(sender=Membership, membership=instance, actor=actor)


def on_membership_deleted(sender, instance: Membership, **kwargs):
    _record(
        kind="role.revoked",
        summary=f"Rolle fjernet: {instance.role}",
        subject=instance.user,
        organisation_id=instance.unit.organisation_id,
        details={"role": instance.role, "unit_id": instance.unit_id},
    )


def on_organisation_pre_save(sender, instance: Organisation, **kwargs):
    instance._security_before = (
        Organisation.objects.filter(pk=instance.pk).values(*ORGANISATION_FIELDS).first() if instance.pk else None
    )


def on_organisation_post_save(sender, instance: Organisation, created: bool, **kwargs):
    before = getattr(instance, "_security_before", None) or {}
    changed = {
        name: {"from": before.get(name), "to": getattr(instance, name)}
        for name in ORGANISATION_FIELDS
        if created or before.get(name) != getattr(instance, name)
    }
    if changed:
        _record(
            kind="organisation.created" if created else "organisation.settings_changed",
            summary="Organisation oprettet" if created else "Organisationens indstillinger ændret",
            organisation_id=instance.pk,
            details={"fields": sorted(changed)} if created else {"changed": changed},
        )


def _receivers():
    from allauth.mfa import signals as mfa_signals

    yield auth_signals.user_logged_in, on_logged_in, None, "security_logged_in"
    yield auth_signals.user_login_failed, on_login_failed, None, "security_login_failed"
    yield pre_save, on_user_pre_save, User, "security_user_pre"
    yield post_save, on_user_post_save, User, "security_user_post"
    yield post_save, on_membership_saved, Membership, "security_membership_saved"
    yield post_delete, on_membership_deleted, Membership, "security_membership_deleted"
    yield pre_save, on_organisation_pre_save, Organisation, "security_org_pre"
    yield post_save, on_organisation_post_save, Organisation, "security_org_post"
    for signal, kind, summary in (
        (mfa_signals.authenticator_added, "mfa.added", "Tofaktor tilføjet"),
        (mfa_signals.authenticator_removed, "mfa.removed", "Tofaktor fjernet"),
        (mfa_signals.authenticator_reset, "mfa.reset", "Gendannelseskoder fornyet"),
    ):
        yield (
            signal,
            _AUTHENTICATOR_RECEIVERS.setdefault(kind, _authenticator_event(kind, summary)),
            None,
            f"security_{kind}",
        )


_AUTHENTICATOR_RECEIVERS: dict = {}


def connect() -> None:
    for signal, receiver, sender, uid in _receivers():
        signal.connect(receiver, sender=sender, dispatch_uid=uid, weak=False)


def disconnect() -> None:
    """For tests that look at a chain of their own events only."""
    for signal, receiver, sender, uid in _receivers():
        signal.disconnect(receiver, sender=sender, dispatch_uid=uid)
