"""Single sign-on per organisation: its identity providers and how their groups map to roles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Role, Unit


class SSOProvider(models.Model):
    """An identity provider of one organisation (OpenID Connect or SAML 2.0)."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sso_providers", verbose_name=_("organisation")
    )
    name = models.CharField(
        _("navn på knappen"), max_length=100, help_text=_("Fx «Aarhus Kommunes login». Vises på log ind-siden.")
    )
    slug = models.SlugField(
        _("kort navn i adresser"),
        max_length=50,
        unique=True,
        help_text=_("Små bogstaver, tal og bindestreg. Indgår i adresserne, identitetsudbyderen skal kende."),
    )
    protocol = models.CharField(_("protokol"), max_length=10, choices=Protocol.choices)
    enabled = models.BooleanField(_("slået til"), default=True)
    # OpenID Connect
    oidc_issuer = models.URLField(
        _("udsteder (issuer)"), blank=True, help_text=_("Adressen, hvor /.well-known/openid-configuration ligger.")
    )
    oidc_client_id = models.CharField(_("klient-id"), max_length=200, blank=True)
    oidc_client_secret = models.CharField(_("klienthemmelighed"), max_length=500, blank=True)
    # SAML 2.0
    saml_idp_entity_id = models.CharField(_("IdP entity ID"), max_length=500, blank=True)
    saml_idp_metadata_url = models.URLField(_("IdP metadata-adresse"), blank=True)
    saml_idp_sso_url = models.URLField(
        _("IdP SSO-adresse"), blank=True, help_text=_("Kun hvis der ikke er en metadata-adresse.")
    )
    saml_idp_x509_cert = models.TextField(
        _("IdP-certifikat (PEM)"), blank=True, help_text=_("Kun hvis der ikke er en metadata-adresse.")
    )
    # Both
    allowed_email_domains = models.CharField(
        _("tilladte e-maildomæner"),
        max_length=500,
        help_text=_("Adskilt med komma, fx «aarhus.dk, mail.aarhus.dk». Andre e-mailadresser afvises."),
    )
    groups_claim = models.CharField(_("claim eller attribut med grupper"), max_length=200, default="groups")
    mfa_attribute = models.CharField(
        _("SAML-attribut med login-metoder"),
        max_length=300,
        blank=True,
        default="http://schemas.microsoft.com/claims/authnmethodsreferences",
        help_text=_(
            "Kun SAML. Indeholder den «http://schemas.microsoft.com/claims/multipleauthn» eller «mfa», "
            "regnes log ind som tofaktor. For OpenID Connect bruges ID-tokenets amr og acr."
        ),
    )
    directory_url = models.URLField(
        _("opslag af brugere"),
        max_length=500,
        blank=True,
        help_text=_(
            "Valgfri. En adresse med {uid}, som svarer 404, når identitetsudbyderen ikke længere kender "
            "brugeren (fx Microsoft Graph /users/{uid}). Kaldes med et token fra klient-id og "
            "klienthemmelighed. Brugere, der ikke findes, deaktiveres hver nat."
        ),
    )
    last_directory_check_at = models.DateTimeField(_("seneste opslag af brugere"), null=True, blank=True)

    class Meta:
        verbose_name = _("identitetsudbyder (SSO)")
        verbose_name_plural = _("identitetsudbydere (SSO)")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_protocol_display()})"

    @property
    def email_domains(self) -> list[str]:
        return [
            part.strip().lower().lstrip("@")
            for part in self.allowed_email_domains.replace(";", ",").split(",")
            if part.strip()
        ]

    def email_allowed(self, email: str) -> bool:
        domain = (email or "").rpartition("@")[2].lower()
        return bool(domain) and domain in self.email_domains

    def clean(self) -> None:
        errors = {}
        if self.protocol == self.Protocol.OIDC:
            for name in ("oidc_issuer", "oidc_client_id"):
                if not getattr(self, name):
                    errors[name] = _("Skal udfyldes for OpenID Connect.")
        elif self.protocol == self.Protocol.SAML:
            if not self.saml_idp_entity_id:
                errors["saml_idp_entity_id"] = _("Skal udfyldes for SAML.")
            if not self.saml_idp_metadata_url and not (self.saml_idp_sso_url and self.saml_idp_x509_cert):
                errors["saml_idp_metadata_url"] = _("Angiv en metadata-adresse eller både SSO-adresse og certifikat.")
        if not self.email_domains:
            errors["allowed_email_domains"] = _("Angiv mindst ét e-maildomæne.")
        if errors:
            raise ValidationError(errors)


class SSOGroupMapping(models.Model):
    """Members of the identity provider's group get this role in this unit."""

    provider = models.ForeignKey(
        SSOProvider, on_delete=models.CASCADE, related_name="group_mappings", verbose_name=_("identitetsudbyder")
    )
    group = models.CharField(
        _("gruppe hos identitetsudbyderen"),
        max_length=300,
        help_text=_("Gruppens navn eller id, som det står i claimet/attributten."),
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("enhed"))
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("gruppe → rolle")
        verbose_name_plural = _("grupper → roller")
        constraints = [
            models.UniqueConstraint(fields=["provider", "group", "unit", "role"], name="sso_group_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()} · {self.unit}"

    def clean(self) -> None:
        if self.unit_id and self.provider_id and self.unit.organisation_id != self.provider.organisation_id:
            raise ValidationError({"unit": _("Enheden hører til en anden organisation end identitetsudbyderen.")})


class SSOGrant(models.Model):
    """A membership given by a group mapping: removed when the user leaves the group."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="sso_grant")
    provider = models.ForeignKey(SSOProvider, on_delete=models.CASCADE, related_name="grants")
    group = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("medlemskab fra SSO")
        verbose_name_plural = _("medlemskaber fra SSO")

    def __str__(self) -> str:
        return f"{self.membership} ← {self.group}"
