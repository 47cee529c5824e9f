"""The e-mail preferences form: one checkbox per kind the user can receive."""

from django import forms

from .models import Kind


class PreferencesForm(forms.Form):
    """`kinds` decides which checkboxes exist; `initial` holds the current choices."""

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(label=Kind(kind).label, required=False)

    def email_by_kind(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in self.fields}
