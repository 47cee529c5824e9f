"""May a capture reach this URL? Only public addresses, decided after DNS resolution.

`check_url(url)` returns the address to connect to (the caller connects to exactly that
address, so a second DNS answer cannot point elsewhere) or raises `Refused` with a Danish
reason. It is called for the URL the manager typed, for every redirect and for every
request the browser makes while loading the page (incidents.capture.browser routes them all
through incidents.capture.fetch).

Refused: other schemes than http/https, user names or passwords in the URL, names that do
not resolve, and any address that is not globally routable (loopback, private, link-local
with the 169.254.169.254 metadata service, carrier-grade NAT, multicast, reserved, IPv4
inside IPv6 of those). `settings.CAPTURE_ALLOWED_NETWORKS` (CIDRs) opens networks for the
test suite only; production settings refuse to start with it set.

`getaddrinfo` is a module attribute so tests can map a made-up host name to an address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

getaddrinfo = socket.getaddrinfo

ALLOWED_SCHEMES = ("http", "https")


class Refused(ValueError):
    """The capture may not reach this URL; str(exc) is a Danish reason."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL (for Host, SNI and the certificate)
    port: int
    address: str  # the checked IP address to connect to


def _allowed_networks() -> list:
    return [
        ipaddress.ip_network(cidr.strip(), strict=False)
        for cidr in getattr(settings, "CAPTURE_ALLOWED_NETWORKS", []) or []
        if cidr.strip()
    ]


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None or ip.teredo is not None:
            return False  # tunnels that can lead into private IPv4 space
    return ip.is_global and not ip.is_multicast


def address_allowed(address: str) -> bool:
    if address_is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _allowed_networks())


def check_url(url: str) -> Target:
    """The checked target of `url`, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(_("adressen er ikke en gyldig webadresse.")) from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise Refused(_("kun adresser, der begynder med http:// eller https://, kan sikres."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("adressen må ikke indeholde brugernavn eller adgangskode."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(_("adressen mangler et værtsnavn."))
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(_("værtsnavnet «%(host)s» findes ikke.") % {"host": host}) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused(_("værtsnavnet «%(host)s» findes ikke.") % {"host": host})
    # Every address the name resolves to must be allowed, not only the first one.
    for address in addresses:
        if not address_allowed(address):
            raise Refused(
                _("«%(host)s» peger på en intern adresse (%(address)s), som systemet ikke må kontakte.")
                % {"host": host, "address": address}
            )
    return Target(scheme=scheme, host=host, port=port, address=addresses[0])
