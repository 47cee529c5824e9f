"""The client's address, taken only from what our own proxies wrote.

Each proxy of ours appends the address it received the connection from to
X-Forwarded-For, so with `TRUSTED_PROXY_HOPS = n` the n-th address from the right is the
client as our outermost proxy saw it; everything to its left was written by the client and
is ignored. With 0 hops the connecting address (REMOTE_ADDR) is the client. Audit events
and sign-in throttling both use this one function.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


class BadForwardedFor(ValueError):
    """X-Forwarded-For holds something that is not an IP address."""


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def forwarded_for_is_valid(header: str) -> bool:
    """Is every entry of an X-Forwarded-For header an IP address?"""
    return all(_valid(part) for part in header.split(",")) if header.strip() else True


def client_ip(request) -> str | None:
    """The client's IP address, or None without a request or a usable address."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < hops:
        return remote  # reached us past the proxies (for example a health check on the host)
    return _valid(chain[-hops]) or remote
