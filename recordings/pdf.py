"""The guideline as a printable PDF (WeasyPrint), to hand to a citizen at the desk.

Offline: the print template carries its own styles and has no images or links to fetch;
the URL fetcher refuses anything that is not a file in our static folders, so nothing
in the guideline text can make the server fetch a URL. Text is escaped by the template
and by recordings.markup. Fonts: DejaVu from the system (fonts-dejavu-core).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "recordings/pdf/guideline.html"


class RefusedURL(ValueError):
    """Not one of our static files; WeasyPrint leaves the resource out."""


def _static_roots() -> tuple[Path, ...]:
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(root.resolve() for root in roots)


def allowed_file(url: str) -> Path:
    """The local path of a file: URL inside our static folders; RefusedURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"only local files may be loaded, not {url[:80]!r}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_file() or not any(path.is_relative_to(root) for root in _static_roots()):
        raise RefusedURL(f"not one of our static files: {url[:80]!r}")
    return path


def url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=5, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            path = allowed_file(url)
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return LocalOnlyFetcher()


def guideline_html(guideline, passages, *, organisation_name: str) -> str:
    with translation.override("da"):
        return render_to_string(TEMPLATE, {
            "guideline": guideline, "passages": passages, "organisation_name": organisation_name,
            "generated_at": timezone.localtime(),
        })


def guideline_pdf(guideline, passages, *, organisation_name: str) -> bytes:
    """The guideline version on A4 pages, in Danish (it is handed to citizens)."""
    from weasyprint import HTML

    html = guideline_html(guideline, passages, organisation_name=organisation_name)
    base = _static_roots()[0].as_uri() + "/" if _static_roots() else None
    return HTML(string=html, base_url=base, url_fetcher=url_fetcher()).write_pdf()
