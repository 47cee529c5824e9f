"""The caseworker's self-report: short and kind, only what the employee knows.

The manager fills in the rest (perpetrator, reach, legal details) when assessing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from common.forms import HttpUrlField

from ..assessment import PLATFORM_LABELS

# Employee-friendly wording for the few features an employee can tell at a glance
# (codes of DOMAIN.md 3.1 and 3.2). Everything else is the manager's to fill in.
FEATURE_CHOICES = [
    ("named", _("Mit navn står der, eller man kan let se, at det er mig")),
    ("photo", _("Der er billeder af mig")),
    ("private_details", _("Der står noget om, hvor jeg bor, eller om min familie")),
    ("threat", _("Der er trusler")),
    ("incitement", _("Andre opfordres til at kontakte eller opsøge mig")),
    ("audio_published", _("Der er lagt en optagelse af en samtale ud")),
]

EMOTIONAL_LOAD_CHOICES = [
    (1, _("Det går fint")),
    (2, _("Det går nogenlunde")),
    (3, _("Det fylder en del")),
    (4, _("Det er hårdt")),
    (5, _("Det er meget hårdt")),
]

# "Ved ikke / andet" is the empty choice; the platform is then guessed from the link.
PLATFORM_CHOICES = [("", _("Ved ikke / andet"))] + [
    (code, _(label)) for code, label in PLATFORM_LABELS.items() if code != "other"
]

_HOST_PLATFORMS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "messenger.com": "messaging",
    "instagram.com": "instagram",
    "x.com": "x",
    "twitter.com": "x",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "linkedin.com": "linkedin",
    "reddit.com": "reddit",
}
# Where a platform by its nature is not public.
_PLATFORM_REACH = {"closed_group": "closed_group", "messaging": "private_message", "email": "private_message"}

URL_MESSAGE = _("Linket skal begynde med http:// eller https://. Kopiér det fra adresselinjen i din browser.")
FUTURE_MESSAGE = _("Tidspunktet ligger ude i fremtiden. Skriv hvornår du så det – et skøn er fint.")
NOTHING_MESSAGE = _(
    "Vi har brug for mindst én af de tre ting: et link, hvad der står, eller et skærmbillede. "
    "Så kan din leder se, hvad det drejer sig om."
)
# A little slack for a browser clock that runs ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)


def platform_from_url(url: str) -> str:
    """The platform a link points to, when its address makes that plain; else ''."""
    host = (urlsplit(url).hostname or "").lower()
    for domain, platform in _HOST_PLATFORMS.items():
        if host == domain or host.endswith("." + domain):
            return platform
    return ""


def _css_class(widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.RadioSelect):
        return "btn-check"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by incidents.evidence when stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class SelfReportForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Hvor har du set det?"),
        choices=PLATFORM_CHOICES,
        required=False,
    )
    url = HttpUrlField(
        label=_("Link"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        error_messages={"invalid": URL_MESSAGE},
        help_text=_("Kopiér adressen fra browseren, hvis du har den."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Hvad står der?"),
        required=False,
        max_length=10000,
        help_text=_("Skriv det med dine egne ord, eller kopiér teksten ind. Et par linjer er nok."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(
        label=_("Skærmbilleder eller andre filer"),
        required=False,
        help_text=_("Fx skærmbilleder, en PDF eller en lydfil. Du kan vælge flere filer på én gang."),
    )
    discovered_at = forms.DateTimeField(
        label=_("Hvornår så du det?"),
        required=False,
        help_text=_("Et skøn er fint. Står der ikke noget, bruger vi tidspunktet lige nu."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Skriv dato og klokkeslæt, fx 24-03-2026 14:30.")},
    )
    features = forms.MultipleChoiceField(
        label=_("Passer noget af det her?"),
        choices=FEATURE_CHOICES,
        required=False,
        help_text=_("Sæt kun kryds, hvis du ved det. Din leder ser på resten."),
        widget=forms.CheckboxSelectMultiple,
    )
    emotional_load = forms.TypedChoiceField(
        label=_("Hvordan har du det med det?"),
        choices=EMOTIONAL_LOAD_CHOICES,
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_("Du behøver ikke svare. Det hjælper din leder med at tilbyde den rette støtte."),
    )
    absence_days = forms.IntegerField(
        label=_("Har du været sygemeldt på grund af det? Antal dage"),
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Skriv et helt antal dage, fx 2."),
            "min_value": _("Antallet af dage kan ikke være negativt."),
            "max_value": _("Skriv et antal dage op til %(limit_value)s."),
        },
    )

    def __init__(self, *args, units: list[Unit], now=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not units:
            raise ValueError("A self-report needs at least one caseworker unit.")
        self.now = now or timezone.now()
        self.units = list(units)
        local_now = timezone.localtime(self.now)
        self.fields["discovered_at"].widget.attrs["max"] = local_now.strftime("%Y-%m-%dT%H:%M")
        self.fields["discovered_at"].initial = local_now.replace(second=0, microsecond=0)
        if len(self.units) > 1:
            self.fields["unit"] = forms.ModelChoiceField(
                label=_("Hvilken af dine enheder handler det om?"),
                queryset=Unit.objects.filter(pk__in=[u.pk for u in self.units]).order_by("name"),
                empty_label=_("Vælg enhed"),
                error_messages={"required": _("Vælg den enhed, sagen hører til.")},
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", _css_class(field.widget))

    def clean_discovered_at(self):
        value = self.cleaned_data.get("discovered_at")
        if value is None:
            return self.now
        if value > self.now + FUTURE_TOLERANCE:
            raise forms.ValidationError(FUTURE_MESSAGE, code="future")
        return value

    def clean_text(self):
        return self.cleaned_data.get("text", "").strip()

    def clean(self):
        cleaned = super().clean()
        url, text, files = cleaned.get("url"), cleaned.get("text"), cleaned.get("files")
        # Only complain about "nothing given" when the link itself was not the problem.
        if not (url or text or files) and "url" not in self.errors:
            raise forms.ValidationError(NOTHING_MESSAGE, code="empty")
        if url and not cleaned.get("platform"):
            cleaned["platform"] = platform_from_url(url)
        return cleaned

    # --- What incident_register needs ------------------------------------------------

    @property
    def asks_for_unit(self) -> bool:
        return "unit" in self.fields

    @property
    def chosen_unit(self) -> Unit:
        return self.cleaned_data["unit"] if self.asks_for_unit else self.units[0]

    def incident_fields(self) -> dict:
        data = self.cleaned_data
        platform = data.get("platform")
        if platform:
            title = _("Udhængning på %(platform)s") % {"platform": _(PLATFORM_LABELS[platform])}
        else:
            title = _("Udhængning (egen anmeldelse)")
        fields = {
            "title": str(title)[:200],
            "description": data.get("text", ""),
            "discovered_at": data["discovered_at"],
            "emotional_load": data.get("emotional_load"),
            "absence_days": data.get("absence_days") or 0,
        }
        for code, _label in FEATURE_CHOICES:
            fields[code] = code in data.get("features", [])
        return fields

    def publications(self) -> list[dict]:
        """One publication when the employee gave a link or a platform."""
        platform, url = self.cleaned_data.get("platform"), self.cleaned_data.get("url")
        if not (platform or url):
            return []
        platform = platform or "other"
        return [{"platform": platform, "url": url or "", "reach": _PLATFORM_REACH.get(platform, "public")}]
