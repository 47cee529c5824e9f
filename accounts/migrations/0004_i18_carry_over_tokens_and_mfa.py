"""Carry the old static API tokens over to hashed, expiring, scoped ones; require two factors.

- Each plain-text `authtoken.Token` becomes an `ApiToken` holding only the SHA-256 of the
  key, named «Overført nøgle», with the scopes its user's roles allow and an expiry 90 days
  from the migration, so existing clients keep working while their owners make new keys;
  the plain-text row is then deleted.
- Organisations that never chose (no reason given) get the new default: two factors
  required for managers and admins.
"""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

CARRY_OVER_DAYS = 90
SCOPE_ROLES = {
    "incidents:read": {"manager", "caseworker", "union_rep"},
    "incidents:write": {"manager", "caseworker"},
    "statistics": {"manager", "union_rep"},
    "preview": {"manager", "caseworker", "union_rep"},
}


def forwards(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(require_mfa_for_managers=False, mfa_relaxed_reason="").update(
        require_mfa_for_managers=True)

    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    expires = timezone.now() + timedelta(days=CARRY_OVER_DAYS)
    for old in Token.objects.select_related("user"):
        roles = set(Membership.objects.filter(user_id=old.user_id).values_list("role", flat=True))
        scopes = [scope for scope, needs in SCOPE_ROLES.items() if needs & roles]
        prefix = old.key[:10]
        if scopes and old.user.is_active and not ApiToken.objects.filter(prefix=prefix).exists():
            ApiToken.objects.create(
                user_id=old.user_id, name="Overført nøgle", prefix=prefix,
                key_hash=hashlib.sha256(old.key.encode()).hexdigest(), scopes=scopes,
                credentials_fingerprint=hashlib.sha256(f"api-token:{old.user.password}".encode()).hexdigest(),
                created_at=old.created, expires_at=expires,
            )
        old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_i18_sso_api_tokens_mfa_default"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
