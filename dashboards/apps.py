from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The landing page of each role (issue 15 item 1, issue 17): orchestration over the apps below."""

    name = "dashboards"
    verbose_name = _("Overblik")
