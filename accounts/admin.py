"""Admin screens for organisation admins: units, users, memberships, settings.

Access goes through the access policy: an organisation admin sees and changes only their
own organisation; the admin site itself lets in only admins (see `udhaengning/urls.py`).
Incident content is never registered here.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import audit_record

from . import permissions
from .models import Membership, Organisation, Unit, User
from .signals import organisation_retention_changed


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


# The considerations behind the retention periods, shown on the settings page (issue 16; DOMAIN.md 10;
# LEGAL-REVIEW.md E 31). Sources checked 2 December 2026. The text is ours and trusted (fieldset
# descriptions are rendered as HTML); it holds no user input.
RETENTION_BASIS = format_lazy(
    "<p>{}</p><ul><li>{}</li><li>{}</li><li>{}</li><li>{}</li><li>{}</li></ul><p>{}</p>",
    _(
        "Personoplysninger må ikke opbevares længere end nødvendigt (databeskyttelsesforordningens art. 5, stk. 1, "
        "litra e). Perioden vælges af organisationen, gerne sammen med databeskyttelsesrådgiveren og "
        "stadsarkivet; tallene nedenfor er systemets standard, ikke et lovkrav. Overvej:"
    ),
    _(
        "Privat straffesag og påtalebegæring: skal ske inden 6 måneder efter, at den forurettede fik kendskab til "
        "forbrydelsen og gerningsmanden (straffeloven § 96, stk. 1)."
    ),
    _(
        "Offererstatning: anmeldelse til politiet inden 72 timer (offererstatningsloven § 10), ansøgning til "
        "Erstatningsnævnet senest 2 år efter lovovertrædelsen, eller efter endelig dom eller politiets afgørelse om "
        "at indstille efterforskningen (offererstatningsloven § 13). En straffesag kan vare længere end perioden: sæt "
        "da retligt hold på sagen."
    ),
    _(
        "Forældelse af erstatningskrav mod den, der har hængt medarbejderen ud: som hovedregel 3 år fra det "
        "tidspunkt, hvor skadelidte kendte eller burde kende kravet (forældelsesloven § 3, stk. 1 og § 2, stk. 4)."
    ),
    _(
        "Journalisering og arkiv: rapporter, der er sendt, og svar, der er modtaget, er sagsdokumenter, som skal "
        "journaliseres i kommunens eget dokumenthåndteringssystem (offentlighedsloven § 15) og følger dér kommunens "
        "regler om bevaring og kassation (arkivloven, lovbekendtgørelse nr. 1201 af 29. september 2016). Lav "
        "sagsarkivet, før sagen slettes her."
    ),
    _(
        "Anmodninger om optagelse og revisionsloggen har egne perioder: anmodningerne dokumenterer afgørelser over "
        "for borgere (notatet ligger i borgerens egen sag), og revisionsloggen dokumenterer, hvem der har set og "
        "ændret hvad (art. 5, stk. 2 og art. 32); den skal derfor opbevares mindst lige så længe som sagerne."
    ),
    _(
        "Standarden på 24 måneder for sager dækker fristen i § 96 og som regel fristen for offererstatning; den "
        "dækker ikke altid forældelsesfristen på 3 år. Standarden for anmodninger om optagelse (36 måneder) følger "
        "forældelsesfristen; revisionsloggens standard (60 måneder) rækker ud over sagernes periode. Når "
        "revisionsloggen "
        "afkortes, gemmes et kontrolpunkt med den sidst slettede hændelses SHA-256, så kæden stadig kan verificeres."
    ),
)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_field = "pk"
    list_display = ["name", "cvr", "statistics_threshold", "retention_months", "require_mfa_for_managers"]
    fieldsets = [
        (None, {"fields": ["name", "cvr", "address"]}),
        (_("Kontakt til rapporter"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        (
            _("Politi og databeskyttelse"),
            {
                "fields": ["police_district", "dpo_name", "dpo_email", "dpo_phone"],
                "description": _(
                    "Politikredsen står som modtager af politianmeldelser. Databeskyttelsesrådgiveren "
                    "står i fortegnelsen over behandlinger, konsekvensanalysen (DPIA), "
                    "oplysningerne til medarbejderne, registreringen af brud og klager til "
                    "Datatilsynet."
                ),
            },
        ),
        (
            _("Regler"),
            {
                "fields": [
                    "statistics_threshold",
                    "statistics_lag_months",
                    "notify_union_reps_of_serious",
                ]
            },
        ),
        (
            _("Opbevaring og sletning"),
            {
                "fields": [
                    "retention_months",
                    "recording_retention_months",
                    "audit_retention_months",
                ],
                "description": RETENTION_BASIS,
            },
        ),
        (_("Log ind"), {"fields": ["require_mfa_for_managers", "mfa_relaxed_reason", "allow_local_passwords"]}),
    ]

    def save_model(self, request, obj, form, change):
        from .mfa_rule import organisation_mfa_rule_audit

        previous = (
            Organisation.objects.filter(pk=obj.pk).values_list("require_mfa_for_managers", "mfa_relaxed_reason").first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        organisation_mfa_rule_audit(
            organisation=obj,
            previous_required=previous[0] if previous else None,
            previous_reason=previous[1] if previous else "",
            actor=request.user,
            request=request,
        )
        if change and {"retention_months", "recording_retention_months", "audit_retention_months"} & set(
            form.changed_data
        ):
            audit_record(
                request=request,
                action=AuditEvent.Action.UPDATE,
                obj=obj,
                organisation_id=obj.pk,
                summary=gettext("Opbevaringsperioder ændret"),
                details={
                    name: getattr(obj, name)
                    for name in ("retention_months", "recording_retention_months", "audit_retention_months")
                },
            )
        if change and "retention_months" in form.changed_data:
            # retention (a layer above) warns of closed cases already past the new period
            organisation_retention_changed.send(sender=Organisation, organisation=obj, request=request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


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
        messages.success(
            request,
            ngettext(
                "Loginspærringen er ophævet for %(n)s bruger.",
                "Loginspærringen er ophævet for %(n)s brugere.",
                len(users),
            )
            % {"n": len(users)},
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)


from . import audit_admin as _audit_admin  # noqa: E402, F401  (registers the audit log screen)
from .sso import admin as _sso_admin  # noqa: E402, F401  (registers the SSO screens)
