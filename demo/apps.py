from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Made-up data for `make run` and the benchmarks (`manage.py seed_demo`); no models, no URLs."""

    name = "demo"
    verbose_name = _("Demodata")
