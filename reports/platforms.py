"""Who receives a DSA notice (art. 16) for each platform code: the provider's legal entity
in the EU (DOMAIN.md 6; LEGAL-REVIEW.md C 18). One row per platform code of DOMAIN.md 3.3.

A platform without a fixed provider (a blog, a website, a forum, a closed group, news
comments, "other") is addressed to "the hosting provider of the site" by name: the notice
names the site from the URL, and the manager sends it to the host's contact point.
Platforms that host nothing the DSA covers here (a book, e-mail, private messaging) have
no row with an entity: the DSA notice is not made for them (the platform's own reporting
tool or a letter to the publisher is the way).

Addresses are the providers' registered addresses as published in their terms of service
(checked 2026-12-01); the notice is normally sent through the provider's own DSA form.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class LegalEntity:
    name: str
    address: str = ""
    service: str = ""


META = LegalEntity("Meta Platforms Ireland Ltd.", "Merrion Road, Dublin 4, D04 X2K5, Irland")

DSA_ENTITIES: dict[str, LegalEntity | None] = {
    "facebook": LegalEntity(META.name, META.address, "Facebook"),
    "instagram": LegalEntity(META.name, META.address, "Instagram"),
    "x": LegalEntity(
        "Twitter International Unlimited Company",
        "One Cumberland Place, Fenian Street, Dublin 2, D02 AX07, Irland",
        "X",
    ),
    "tiktok": LegalEntity("TikTok Technology Limited", "10 Earlsfort Terrace, Dublin 2, D02 T380, Irland", "TikTok"),
    "youtube": LegalEntity("Google Ireland Limited", "Gordon House, Barrow Street, Dublin 4, Irland", "YouTube"),
    "linkedin": LegalEntity(
        "LinkedIn Ireland Unlimited Company", "Wilton Plaza, Wilton Place, Dublin 2, Irland", "LinkedIn"
    ),
    "reddit": LegalEntity(
        "Reddit, Inc.", "303 2nd Street, South Tower, 5th Floor, San Francisco, CA 94107, USA", "Reddit"
    ),
    # Named from the URL: the site's hosting provider.
    "blog": LegalEntity(""),
    "website": LegalEntity(""),
    "news_comments": LegalEntity(""),
    "forum": LegalEntity(""),
    "closed_group": LegalEntity(""),
    "other": LegalEntity(""),
    # Not hosting to the public (DSA recital 14) or not an online service.
    "book": None,
    "messaging": None,
    "email": None,
}


def entity_for(platform: str, url: str = "") -> LegalEntity | None:
    """The recipient of a notice about content on `platform` at `url` (None: no DSA notice)."""
    entity = DSA_ENTITIES.get(platform)
    if entity is None:
        return None
    if entity.name:
        return entity
    host = urlsplit(url).hostname or ""
    return LegalEntity(_("Hostingudbyderen for %(site)s") % {"site": host or _("webstedet")}, "", host)


def dsa_platforms(publications) -> list[str]:
    """The platform codes among `publications` (with a URL) that a DSA notice can go to, in order."""
    seen: list[str] = []
    for publication in publications:
        if publication.url and DSA_ENTITIES.get(publication.platform) is not None and publication.platform not in seen:
            seen.append(publication.platform)
    return seen
