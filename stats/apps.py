from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistik")

    def ready(self) -> None:
        from incidents import notify
        from reports import renderers
        from reports.models import Report

        from .report_pdf import make_statistics_report
        from .scope import unit_as_statistics_show_it
        from .signals import connect

        renderers.register(Report.Kind.STATISTICS, make_statistics_report)
        notify.register_statistics_unit(unit_as_statistics_show_it)
        connect()  # the rollup's marks (stats.rollup)
