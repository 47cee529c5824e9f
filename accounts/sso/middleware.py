"""Let the sign-in forms post on to the organisations' identity providers.

The strict CSP allows forms to submit only to our own origin, and browsers apply
`form-action` to the redirect that follows the submit too. The sign-in pages (under
/accounts/) therefore also allow the origins of the enabled providers (the OIDC issuer,
the SAML SSO or metadata address); every other page keeps `'self'` only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import DatabaseError

from .models import SSOProvider


def provider_origins() -> list[str]:
    """The identity providers' origins for the CSP form-action; none while the database is
    unreachable (the page itself then answers as it can, never a 500 from here)."""
    origins: set[str] = set()
    try:
        rows = list(
            SSOProvider.objects.filter(enabled=True).only(
                "protocol", "oidc_issuer", "saml_idp_sso_url", "saml_idp_metadata_url"
            )
        )
    except DatabaseError:
        return []
    for row in rows:
        for url in (row.oidc_issuer, row.saml_idp_sso_url, row.saml_idp_metadata_url):
            parts = urlsplit(url or "")
            if parts.scheme in ("https", "http") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


class SSOFormActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/accounts/") and response.get("Content-Type", "").startswith("text/html"):
            origins = provider_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                response._csp_update = update
        return response
