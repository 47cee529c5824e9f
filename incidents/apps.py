from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Hændelser")

    def ready(self) -> None:
        from notifications.models import Kind
        from notifications.services import INCIDENT_TYPE, register_open_check, register_still_due

        from .notify import may_open_incident_notification, retention_warning_still_due

        register_still_due(Kind.RETENTION_WARNING, retention_warning_still_due)
        register_open_check(INCIDENT_TYPE, may_open_incident_notification)

        from . import list_choices

        list_choices.connect()
