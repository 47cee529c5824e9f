"""The record of processing activities (GDPR art. 30), generated from the models and settings.

`ACTIVITIES` describes each processing activity: purpose, legal basis, categories of data
subjects, recipients and retention. `REGISTRY` classifies every model: which activity it
belongs to, or that it holds no personal data and why. Both are in `privacy.activities`.
The categories of personal data are not written by hand: they are the models' own verbose
names and field names (`model._meta`), so a new field shows up in the record by itself. Recipients of reports come from
`reports.models.Report.Kind`; retention from the organisation's `retention_months` (or its
default) and from the settings (session age, sign-in throttling).

`tests/privacy/test_processing.py` fails when a model of a project app is not in `REGISTRY`,
when an entry names a model that no longer exists, or when a report kind has no recipient
text: whoever adds a model or a report kind classifies it here.

`build_record()` gives the record as data (the page renders it); `record_markdown()` gives it as
Markdown (the management command `record_of_processing`, and the README section between the
markers, which a test compares with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .activities import (
    ACTIVITIES,
    FALLBACK_LABELS,
    FALLBACK_MODEL_NAMES,
    PROJECT_APPS,
    REGISTRY,
    SUBJECTS,
    Classification,
    RetentionFacts,
    report_recipients,
)

# --- Checks (used by the tests) ---------------------------------------------------------------


def project_models() -> list[type[models.Model]]:
    return [
        model for label in PROJECT_APPS if apps.is_installed(label) for model in apps.get_app_config(label).get_models()
    ]


def unclassified_models() -> list[str]:
    return sorted(m._meta.label_lower for m in project_models() if m._meta.label_lower not in REGISTRY)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def stale_entries() -> list[str]:
    """Registry entries of project apps whose model no longer exists (third-party apps may be absent)."""
    return sorted(label for label in REGISTRY if label.split(".")[0] in PROJECT_APPS and _model(label) is None)


# --- The record as data ------------------------------------------------------------------------


@dataclass
class ModelDescription:
    label: str
    name: str
    fields: list[str]
    note: str = ""


@dataclass
class ActivityRecord:
    number: int
    code: str
    title: str
    purpose: str
    legal_basis: str
    subjects: list[str]
    models: list[ModelDescription]
    special: str
    recipients: list[str]
    retention: str


@dataclass
class Record:
    controller: list[tuple[str, str]]
    activities: list[ActivityRecord]
    recipients: list[str]
    transfers: str
    security: list[str]
    without_personal_data: list[ModelDescription]
    unclassified: list[str]


def _field_label(f) -> str:
    explicit = isinstance(f.verbose_name, Promise) or f.verbose_name != f.name.replace("_", " ")
    if explicit:
        return str(f.verbose_name)
    if f.name in FALLBACK_LABELS:
        return str(FALLBACK_LABELS[f.name])
    return f"`{f.name}`"


def model_fields(model, special: dict[str, Promise] | None = None) -> list[str]:
    """The verbose names of the model's stored fields (not the automatic id), in model order."""
    special = special or {}
    labels = []
    for f in model._meta.get_fields():
        if not (f.concrete or f.many_to_many) or (f.auto_created and not f.concrete):
            continue
        if getattr(f, "primary_key", False) and f.auto_created:
            continue
        label = _field_label(f)
        if f.name in special:
            label = f"{label} ({special[f.name]})"
        labels.append(label)
    return labels


def _describe(label: str, classification: Classification) -> ModelDescription | None:
    model = _model(label)
    if model is None:
        return None
    name = FALLBACK_MODEL_NAMES.get(label) or model._meta.verbose_name_plural
    return ModelDescription(
        label=label,
        name=str(name)[:1].upper() + str(name)[1:],
        fields=model_fields(model, classification.special_fields),
        note=str(classification.note),
    )


def _bounds(field_) -> tuple[int | None, int | None]:
    low = next((v.limit_value for v in field_.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in field_.validators if isinstance(v, MaxValueValidator)), None)
    return low, high


def retention_facts(organisation=None) -> RetentionFacts:
    from accounts.models import Organisation

    retention_field = Organisation._meta.get_field("retention_months")
    if organisation is not None:
        months = organisation.retention_months
        text = _("%(months)s måneder (organisationens indstilling «%(setting)s»)") % {
            "months": months,
            "setting": retention_field.verbose_name,
        }
    else:
        months = retention_field.default
        low, high = _bounds(retention_field)
        text = _(
            "%(months)s måneder (standard; organisationen vælger mellem %(low)s og %(high)s under «%(setting)s»)"
        ) % {"months": months, "low": low, "high": high, "setting": retention_field.verbose_name}
    return RetentionFacts(
        months=months,
        months_text=text,
        session_minutes=settings.SESSION_COOKIE_AGE // 60,
        recording_text=_period_text(organisation, "recording_retention_months"),
        audit_text=_period_text(organisation, "audit_retention_months"),
    )


def _period_text(organisation, name: str) -> str:
    from accounts.models import Organisation

    field = Organisation._meta.get_field(name)
    if organisation is not None:
        return _("%(months)s måneder (organisationens indstilling «%(setting)s»)") % {
            "months": getattr(organisation, name),
            "setting": field.verbose_name,
        }
    return _("%(months)s måneder (standard; organisationen kan ændre det under «%(setting)s»)") % {
        "months": field.default,
        "setting": field.verbose_name,
    }


def _controller(organisation) -> list[tuple[str, str]]:
    if organisation is None:
        return [
            (
                _("Dataansvarlig"),
                _(
                    "Den organisation (kommune), der bruger systemet; navn, CVR-nummer, adresse "
                    "og kontaktperson står under Administration og i organisationens egen "
                    "udgave af fortegnelsen."
                ),
            ),
            (
                _("Databeskyttelsesrådgiver (DPO)"),
                _(
                    "Organisationens databeskyttelsesrådgiver (art. 37); navn, "
                    "e-mail og telefon står i organisationens udgave af "
                    "fortegnelsen (art. 30, stk. 1, litra a)."
                ),
            ),
        ]
    rows = [(_("Dataansvarlig"), organisation.name)]
    if organisation.cvr:
        rows.append((_("CVR-nummer"), organisation.cvr))
    if organisation.address:
        rows.append(
            (_("Adresse"), ", ".join(line.strip() for line in organisation.address.splitlines() if line.strip()))
        )
    contact = " ".join(
        p for p in (organisation.contact_name, organisation.contact_email, organisation.contact_phone) if p
    )
    if contact:
        rows.append((_("Kontakt"), contact))
    rows.append(
        (
            _("Databeskyttelsesrådgiver (DPO)"),
            dpo_contact(organisation)
            or _(
                "ikke oplyst: en administrator udfylder det under organisationens indstillinger "
                "(art. 37–39; art. 30, stk. 1, litra a)"
            ),
        )
    )
    return rows


def dpo_contact(organisation) -> str:
    """The DPO's name, e-mail and phone as one line ("" when the organisation has given none)."""
    if organisation is None:
        return ""
    return ", ".join(
        p.strip() for p in (organisation.dpo_name, organisation.dpo_email, organisation.dpo_phone) if p and p.strip()
    )


def _password_min_length() -> int | None:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return None


def security_measures() -> list[str]:
    from accounts.models import Organisation

    mfa_setting = Organisation._meta.get_field("require_mfa_for_managers").verbose_name
    k_field = Organisation._meta.get_field("statistics_threshold")
    csp = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    items = [
        _(
            "Én adgangspolitik for hver side, hvert API-endepunkt og hver eksport: roller pr. enhed (leder, "
            "sagsbehandler, tillidsrepræsentant, administrator); det, man ikke må se, svarer 404."
        ),
        _(
            "Log ind med brugernavn eller e-mail og adgangskode på mindst %(length)s tegn; tofaktorlogin (TOTP) med "
            "gendannelseskoder, som organisationen kan kræve for ledere og administratorer («%(setting)s»)."
        )
        % {"length": _password_min_length(), "setting": mfa_setting},
        _(
            "Efter %(failures)s mislykkede forsøg afvises kontoen i %(seconds)s sekunder (og højst %(per_address)s "
            "forsøg pr. 10 minutter fra samme klientadresse); spærringen ophæves, når brugeren nulstiller "
            "adgangskoden via e-mail, eller af en administrator."
        )
        % {
            "failures": settings.LOGIN_FAILURES_PER_USER,
            "seconds": settings.LOGIN_LOCKOUT_SECONDS,
            "per_address": settings.LOGIN_FAILURES_PER_ADDRESS,
        },
        _("Sessioner i databasen; log ud efter %(minutes)s minutters inaktivitet og når browseren lukkes.")
        % {"minutes": settings.SESSION_COOKIE_AGE // 60},
        _(
            "Dokumentation og rapporter i et privat lager (mappe eller S3-bucket), aldrig under en offentlig adresse; "
            "hentes kun gennem en adgangskontrolleret og logget visning; SHA-256 af hver fil registreres."
        ),
        _(
            "Revisionslog over hver læsning og ændring af sags- og personoplysninger og over sikkerhedshændelser "
            "(login, spærringer, adgangskoder, tofaktor, roller, indstillinger), i en kæde pr. organisation nøglet "
            "med HMAC-SHA256; nøglen ligger uden for databasen, og kædehovederne skrives til loggen og en fil, der "
            "kun kan tilføjes til."
        ),
        _(
            "Tillidsrepræsentanter ser kun statistik med diskretionskontrol: afsluttede måneder, og hvert tal "
            "afrundet til et multiplum af k for én måned og én enhed ad gangen (k = «%(setting)s», standard "
            "%(default)s); se docs/statistics-disclosure.md."
        )
        % {"setting": k_field.verbose_name, "default": k_field.default},
        _(
            "Content-Security-Policy med script-src %(script)s, ingen indlejrede scripts; X-Frame-Options %(xfo)s; "
            "alle filer fra egen server (intet CDN)."
        )
        % {"script": " ".join(csp.get("script-src", ())) or "–", "xfo": settings.X_FRAME_OPTIONS},
        _(
            "I produktion: kun HTTPS med HSTS og sikre cookies; produktionsindstillingerne nægter at starte uden "
            "hemmelig nøgle, database og tilladte værtsnavne."
        ),
        _("PDF'er dannes uden netadgang: kun systemets egne filer kan indlæses."),
    ]
    return [str(item) for item in items]


def build_record(organisation=None) -> Record:
    """The record, in Danish, for one organisation (its settings) or in general (the defaults)."""
    with translation.override("da"):
        facts = retention_facts(organisation)
        activities = []
        for number, activity in enumerate(ACTIVITIES.values(), start=1):
            described = [_describe(label, c) for label, c in REGISTRY.items() if c.activity == activity.code]
            activities.append(
                ActivityRecord(
                    number=number,
                    code=activity.code,
                    title=str(activity.title),
                    purpose=str(activity.purpose),
                    legal_basis=str(activity.legal_basis),
                    subjects=[str(SUBJECTS[code]) for code in activity.subjects] or [_("Ingen (anonyme oplysninger)")],
                    models=[d for d in described if d is not None],
                    special=str(activity.special),
                    recipients=[str(r) for r in activity.recipients()],
                    retention=activity.retention(facts),
                )
            )
        without = [_describe(label, c) for label, c in REGISTRY.items() if c.activity is None]
        return Record(
            controller=[(str(k), str(v)) for k, v in _controller(organisation)],
            activities=activities,
            recipients=report_recipients(),
            transfers=_(
                "Systemet overfører ikke selv oplysninger til lande uden for EU/EØS. En DSA-anmeldelse "
                "sendes af organisationen til platformen; hvor platformen behandler den, afhænger af "
                "platformen."
            ),
            security=security_measures(),
            without_personal_data=[d for d in without if d is not None],
            unclassified=unclassified_models(),
        )


# --- Markdown ----------------------------------------------------------------------------------


def _bullets(items) -> list[str]:
    return [f"- {item}" for item in items]


def record_markdown(record: Record) -> str:
    """The record as Markdown (headings from level 3, to sit under a README section)."""
    with translation.override("da"):
        lines = [
            _(
                "Fortegnelse efter databeskyttelsesforordningens art. 30, dannet af systemet ud fra dets "
                "modeller og indstillinger (`python manage.py record_of_processing`)."
            ),
            "",
        ]
        lines += [f"- **{key}:** {value}" for key, value in record.controller]
        for activity in record.activities:
            lines += ["", f"### {activity.number}. {activity.title}", ""]
            lines += [
                f"- **{_('Formål')}:** {activity.purpose}",
                f"- **{_('Retsgrundlag')}:** {activity.legal_basis}",
                f"- **{_('Registrerede')}:** {'; '.join(activity.subjects)}",
                f"- **{_('Oplysninger')}:**",
            ]
            for model in activity.models:
                note = f" ({model.note})" if model.note else ""
                lines.append(f"  - *{model.name}*{note}: {', '.join(model.fields)}")
            if activity.special:
                lines.append(f"- **{_('Særlige kategorier')}:** {activity.special}")
            lines.append(f"- **{_('Modtagere')}:**")
            lines += [f"  - {recipient}" for recipient in activity.recipients]
            lines.append(f"- **{_('Opbevaring og sletning')}:** {activity.retention}")
        lines += ["", f"### {_('Modtagere af rapporter')}", ""]
        lines += _bullets(record.recipients)
        lines += ["", f"### {_('Overførsel til tredjelande')}", "", record.transfers]
        lines += ["", f"### {_('Tekniske og organisatoriske sikkerhedsforanstaltninger (art. 32)')}", ""]
        lines += _bullets(record.security)
        lines += ["", f"### {_('Tabeller uden personoplysninger')}", ""]
        lines += _bullets(f"*{m.name}*: {m.note}" for m in record.without_personal_data)
        if record.unclassified:
            lines += ["", f"### {_('Ikke klassificeret')}", ""]
            lines += _bullets(f"`{label}`" for label in record.unclassified)
        return "\n".join(lines) + "\n"


# --- The README section ------------------------------------------------------------------------

README_START = "<!-- record_of_processing:start -->\n"
README_END = "<!-- record_of_processing:end -->"


def readme_section(readme: str) -> str:
    """The text between the markers of the README (ValueError when the markers are missing)."""
    start = readme.index(README_START) + len(README_START)
    return readme[start : readme.index(README_END, start)]


def readme_with_section(readme: str, section: str) -> str:
    start = readme.index(README_START) + len(README_START)
    return readme[:start] + section + readme[readme.index(README_END, start) :]
