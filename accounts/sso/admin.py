"""The organisation admin's screens for single sign-on: providers and group → role mapping."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import OrganisationScopedAdmin
from accounts.models import Unit

from .models import SSOGroupMapping, SSOProvider


class SSOGroupMappingInline(admin.TabularInline):
    model = SSOGroupMapping
    extra = 1
    fields = ["group", "unit", "role"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        org_ids = permissions.administered_organisation_ids(request.user)
        if db_field.name == "unit" and org_ids is not None:
            kwargs["queryset"] = Unit.objects.filter(organisation_id__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request):
        return permissions.may_administer(request.user)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(SSOProvider)
class SSOProviderAdmin(OrganisationScopedAdmin):
    list_display = ["name", "protocol", "organisation", "enabled", "last_directory_check_at"]
    list_filter = ["protocol", "enabled"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["last_directory_check_at"]
    inlines = [SSOGroupMappingInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organisation",
                    "name",
                    "slug",
                    "protocol",
                    "enabled",
                    "allowed_email_domains",
                    "groups_claim",
                ]
            },
        ),
        (_("OpenID Connect"), {"fields": ["oidc_issuer", "oidc_client_id", "oidc_client_secret"]}),
        (
            _("SAML 2.0"),
            {
                "fields": [
                    "saml_idp_entity_id",
                    "saml_idp_metadata_url",
                    "saml_idp_sso_url",
                    "saml_idp_x509_cert",
                    "mfa_attribute",
                ]
            },
        ),
        (
            _("Brugere, identitetsudbyderen ikke kender længere"),
            {"fields": ["directory_url", "last_directory_check_at"]},
        ),
    ]
