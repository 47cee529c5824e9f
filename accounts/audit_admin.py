"""Admins read and filter the audit log; nobody can add, change or delete events.

It lives here, not in `audit/`, because who may read which organisation's events is the access
policy of `accounts.permissions`, and `audit` is the layer below `accounts`."""

from django.contrib import admin

from audit.models import AuditEvent

from . import permissions


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "incident_reference",
        "summary",
        "ip_address",
    ]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "incident_reference", "object_id", "summary"]
    date_hierarchy = "at"
    list_select_related = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        org_ids = permissions.administered_organisation_ids(request.user)
        return qs if org_ids is None else qs.filter(organisation_id__in=org_ids)

    def has_module_permission(self, request):
        return permissions.may_administer(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_administer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
