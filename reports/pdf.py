"""HTML → PDF with WeasyPrint, offline.

The report templates (templates/reports/pdf/) are rendered in Danish with Django's
autoescaping, so text typed by users is always text, never markup. WeasyPrint gets a
URL fetcher that serves our own static files (the print stylesheet) and refuses
everything else: no network, no file outside the static folders, no data: URLs from
user text. Fonts come from the system (DejaVu, fonts-dejavu-core) through @font-face
local() in the stylesheet and are embedded as subsets. Every report is written as
PDF/A-3b with tags (see `PDF_VARIANT`). The WeasyPrint setup is common.pdf.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from common.pdf import (
    PDF_VARIANT,
    RefusedURL,
    RenderedPdf,
    allowed_static_file,
    render_pdf,
    static_fetcher,
    static_roots,
)

STYLESHEET = "css/report-print.css"

__all__ = [
    "PDF_VARIANT",
    "STYLESHEET",
    "RefusedURL",
    "RenderedPdf",
    "base_url",
    "html_to_pdf",
    "render_html",
    "render_text",
    "static_roots",
]


def base_url() -> str:
    """Relative URLs in the templates (the stylesheet) resolve against the first static folder."""
    return static_roots()[0].as_uri() + "/"


_allowed_path = allowed_static_file


def _fetcher():
    return static_fetcher()


def render_html(template_name: str, context: dict) -> str:
    """The report's HTML, in Danish whatever language the caller runs in."""
    with translation.override("da"):
        return render_to_string(template_name, {**context, "stylesheet": STYLESHEET})


def render_text(template_name: str, context: dict) -> str:
    with translation.override("da"):
        return render_to_string(template_name, context).strip() + "\n"


def html_to_pdf(html: str) -> RenderedPdf:
    """Lay the HTML out on A4 pages and write the PDF/A-3b (fonts embedded, tagged)."""
    return render_pdf(html, base_url=base_url(), url_fetcher=_fetcher())
