from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifikationer")

    def ready(self):
        from accounts import signed_in
        from accounts.signals import role_self_granted

        from .services import UNREAD, unread_expression

        signed_in.register(UNREAD, unread_expression)

        role_self_granted.connect(_tell_admins_of_self_grant, dispatch_uid="notifications.role_self_granted")


def _tell_admins_of_self_grant(sender, *, membership, actor, **kwargs):
    from .services import on_role_self_granted

    on_role_self_granted(membership=membership, actor=actor)
