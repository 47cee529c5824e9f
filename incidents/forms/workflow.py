"""The manager's forms for a case's workflow: status, actions, notes, legal hold, deadlines marked
as not relevant and the confirmed level (the services are in `incidents.workflow`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..assessment import (
    Assessment,
)
from ..models import ACTION_CHOICES, LEVEL_CHOICES, Incident, Note

# Seconds of clock difference between the browser and the server we accept for "now".
from .manager import date_input, not_in_future_date, translated_choices


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Ny status"),
        error_messages={
            "required": _("Vælg den nye status."),
            "invalid_choice": _("Sagen kan ikke flyttes til den status."),
        },
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skal udfyldes, når en afsluttet sag genåbnes."),
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, prefix="status", **kwargs)
        self.incident = incident
        allowed = Incident.ALLOWED_TRANSITIONS.get(incident.status, ())
        self.fields["to_status"].choices = [("", _("Vælg ny status"))] + [
            (code, label) for code, label in Incident.Status.choices if code in allowed
        ]

    @property
    def reopening(self) -> bool:
        return self.incident.status == Incident.Status.CLOSED

    def clean(self):
        cleaned = super().clean()
        if self.reopening and not cleaned.get("reason"):
            self.add_error("reason", _("Skriv hvorfor sagen genåbnes."))
        return cleaned


class ActionForm(forms.Form):
    action_code = forms.ChoiceField(
        label=_("Handling"),
        choices=[("", _("Vælg handling")), *translated_choices(ACTION_CHOICES)],
        error_messages={
            "required": _("Vælg hvilken handling der er udført."),
            "invalid_choice": _("Vælg en handling fra listen."),
        },
    )
    occurred_on = forms.DateField(
        label=_("Dato"),
        validators=[not_in_future_date],
        error_messages={"required": _("Skriv hvornår handlingen blev udført."), "invalid": _("Skriv en gyldig dato.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    external_reference = forms.CharField(
        label=_("Ekstern reference"),
        required=False,
        max_length=200,
        help_text=_("Fx politiets journalnummer, Datatilsynets sagsnummer eller platformens sagsnummer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="action", **kwargs)
        self.fields["occurred_on"].widget = date_input()
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())


class NoteForm(forms.ModelForm):
    body = forms.CharField(
        label=_("Note"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv noten.")},
    )

    class Meta:
        model = Note
        fields = ("body", "visibility")
        labels = {"visibility": _("Hvem må se noten?")}
        widgets = {"visibility": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="note", **kwargs)


class LegalHoldForm(forms.Form):
    """Set or clear legal hold; which of the two is fixed by the page, the reason is required."""

    hold = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv hvorfor retligt hold sættes eller ophæves.")},
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="hold", **kwargs)
        self.incident = incident
        if not self.is_bound:
            self.initial["hold"] = "0" if incident.legal_hold else "1"
        self.fields["reason"].help_text = (
            _("Fx en verserende retssag eller en klage, som sagen skal bruges i.")
            if not incident.legal_hold
            else _("Fx at retssagen eller klagen er afsluttet.")
        )

    def clean(self):
        data = super().clean()
        if "hold" in self.errors:
            # A hidden field's error is not shown beside it: say it where the form shows its errors.
            del self.errors["hold"]
            self.add_error(None, _("Siden var ikke opdateret. Prøv igen."))
        return data


class DeadlineDismissForm(forms.Form):
    """Mark one deadline as not relevant (or take the mark back); the reason is required to mark it."""

    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    restore = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Hvorfor er fristen ikke relevant?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fx at medarbejderen ikke ønsker at anmelde, eller at fristen ikke passer på sagen."),
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="frist", **kwargs)
        self.incident = incident

    @property
    def posted_code(self) -> str:
        """The deadline the bound form was posted for (the page re-opens that row's form)."""
        return self.data.get(self.add_prefix("code"), "") if self.is_bound else ""

    @property
    def posted_reason(self) -> str:
        return self.data.get(self.add_prefix("reason"), "") if self.is_bound else ""

    def clean(self):
        data = super().clean()
        codes = {item.code for item in Assessment.from_dict(self.incident.assessment).deadlines}
        if data.get("code") not in codes:
            self.add_error(None, _("Fristen findes ikke længere i sagens vurdering. Genindlæs siden."))
        elif not data.get("restore") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv hvorfor fristen ikke er relevant."))
        return data


class ConfirmLevelForm(forms.Form):
    """The manager confirms the computed level or chooses another with a reason."""

    level = forms.TypedChoiceField(
        label=_("Alvorlighed"),
        coerce=int,
        choices=translated_choices(LEVEL_CHOICES),
        error_messages={"required": _("Vælg et niveau."), "invalid_choice": _("Vælg et niveau fra listen.")},
    )
    justification = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skal udfyldes, når du vælger et andet niveau end det beregnede."),
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="assess", **kwargs)
        self.incident = incident
        if not self.is_bound:
            self.initial["level"] = incident.level
            self.initial["justification"] = incident.override_justification

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level")
        if level and level != self.incident.assessed_level and not (cleaned.get("justification") or "").strip():
            self.add_error("justification", _("Skriv hvorfor niveauet afviger fra det beregnede."))
        return cleaned
