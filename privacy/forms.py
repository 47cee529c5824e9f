"""Forms of the data subject requests: register a request, record a decision, confirm an erasure."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import HttpUrlField

from .models import DataSubjectRequest, Exception22
from .policy import organisation_users
from .selectors import name_words


class SubjectUserField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class RequestForm(forms.Form):
    """A new request. The employees offered are the people of the admin's organisation only."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"), empty_label=None)
    kind = forms.ChoiceField(
        label=_("Anmodningen gælder"), choices=DataSubjectRequest.Kind.choices, widget=forms.RadioSelect
    )
    subject_type = forms.ChoiceField(
        label=_("Den registrerede er"), choices=DataSubjectRequest.SubjectType.choices, widget=forms.RadioSelect
    )
    subject_user = SubjectUserField(
        queryset=None, required=False, label=_("Medarbejder"), empty_label=_("Vælg medarbejderen")
    )
    subject_name = forms.CharField(
        label=_("Afsenderens navn"),
        max_length=200,
        required=False,
        help_text=_(
            "Som det står i anmodningen. Hændelser findes, hvor hvert ord i navnet står i det registrerede "
            "navn på afsenderen."
        ),
    )
    received_on = forms.DateField(
        label=_("Modtaget den"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("Svarfristen er en måned fra denne dato (art. 12, stk. 3)."),
    )
    requester = forms.CharField(
        label=_("Anmodet af"),
        max_length=200,
        initial=_("Den registrerede selv"),
        help_text=DataSubjectRequest._meta.get_field("requester").help_text,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        self.fields["organisation"].queryset = type(self.organisations[0]).objects.filter(
            pk__in=[o.pk for o in self.organisations]
        )
        self.fields["organisation"].initial = self.organisations[0].pk
        self.single_organisation = len(self.organisations) == 1
        if self.single_organisation:
            self.fields["organisation"].widget = forms.HiddenInput()
        users = organisation_users(self.organisations[0].pk)
        for other in self.organisations[1:]:
            users = users | organisation_users(other.pk)
        self.fields["subject_user"].queryset = users.distinct()
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."))
        return day

    def clean_subject_name(self):
        return " ".join(self.cleaned_data.get("subject_name", "").split())

    def clean(self):
        data = super().clean()
        subject_type = data.get("subject_type")
        if subject_type == DataSubjectRequest.SubjectType.EMPLOYEE:
            user = data.get("subject_user")
            if user is None:
                if "subject_user" not in self.errors:
                    self.add_error("subject_user", _("Vælg den medarbejder, anmodningen handler om."))
            elif (
                data.get("organisation") is not None
                and not organisation_users(data["organisation"].pk).filter(pk=user.pk).exists()
            ):
                self.add_error("subject_user", _("Medarbejderen hører ikke til den valgte organisation."))
        elif (
            subject_type == DataSubjectRequest.SubjectType.PERPETRATOR
            and "subject_name" not in self.errors
            and not name_words(data.get("subject_name", ""))
        ):
            self.add_error("subject_name", _("Skriv afsenderens navn, som det står i anmodningen."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Afgørelse"), widget=forms.RadioSelect)
    justification = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_(
            "Et afslag skal begrundes, og den registrerede skal have besked om muligheden for at klage til "
            "Datatilsynet (art. 12, stk. 4)."
        ),
    )

    def __init__(self, *args, dsr: DataSubjectRequest, **kwargs):
        super().__init__(*args, **kwargs)
        choices = DataSubjectRequest.Decision.choices
        if dsr.is_erasure:
            # An erasure is granted by carrying it out; here it can only be refused.
            choices = [(DataSubjectRequest.Decision.REFUSED, DataSubjectRequest.Decision.REFUSED.label)]
        self.fields["decision"].choices = choices
        self.fields["decision"].initial = choices[0][0]

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (DataSubjectRequest.Decision.REFUSED, DataSubjectRequest.Decision.PARTLY_GRANTED)
            and not data.get("justification", "").strip()
        ):
            self.add_error("justification", _("Skriv en begrundelse for afgørelsen."))
        return data


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Jeg har læst planen og vil slette det, der står under «Slettes»."),
        error_messages={"required": _("Bekræft, at du har læst planen, før der slettes.")},
    )
    justification = forms.CharField(
        label=_("Bemærkning (valgfri)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IdentityForm(forms.Form):
    identity_check = forms.CharField(
        label=_("Sådan er identiteten kontrolleret"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Fx «brev signeret med MitID», «kopi af pas sammenholdt med profilbilledet». Uden en "
            "identitetskontrol kan oplysninger om en anden person blive udleveret."
        ),
    )
    profile_url = HttpUrlField(
        label=_("Profil-link i anmodningen"),
        required=False,
        max_length=500,
        help_text=_("Hvis anmodningen oplyser afsenderens profil, findes også sager med samme link."),
    )


class WithholdForm(forms.Form):
    key = forms.ChoiceField(label=_("Punkt"))
    exception = forms.ChoiceField(label=_("Undtagelse (databeskyttelseslovens § 22)"), choices=Exception22.choices)
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Den konkrete vurdering: hvorfor hensynet vejer tungere end den "
            "registreredes interesse i at få oplysningen."
        ),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = choices
