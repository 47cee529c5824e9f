"""The guideline as a printable PDF (WeasyPrint), to hand to a citizen at the desk.

Offline: the print template carries its own styles and has no images or links to fetch;
the URL fetcher refuses anything that is not a file in our static folders, so nothing
in the guideline text can make the server fetch a URL. Text is escaped by the template
and by recordings.markup. Fonts: DejaVu from the system (fonts-dejavu-core).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from common.pdf import RefusedURL, allowed_static_file, render_pdf, static_base_url, static_fetcher

TEMPLATE = "recordings/pdf/guideline.html"

__all__ = ["RefusedURL", "allowed_file", "guideline_html", "guideline_pdf", "url_fetcher"]

allowed_file = allowed_static_file


def url_fetcher():
    return static_fetcher(lambda url: allowed_file(url))  # looked up per call, so a test can watch it


def guideline_html(guideline, passages, *, organisation_name: str) -> str:
    with translation.override("da"):
        return render_to_string(
            TEMPLATE,
            {
                "guideline": guideline,
                "passages": passages,
                "organisation_name": organisation_name,
                "generated_at": timezone.localtime(),
            },
        )


def guideline_pdf(guideline, passages, *, organisation_name: str) -> bytes:
    """The guideline version on A4 pages, in Danish (it is handed to citizens)."""
    html = guideline_html(guideline, passages, organisation_name=organisation_name)
    return render_pdf(html, base_url=static_base_url(), url_fetcher=url_fetcher(), archival=False).content
