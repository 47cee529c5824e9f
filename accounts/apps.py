from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Brugere og organisation")

    def ready(self) -> None:
        from . import access_cache, security

        security.connect()
        access_cache.connect()
