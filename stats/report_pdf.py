"""The statistics report's renderer for the reports registry (reports.renderers, kind `statistics`).

The statistics are counted when the worker renders, for the user who asked, under the
disclosure control that applies to them then (`stats.selectors.statistics_for`), and laid
out by `stats.pdf.statistics_pdf`. Registered in stats.apps.StatsConfig.ready.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from reports.renderers import Made, ReportProblem


def make_statistics_report(report, *, now=None) -> Made:
    """The statistics counted now, for the user who asked (their disclosure control), as one PDF."""
    from .pdf import statistics_pdf
    from .selectors import statistics_for

    user = report.requested_by
    if user is None or not user.is_active:
        raise ReportProblem(_("brugeren, der bestilte den, findes ikke længere."))
    with translation.override("da"):
        try:
            form, statistics = statistics_for(user, report.statistics_params())
        except Http404 as exc:
            raise ReportProblem(_("du har ikke længere adgang til statistik.")) from exc
        if statistics is None:
            raise ReportProblem(_("filtrene gælder ikke længere: %(errors)s") % {"errors": form.errors_text(" ")})
        made = statistics_pdf(
            statistics,
            organisation=report.organisation.name if report.organisation else "",
            generated_by=user.get_full_name() or user.get_username(),
            reference=report.reference,
        )
    return Made(content=made.content, pages=made.pages, organisation_id=report.organisation_id)
