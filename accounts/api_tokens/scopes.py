"""What an API token may be used for, and which roles each use needs.

One table maps every API URL name to the scope a token needs (by method); a URL of the API
that is not in the table is refused for tokens (sessions are not affected), so a new
endpoint must be given a scope here before a token can reach it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS

from accounts.models import Role

READ_INCIDENTS = "incidents:read"
WRITE_INCIDENTS = "incidents:write"
STATISTICS = "statistics"
PREVIEW = "preview"

SCOPE_LABELS = {
    READ_INCIDENTS: _("Læse hændelser"),
    WRITE_INCIDENTS: _("Registrere og ændre hændelser"),
    STATISTICS: _("Statistik"),
    PREVIEW: _("Forhåndsvurdering"),
}

# A scope is worth holding only while the user has one of these roles somewhere.
SCOPE_ROLES: dict[str, frozenset[str]] = {
    READ_INCIDENTS: frozenset({Role.MANAGER, Role.CASEWORKER, Role.UNION_REP}),
    WRITE_INCIDENTS: frozenset({Role.MANAGER, Role.CASEWORKER}),
    STATISTICS: frozenset({Role.MANAGER, Role.UNION_REP}),
    PREVIEW: frozenset({Role.MANAGER, Role.CASEWORKER, Role.UNION_REP}),
}

ANY_SCOPE = "*"

# URL name → (scope for reading, scope for changing).
URL_SCOPES: dict[str, tuple[str, str]] = {
    "incident-list": (READ_INCIDENTS, WRITE_INCIDENTS),
    "incident-detail": (READ_INCIDENTS, WRITE_INCIDENTS),
    "incident-evidence": (READ_INCIDENTS, WRITE_INCIDENTS),
    "incident-evidence-download": (READ_INCIDENTS, READ_INCIDENTS),
    "incident-timeline": (READ_INCIDENTS, WRITE_INCIDENTS),
    "report-list": (READ_INCIDENTS, WRITE_INCIDENTS),
    "report-detail": (READ_INCIDENTS, WRITE_INCIDENTS),
    "report-download": (READ_INCIDENTS, READ_INCIDENTS),
    "assessment-preview": (PREVIEW, PREVIEW),
    "statistics": (STATISTICS, STATISTICS),
    # The schema holds no data; any valid token may read it.
    "api-schema": (ANY_SCOPE, ANY_SCOPE),
}


def required_scope(url_name: str | None, method: str) -> str | None:
    """The scope a token needs for this URL and method; None: tokens may not be used here."""
    pair = URL_SCOPES.get(url_name or "")
    if pair is None:
        return None
    return pair[0] if method in SAFE_METHODS else pair[1]


def scopes_for_roles(held: frozenset[str]) -> list[str]:
    """The scopes a user with these roles may give a token, in display order."""
    return [scope for scope, roles in SCOPE_ROLES.items() if roles & held]
