"""The outbox for organisation admins: read-only, with a "retry" action for failures.

Scoped like every admin screen to the organisations the admin administers. Messages hold
references, units and statuses only, never incident content (see notifications/models.py).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import OrganisationScopedAdmin

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(OrganisationScopedAdmin):
    list_display = ["created_at", "kind", "channel", "recipient", "state", "attempts", "sent_at", "short_error"]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["recipient__username", "recipient__email", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    ordering = ["-created_at", "-id"]
    actions = ["retry"]
    fields = [
        "organisation",
        "recipient",
        "kind",
        "channel",
        "subject",
        "body",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "read_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("seneste fejl"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send de valgte e-mails igen"))
    def retry(self, request, queryset):
        count = services.notification_retry(notifications=queryset)
        self.message_user(
            request,
            ngettext("%(count)d e-mail sendes igen.", "%(count)d e-mails sendes igen.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
