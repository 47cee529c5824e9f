"""Single sign-on: the organisation's mapping from IdP groups to memberships, and the
periodic check that deactivates users the identity provider no longer knows."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.api_tokens.services import tokens_revoke_for_user, tokens_revoke_lost_scopes
from accounts.models import Membership
from audit.models import AuditEvent
from audit.services import audit_record

from .models import SSOGrant, SSOProvider

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    added: list[str]
    removed: list[str]


def groups_from_claims(provider: SSOProvider, claims: dict) -> list[str]:
    value = claims.get(provider.groups_claim) or []
    if isinstance(value, str):
        value = [value]
    return sorted({str(group) for group in value})


@transaction.atomic
def sso_memberships_sync(*, user, provider: SSOProvider, groups: list[str], request=None) -> SyncResult:
    """Make the user's SSO-given memberships exactly those the provider's mapping gives for `groups`.

    Memberships an admin gave by hand are left alone; a membership the mapping gave is
    removed when the user is no longer in any group that gives it. Losing a role also
    revokes the API tokens whose scopes need it.
    """
    wanted: dict[tuple[int, str], str] = {}
    for mapping in provider.group_mappings.filter(group__in=groups).order_by("group"):
        wanted.setdefault((mapping.unit_id, mapping.role), mapping.group)
    grants = {
        (g.membership.unit_id, g.membership.role): g
        for g in SSOGrant.objects.filter(provider=provider, membership__user=user).select_related(
            "membership", "membership__unit"
        )
    }
    removed, added = [], []
    for key, grant in grants.items():
        if key not in wanted:
            removed.append(str(grant.membership))
            grant.membership.delete()
    for (unit_id, role), group in wanted.items():
        if (unit_id, role) in grants:
            continue
        membership, created = Membership.objects.get_or_create(user=user, unit_id=unit_id, role=role)
        if created:
            SSOGrant.objects.create(membership=membership, provider=provider, group=group)
            added.append(str(membership))
    permissions.forget(user)
    if added or removed:
        audit_record(
            request=request,
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            organisation_id=provider.organisation_id,
            summary=_("Roller opdateret fra identitetsudbyderens grupper"),
            details={"provider": provider.slug, "groups": groups, "added": added, "removed": removed},
        )
    if removed:
        tokens_revoke_lost_scopes(user=user, request=request)
    return SyncResult(added=added, removed=removed)


# --- The periodic check ---------------------------------------------------------------------


def _client_credentials_token(provider: SSOProvider, session: requests.Session) -> str:
    config = session.get(
        provider.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        timeout=settings.SSO_DIRECTORY_TIMEOUT_SECONDS,
    )
    config.raise_for_status()
    response = session.post(
        config.json()["token_endpoint"],
        timeout=settings.SSO_DIRECTORY_TIMEOUT_SECONDS,
        data={
            "grant_type": "client_credentials",
            "client_id": provider.oidc_client_id,
            "client_secret": provider.oidc_client_secret,
        },
    )
    response.raise_for_status()
    return response.json()["access_token"]


def sso_directory_check(*, provider: SSOProvider) -> list[str]:
    """Deactivate the provider's users that its directory answers 404 (or 410) for.

    Only where the organisation gave a directory address (`directory_url` with `{uid}`);
    any other answer, or no answer, changes nothing (an outage must not lock people out).
    Returns the usernames deactivated.
    """
    from allauth.socialaccount.models import SocialAccount

    if not provider.directory_url or not provider.enabled:
        return []
    deactivated: list[str] = []
    with requests.Session() as session:
        headers = {}
        if provider.protocol == SSOProvider.Protocol.OIDC and provider.oidc_client_secret:
            headers["Authorization"] = f"Bearer {_client_credentials_token(provider, session)}"
        accounts = SocialAccount.objects.filter(provider=provider.slug, user__is_active=True).select_related("user")
        for account in accounts:
            url = provider.directory_url.replace("{uid}", requests.utils.quote(account.uid, safe=""))
            try:
                response = session.get(url, headers=headers, timeout=settings.SSO_DIRECTORY_TIMEOUT_SECONDS)
            except requests.RequestException:
                logger.warning("SSO directory %s did not answer for a user; nothing changed", provider.slug)
                continue
            if response.status_code in (404, 410):
                user_deactivate_unknown_to_idp(user=account.user, provider=provider)
                deactivated.append(account.user.get_username())
    SSOProvider.objects.filter(pk=provider.pk).update(last_directory_check_at=timezone.now())
    return deactivated


@transaction.atomic
def user_deactivate_unknown_to_idp(*, user, provider: SSOProvider) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens_revoke_for_user(user=user, reason="deactivated")
    audit_record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        organisation_id=provider.organisation_id,
        summary=_("Bruger deaktiveret: identitetsudbyderen kender ikke brugeren længere"),
        details={"provider": provider.slug, "user": user.get_username()},
    )
