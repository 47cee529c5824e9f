"""Forms for recording requests: register, review, hidden recording, incident link, filters.

Free text is checked for CPR numbers (recordings.cpr). When one is found the form is
not saved, the number is replaced by a marker in what is shown back, and everything
else the user typed is kept.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from incidents import policy as incident_policy
from incidents.models import Incident

from .codes import (
    ALLOWED_WITH_CONDITIONS,
    AUDIO,
    DECISION_LABELS,
    MEDIA_LABELS,
    MEETING,
    OTHER,
    REASON_LABELS,
    SETTING_LABELS,
)
from .cpr import contains_cpr, mask_cpr, validate_no_cpr

TEXT_MAX = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text_field(label, *, required=False, help_text="", rows=3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        validators=[validate_no_cpr],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CprMaskingMixin:
    """After validation, a free-text field refused for a CPR number shows the text with the
    number replaced by a marker, so the number is neither stored nor sent back."""

    cpr_fields: tuple[str, ...] = ()

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        refused = [
            name for name in self.cpr_fields if any(e.code == "cpr" for e in self._errors.as_data().get(name, ()))
        ]
        if refused:
            data = self.data.copy()
            for name in refused:
                key = self.add_prefix(name)
                data[key] = mask_cpr(data.get(key, ""))
            self.data = data


class RecordingRequestForm(CprMaskingMixin, forms.Form):
    cpr_fields = ("free_text", "conditions", "justification", "hidden_recording_note")

    unit = forms.ModelChoiceField(
        label=_("Enhed"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Du kan ikke registrere anmodninger i den enhed.")},
    )
    request_date = forms.DateField(label=_("Dato for anmodningen"), widget=DateInput)
    media = forms.ChoiceField(
        label=_("Hvad vil borgeren optage?"),
        choices=list(MEDIA_LABELS.items()),
        initial=AUDIO,
        widget=forms.RadioSelect,
    )
    setting = forms.ChoiceField(
        label=_("Hvilken samtale?"), choices=list(SETTING_LABELS.items()), initial=MEETING, widget=forms.RadioSelect
    )
    reasons = forms.MultipleChoiceField(
        label=_("Borgerens grunde"),
        choices=list(REASON_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sæt kryds ved alle de grunde, borgeren giver."),
        error_messages={
            "required": _(
                "Vælg mindst én grund. Vælg «Anden grund», hvis ingen af dem passer, "
                "og skriv borgerens forklaring nedenfor."
            )
        },
    )
    free_text = _text_field(
        _("Borgerens begrundelse med egne ord"),
        help_text=_("Skriv kort, hvad borgeren siger. Skriv ikke navn eller CPR-nummer."),
    )
    decision = forms.ChoiceField(
        label=_("Afgørelse"),
        choices=list(DECISION_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg, om optagelsen er tilladt, tilladt med vilkår eller afslået.")},
    )
    conditions = _text_field(
        _("Vilkår"),
        help_text=_("Fx kun lyd, kun til eget brug, optagelsen slettes, når sagen er afgjort."),
    )
    justification = _text_field(
        _("Begrundelse for afgørelsen"),
        required=True,
        help_text=_("Forklar din konkrete vurdering, især hvis du afviger fra forslaget."),
    )
    hidden_recording_discovered = forms.BooleanField(
        label=_("Borgeren har optaget skjult (fx under et tidligere møde)"),
        required=False,
    )
    hidden_recording_note = _text_field(_("Om den skjulte optagelse"), rows=2)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(units)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
            self.fields["unit"].widget = forms.HiddenInput()
        self.single_unit = units[0] if len(units) == 1 else None
        today = timezone.localdate()
        self.fields["request_date"].initial = today
        self.fields["request_date"].widget.attrs["max"] = today.isoformat()
        self.fields["justification"].error_messages["required"] = _("Skriv en begrundelse for afgørelsen.")

    def clean_request_date(self):
        value = self.cleaned_data["request_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."), code="future")
        return value

    def clean(self):
        cleaned = super().clean()
        if OTHER in cleaned.get("reasons", ()) and not cleaned.get("free_text") and "free_text" not in self.errors:
            self.add_error("free_text", _("Beskriv den anden grund med borgerens egne ord."))
        if (
            cleaned.get("decision") == ALLOWED_WITH_CONDITIONS
            and not cleaned.get("conditions")
            and "conditions" not in self.errors
        ):
            self.add_error("conditions", _("Skriv de vilkår, borgeren må optage på."))
        return cleaned

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "request_date",
                "media",
                "setting",
                "free_text",
                "decision",
                "conditions",
                "justification",
                "hidden_recording_discovered",
                "hidden_recording_note",
            )
        }

    # --- "Vis forslag" without JavaScript --------------------------------------------------

    def preview_facts(self) -> tuple[list[str], str, bool]:
        """For the suggestion before saving: the valid reasons and media typed so far, and
        whether a CPR number was removed. The form is shown again without error messages."""
        reasons = [code for code in self.data.getlist(self.add_prefix("reasons")) if code in REASON_LABELS]
        media = self.data.get(self.add_prefix("media"))
        media = media if media in MEDIA_LABELS else AUDIO
        data = self.data.copy()
        masked = False
        for name in self.cpr_fields:
            key = self.add_prefix(name)
            if contains_cpr(data.get(key, "")):
                data[key] = mask_cpr(data[key])
                masked = True
        self.data = data
        self._errors = ErrorDict()  # not validated yet: no error messages on the preview
        return reasons, media, masked


class ReviewForm(CprMaskingMixin, forms.Form):
    cpr_fields = ("review_note",)

    review_note = _text_field(
        _("Bemærkning"),
        help_text=_("Fx om du er enig i afgørelsen, eller hvad der skal gøres anderledes næste gang. Kan være tom."),
    )


class HiddenRecordingForm(CprMaskingMixin, forms.Form):
    cpr_fields = ("note",)

    note = _text_field(
        _("Hvad skete der?"),
        required=True,
        rows=2,
        help_text=_("Hvornår og hvordan blev optagelsen opdaget, og hvad gjorde du?"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].error_messages["required"] = _("Skriv kort, hvad der skete.")


class IncidentLinkForm(forms.Form):
    reference = forms.CharField(
        label=_("Sagsnummer på hændelsen"),
        max_length=20,
        help_text=_("Fx UDH-2026-0042. Du kan kun vælge hændelser, du selv har adgang til."),
        widget=forms.TextInput(attrs={"list": "incident-candidates", "autocomplete": "off"}),
        error_messages={"required": _("Skriv sagsnummeret på hændelsen.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_reference(self) -> Incident:
        reference = self.cleaned_data["reference"].strip().upper()
        incident = incident_policy.visible_incidents(self.user).filter(reference=reference).first()
        if incident is None:
            raise forms.ValidationError(
                _("Der er ingen hændelse med sagsnummeret %(reference)s, som du har adgang til."),
                params={"reference": reference},
                code="unknown",
            )
        return incident


# --- Filters ------------------------------------------------------------------------------------


def _unit_choices(units) -> list[tuple[str, str]]:
    return [("", _("Alle"))] + [(str(u.pk), u.name) for u in units]


class RequestFilterForm(forms.Form):
    """The manager's filters on the request list (all optional)."""

    unit = forms.TypedChoiceField(label=_("Enhed"), required=False, coerce=int, empty_value=None)
    decision = forms.ChoiceField(
        label=_("Afgørelse"), required=False, choices=[("", _("Alle")), *DECISION_LABELS.items()]
    )
    reason = forms.ChoiceField(label=_("Grund"), required=False, choices=[("", _("Alle")), *REASON_LABELS.items()])
    date_from = forms.DateField(label=_("Fra dato"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Til dato"), required=False, widget=DateInput)
    unreviewed = forms.BooleanField(label=_("Kun dem, der ikke er gennemgået"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Til-datoen ligger før fra-datoen."))
        return cleaned


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months back to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1), today


class OverviewForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=_("Enhed"), required=False, coerce=int, empty_value=None, help_text=_("Enheden og enhederne under den.")
    )
    date_from = forms.DateField(label=_("Fra dato"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Til dato"), required=False, widget=DateInput)

    MAX_DAYS = 366 * 5

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(units)
        start, end = default_period()
        self.fields["date_from"].initial = start
        self.fields["date_to"].initial = end

    def clean(self):
        cleaned = super().clean()
        default_start, default_end = default_period()
        start = cleaned.get("date_from") or default_start
        end = cleaned.get("date_to") or default_end
        if start > end:
            self.add_error("date_to", _("Til-datoen ligger før fra-datoen."))
        elif end - start > timedelta(days=self.MAX_DAYS):
            self.add_error("date_from", _("Vælg en periode på højst fem år."))
        cleaned["date_from"], cleaned["date_to"] = start, end
        return cleaned
