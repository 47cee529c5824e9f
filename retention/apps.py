from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Opbevaring og sletning")

    def ready(self):
        from accounts.signals import organisation_retention_changed

        from .warnings import warn_of_immediate_deletions

        organisation_retention_changed.connect(
            warn_of_immediate_deletions, dispatch_uid="retention.warn_of_immediate_deletions"
        )
