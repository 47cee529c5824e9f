"""The statistics as a PDF (DOMAIN.md section 6, kind `statistics`), with WeasyPrint.

The template (templates/stats/pdf/statistics.html) carries its own print styles and the
charts as inline SVG, so nothing has to be fetched: the URL fetcher refuses every URL
(no network, no files). Text is DejaVu Sans from the system (fonts-dejavu-core), embedded
as a subset. The PDF shows the same tables, marks and charts as the page; it is rendered
in Danish whatever the language of the request.

This is the one way the statistics become a PDF: the reports machinery (a `Report` of
kind `statistics`, rendered by the Celery worker in `reports.services.report_render`) calls
`statistics_pdf` with the statistics counted for the user who asked, and records the file's
SHA-256 and page count. The report's number is in the footer beside page x of y.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from common.pdf import refusing_fetcher, render_pdf

from .charts import charts_for, table_sections
from .selectors import Statistics

TEMPLATE = "stats/pdf/statistics.html"


@dataclass(frozen=True)
class StatisticsPdf:
    content: bytes
    pages: int
    sha256: str


def statistics_html(
    statistics: Statistics, *, organisation: str = "", generated_by: str = "", reference: str = ""
) -> str:
    with translation.override("da"):
        charts = charts_for(statistics)
        return render_to_string(
            TEMPLATE,
            {
                "statistics": statistics,
                "charts": charts,
                "sections": table_sections(statistics, charts),
                "organisation": organisation,
                "generated_by": generated_by,
                "reference": reference,
            },
        )


def statistics_pdf(
    statistics: Statistics, *, organisation: str = "", generated_by: str = "", reference: str = ""
) -> StatisticsPdf:
    html = statistics_html(statistics, organisation=organisation, generated_by=generated_by, reference=reference)
    # PDF/A-3b like every report (common.pdf.PDF_VARIANT); the charts are inline SVG.
    rendered = render_pdf(html, base_url="about:blank", url_fetcher=refusing_fetcher())
    return StatisticsPdf(
        content=rendered.content, pages=rendered.pages, sha256=hashlib.sha256(rendered.content).hexdigest()
    )
