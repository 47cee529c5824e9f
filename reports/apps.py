from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Rapporter")

    def ready(self) -> None:
        from . import integrity, renderers
        from .services import TEMPLATES, make_incident_report

        for kind in TEMPLATES:  # the incident kinds; other apps register their own (stats: statistics)
            renderers.register(kind, make_incident_report)
        integrity.register()  # its PDFs, bundles and archives in manage.py verify_evidence
