"""The form for recording the information given to the perpetrator (art. 14) or the exception."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import art14


class Art14Form(forms.Form):
    art14_informed_on = forms.DateField(
        label=_("Afsenderen blev oplyst den"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Skriv en gyldig dato.")},
        help_text=_("Fx den dag, brevet med oplysningerne efter art. 14 blev sendt."),
    )
    art14_exception = forms.ChoiceField(
        label=_("… eller undtagelse fra oplysningspligten"),
        required=False,
        choices=[("", _("Ingen undtagelse")), *art14.EXCEPTION_CHOICES],
        error_messages={"invalid_choice": _("Vælg en undtagelse fra listen.")},
    )
    art14_reason = forms.CharField(
        label=_("Begrundelse for undtagelsen"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Den konkrete afvejning: hvorfor personens interesse i at blive oplyst må vige her."),
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="art14", **kwargs)
        self.incident = incident
        self.fields["art14_informed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.update({name: getattr(incident, name) for name in art14.FIELDS})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        errors = art14.validate(
            informed_on=cleaned.get("art14_informed_on"),
            exception=cleaned.get("art14_exception") or "",
            reason=cleaned.get("art14_reason") or "",
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return cleaned
