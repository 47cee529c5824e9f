"""Forms of the case workspace (issue 17): the case owner, managers kept out, messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import casework


def _person_label(user) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.job_title})" if getattr(user, "job_title", "") else name


class _PeopleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _person_label(obj)


def _queryset_of(users):
    from accounts.models import User

    return User.objects.filter(pk__in=[user.pk for user in users]).order_by("first_name", "last_name", "username")


class OwnerForm(forms.Form):
    """Give the case to a manager on it (or to nobody)."""

    owner = _PeopleChoice(
        label=_("Sagsansvarlig"),
        queryset=None,
        required=False,
        empty_label=_("Ingen sagsansvarlig"),
        error_messages={
            "invalid_choice": _("Vælg en leder fra listen. Kun ledere for sagens enhed kan være sagsansvarlige.")
        },
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, prefix="owner", **kwargs)
        self.fields["owner"].queryset = _queryset_of(casework.managers_of_case(incident))
        if not self.is_bound:
            self.initial["owner"] = incident.owner_id


class ExclusionForm(forms.Form):
    """Keep a manager over the unit out of this case, with a reason."""

    manager = _PeopleChoice(
        label=_("Leder, der skal holdes ude"),
        queryset=None,
        error_messages={
            "required": _("Vælg den leder, der skal holdes ude af sagen."),
            "invalid_choice": _("Vælg en leder fra listen."),
        },
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fx at lederen selv er nævnt i opslaget eller er part i sagen."),
        error_messages={"required": _("Skriv hvorfor lederen skal holdes ude af sagen.")},
    )

    def __init__(self, *args, incident, user, **kwargs):
        super().__init__(*args, prefix="exclude", **kwargs)
        self.fields["manager"].queryset = _queryset_of(
            [m for m in casework.managers_of_case(incident) if m.pk != user.pk]
        )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Din besked"),
        max_length=casework.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Skriv en besked, før du sender."),
            "max_length": _("Beskeden er for lang (højst %(limit_value)d tegn)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="message", **kwargs)
