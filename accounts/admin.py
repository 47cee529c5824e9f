"""Admin screens for organisation admins: units, users, memberships, settings.

Access goes through the access policy: an organisation admin sees and changes only their
own organisation; the admin site itself lets in only admins (see `udhaengning/urls.py`).
Incident content is never registered here.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import permissions
from .models import Membership, Organisation, Unit, User


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Restricts an admin screen to the organisations the user administers."""

    organisation_field = "organisation"

    def _org_ids(self, request):
        return permissions.administered_organisation_ids(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        org_ids = self._org_ids(request)
        if org_ids is None:
            return qs
        return qs.filter(**{f"{self.organisation_field}__in": org_ids})

    def _allowed(self, request, obj=None) -> bool:
        return permissions.may_administer(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        org_ids = self._org_ids(request)
        if org_ids is not None:
            related = db_field.related_model
            if related is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk__in=org_ids)
            elif related is Unit:
                kwargs["queryset"] = Unit.objects.filter(organisation_id__in=org_ids)
            elif related is User:
                kwargs["queryset"] = User.objects.filter(organisation_id__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_field = "pk"
    list_display = ["name", "cvr", "statistics_threshold", "retention_months", "require_mfa_for_managers"]
    fieldsets = [
        (None, {"fields": ["name", "cvr", "address"]}),
        (_("Kontakt til rapporter"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        (_("Politi og databeskyttelse"), {"fields": ["police_district", "dpo_name", "dpo_email", "dpo_phone"]}),
        (_("Regler"), {"fields": [
            "statistics_threshold", "statistics_lag_months", "retention_months", "notify_union_reps_of_serious",
        ]}),
        (_("Log ind"), {"fields": ["require_mfa_for_managers", "mfa_relaxed_reason", "allow_local_passwords"]}),
    ]

    def save_model(self, request, obj, form, change):
        from .mfa_rule import organisation_mfa_rule_audit

        previous = Organisation.objects.filter(pk=obj.pk).values_list(
            "require_mfa_for_managers", "mfa_relaxed_reason").first() if change else None
        super().save_model(request, obj, form, change)
        organisation_mfa_rule_audit(organisation=obj, previous_required=previous[0] if previous else None,
                                    previous_reason=previous[1] if previous else "", actor=request.user,
                                    request=request)
        if change and "retention_months" in form.changed_data:
            self._warn_of_immediate_deletions(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @staticmethod
    def _warn_of_immediate_deletions(request, organisation) -> None:
        """A shorter retention period can put closed cases past it at once: they go in the next
        nightly run without the usual 30-day warning to their managers, so the admin is told."""
        from incidents.due import retention_overview

        due = retention_overview(timezone.now(), organisation_ids=[organisation.pk],
                                 within=timedelta(0))[organisation.pk].due_soon
        if due:
            messages.warning(request, ngettext(
                "Med den nye opbevaringsperiode er %(n)s afsluttet sag allerede over perioden. Den slettes ved "
                "næste natlige kørsel uden den sædvanlige varsling på 30 dage. Bed sagens leder sætte retligt "
                "hold på den, hvis den skal bevares, eller forlæng perioden igen.",
                "Med den nye opbevaringsperiode er %(n)s afsluttede sager allerede over perioden. De slettes ved "
                "næste natlige kørsel uden den sædvanlige varsling på 30 dage. Bed sagernes ledere sætte retligt "
                "hold på dem, der skal bevares, eller forlæng perioden igen.",
                due,
            ) % {"n": due})


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(Unit)
class UnitAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "parent", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedAdmin):
    organisation_field = "unit__organisation"
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "job_title", "phone", "organisation"]}),
        (_("Adgang"), {"fields": ["is_active", "is_staff"]}),
        (_("Datoer"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["lift_sign_in_lockout"]

    @admin.action(description=_("Ophæv loginspærring"))
    def lift_sign_in_lockout(self, request, queryset):
        from .adapters import lockout_lift
        from .security import lockout_lifted

        users = list(queryset)
        for user in users:
            lockout_lift(request=request, user=user)
            lockout_lifted(request=request, user=user, by="admin")
        messages.success(request, ngettext("Loginspærringen er ophævet for %(n)s bruger.",
                                           "Loginspærringen er ophævet for %(n)s brugere.", len(users))
                         % {"n": len(users)})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)


from .sso import admin as _sso_admin  # noqa: E402, F401  (registers the SSO screens)
