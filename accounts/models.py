"""People, the organisation and its units, and who holds which role where."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles of DOMAIN.md section 2."""

    CASEWORKER = "caseworker", _("Sagsbehandler")
    MANAGER = "manager", _("Leder")
    UNION_REP = "union_rep", _("Tillids- eller arbejdsmiljørepræsentant")
    ADMIN = "admin", _("Administrator")


class Organisation(models.Model):
    """The employer (a municipality) and its settings."""

    name = models.CharField(_("navn"), max_length=200)
    cvr = models.CharField(
        _("CVR-nummer"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("Et CVR-nummer består af 8 cifre."))],
    )
    address = models.TextField(_("adresse"), blank=True)
    contact_name = models.CharField(_("kontaktperson til rapporter"), max_length=200, blank=True)
    contact_email = models.EmailField(_("kontakt-e-mail"), blank=True)
    contact_phone = models.CharField(_("kontakttelefon"), max_length=40, blank=True)
    # Where police reports go, and the data protection officer (GDPR art. 37–39; printed in the
    # breach record and the record of processing, DOMAIN.md sections 6 and 10).
    police_district = models.CharField(
        _("politikreds"),
        max_length=200,
        blank=True,
        help_text=_("Den politikreds, politianmeldelser sendes til, fx «Københavns Politi» eller «Fyns Politi»."),
    )
    dpo_name = models.CharField(_("databeskyttelsesrådgiver (DPO), navn"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO's e-mail"), blank=True)
    dpo_phone = models.CharField(_("DPO's telefon"), max_length=40, blank=True)
    statistics_threshold = models.PositiveSmallIntegerField(
        _("mindste antal i statistik (k)"),
        default=5,
        # k = 2 would make «< 2» mean exactly 1 (DOMAIN.md section 7): at least 3.
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Tillidsrepræsentanter ser hvert tal afrundet til et multiplum af k. Mindst 3."),
    )
    statistics_lag_months = models.PositiveSmallIntegerField(
        _("forsinkelse i statistik (måneder)"),
        default=1,
        # The current, unfinished month is never published to union reps: at least 1.
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Tillidsrepræsentanter ser kun afsluttede måneder: 1 betyder til og med sidste måned."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("opbevaring efter afslutning (måneder)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Systemets standard: 24 måneder efter sagens afslutning. Se overvejelserne ovenfor."),
    )
    # Issue 16: recording requests and the audit log have periods of their own (retention/ purges them).
    recording_retention_months = models.PositiveSmallIntegerField(
        _("opbevaring af anmodninger om optagelse (måneder)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Systemets standard: 36 måneder efter anmodningens dato. Derefter anonymiseres anmodningen: "
            "fritekst og navne fjernes, de kodede oplysninger bliver i statistikken. En anmodning knyttet "
            "til en sag, der stadig findes, venter, til sagen er slettet."
        ),
    )
    audit_retention_months = models.PositiveSmallIntegerField(
        _("opbevaring af revisionsloggen (måneder)"),
        default=60,
        validators=[MinValueValidator(6), MaxValueValidator(240)],
        help_text=_(
            "Systemets standard: 60 måneder. Skal være mindst lige så lang som opbevaringen af sager, så "
            "det kan dokumenteres, hvem der har set og ændret en sag, så længe den findes."
        ),
    )
    # Two factors are the default for managers and admins signing in with a password; an
    # organisation may relax it only with a reason, which is audited (accounts.services).
    require_mfa_for_managers = models.BooleanField(_("kræv tofaktorlogin for ledere og administratorer"), default=True)
    mfa_relaxed_reason = models.TextField(
        _("begrundelse for ikke at kræve tofaktorlogin"),
        blank=True,
        help_text=_("Skal udfyldes, hvis tofaktorlogin ikke kræves. Ændringen skrives i revisionsloggen."),
    )
    allow_local_passwords = models.BooleanField(
        _("tillad log ind med adgangskode"),
        default=True,
        help_text=_(
            "Slå fra, når alle logger ind via organisationens identitetsudbyder (SSO). "
            "Superbrugere kan stadig logge ind med adgangskode i nødstilfælde."
        ),
    )
    notify_union_reps_of_serious = models.BooleanField(
        _("underret tillidsrepræsentanter anonymt om alvorlige hændelser"), default=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statistics_threshold__gte=3, statistics_threshold__lte=50),
                name="organisation_statistics_threshold_3_to_50",
                violation_error_message=_("Mindste antal i statistik (k) skal være mellem 3 og 50."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.require_mfa_for_managers and not self.mfa_relaxed_reason.strip():
            raise ValidationError(
                {"mfa_relaxed_reason": _("Skriv hvorfor ledere og administratorer ikke skal bruge tofaktorlogin.")}
            )
        if (
            self.audit_retention_months is not None
            and self.retention_months is not None
            and self.audit_retention_months < self.retention_months
        ):
            raise ValidationError(
                {
                    "audit_retention_months": _(
                        "Revisionsloggen skal opbevares mindst lige så længe som sagerne (%(months)s måneder), ellers "
                        "kan det "
                        "ikke dokumenteres, hvem der har set og ændret en sag, der stadig findes."
                    )
                    % {"months": self.retention_months}
                }
            )


class Unit(models.Model):
    """A node in the organisation tree: forvaltning → afdeling → team."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "forvaltning", _("Forvaltning")
        DEPARTMENT = "afdeling", _("Afdeling")
        TEAM = "team", _("Team")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("overordnet enhed"),
    )
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "parent", "name"], name="unit_unique_name_per_parent")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        if self.parent.organisation_id != self.organisation_id:
            raise ValidationError({"parent": _("Den overordnede enhed hører til en anden organisation.")})
        from .tree import UnitTree

        above = UnitTree.of_organisations([self.organisation_id]).ancestors(self.parent_id)
        if self.pk is not None and self.pk in above:
            raise ValidationError({"parent": _("En enhed kan ikke ligge under sig selv.")})


class User(AbstractUser):
    """A person who signs in. Roles come from memberships, never from flags here."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("stilling"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self) -> str:
        return full_name(self.first_name, self.last_name, self.username)


def full_name(first: str, last: str, username: str) -> str:
    """A person's name as the pages show it: first and last name, or the username without them
    (for rows read as values, without a User instance)."""
    return f"{first} {last}".strip() or username


class Membership(models.Model):
    """A user holds a role in a unit (and, for managers and union reps, the units below)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.user.organisation_id and self.user.organisation_id != self.unit.organisation_id:
            raise ValidationError(_("Brugeren hører til en anden organisation end enheden."))


# Models kept in their own modules (same app, same migrations).
from .api_tokens.models import ApiToken  # noqa: E402, F401
from .sso.models import SSOGrant, SSOGroupMapping, SSOProvider  # noqa: E402, F401
