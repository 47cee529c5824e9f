from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "incidents.capture"
    label = "capture"
    verbose_name = _("Sikring af websider")
    default_auto_field = "django.db.models.BigAutoField"
