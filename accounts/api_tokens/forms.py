from django import forms
from django.utils.translation import gettext_lazy as _

from .scopes import SCOPE_LABELS
from .services import EXPIRY_CHOICES_DAYS


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"), max_length=100, help_text=_("Hvad nøglen bruges til, fx «Ugerapport i regneark».")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Må bruges til"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én ting, nøglen må bruges til.")},
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Udløber efter"),
        coerce=int,
        initial=90,
        choices=[(days, _("%(days)s dage") % {"days": days}) for days in EXPIRY_CHOICES_DAYS],
    )

    def __init__(self, *args, allowed_scopes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, SCOPE_LABELS[scope]) for scope in allowed_scopes]
