"""Fetch one request for the capture browser: to the checked address only, within limits.

The browser never connects anywhere itself (it is started with a host-resolver rule that
resolves nothing); every request it makes is routed here (`browser._route`), checked with
`ssrf.check_url`, sent to the address that check returned, and the answer handed back to
the browser. Redirects are not followed here: the browser gets the 3xx, asks for the new
URL, and that request is checked again like any other.

Limits (settings): one response's size, the total bytes and the number of requests of one
capture, and a time-out per request. A response over the size limit is cut off
(`FetchResult.truncated`), and the caller decides what that means.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import certifi
import urllib3
from django.utils.translation import gettext as _

from . import ssrf

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
CHUNK = 64 * 1024


class LimitReached(Exception):
    """The capture's request count or total size is used up; str(exc) is Danish."""


@dataclass
class Budget:
    max_response_bytes: int
    max_total_bytes: int
    max_requests: int
    request_timeout: float
    requests: int = 0
    total_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_request(self) -> None:
        with self.lock:
            if self.requests >= self.max_requests:
                raise LimitReached(
                    _("siden hentede mere end %(n)s filer; resten er ikke hentet.") % {"n": self.max_requests}
                )
            self.requests += 1

    def take_bytes(self, n: int) -> bool:
        with self.lock:
            if self.total_bytes + n > self.max_total_bytes:
                return False
            self.total_bytes += n
            return True


@dataclass
class FetchResult:
    url: str
    address: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]  # as received, minus hop-by-hop and encoding headers
    body: bytes
    truncated: bool = False
    elapsed_ms: int = 0

    def header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), "")


def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None, budget: Budget
) -> FetchResult:
    """Fetch `url` from its checked address. Raises ssrf.Refused, LimitReached or urllib3 errors."""
    target = ssrf.check_url(url)
    budget.take_request()
    started = time.monotonic()
    send = {k: v for k, v in (headers or {}).items() if k.lower() not in HOP_BY_HOP and not k.startswith(":")}
    default_port = 443 if target.scheme == "https" else 80
    send["Host"] = target.host if target.port == default_port else f"{target.host}:{target.port}"
    send["Accept-Encoding"] = "gzip, deflate"
    timeout = urllib3.Timeout(connect=min(10.0, budget.request_timeout), read=budget.request_timeout)
    address = target.address
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            timeout=timeout,
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(
            method,
            path,
            headers=send,
            body=body,
            redirect=False,
            preload_content=False,
            assert_same_host=False,
            timeout=timeout,
        )
        try:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in response.stream(CHUNK, decode_content=True):
                if size + len(chunk) > budget.max_response_bytes or not budget.take_bytes(len(chunk)):
                    truncated = True
                    break
                chunks.append(chunk)
                size += len(chunk)
            kept = [
                (k, v)
                for k, v in response.headers.items()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-encoding"
            ]
            version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.version, "HTTP/1.1")
            return FetchResult(
                url=url,
                address=address,
                status=response.status,
                reason=response.reason or "",
                http_version=version,
                headers=kept,
                body=b"".join(chunks),
                truncated=truncated,
                elapsed_ms=int((time.monotonic() - started) * 1000),
            )
        finally:
            response.release_conn()
            response.close()
    finally:
        pool.close()
