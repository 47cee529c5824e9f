"""The manager's choices before a report is generated, one form per kind.

Common to every kind: which publications, and whether the perpetrator is named. The
police report adds the employee and the purposes; Datatilsynet the employee and the
publisher's answer to a removal request; the DSA notice the sender and an optional
explanation; the internal report whether internal notes are included. The API feeds the
same form with JSON, so both check the same way.
"""

from __future__ import annotations

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from . import content
from .models import Report

Kind = Report.Kind

INTRODUCTIONS = {
    Kind.POLICE: _("Anmeldelse til politiet fra arbejdsgiveren, med medarbejderens samtykke og – hvor loven "
                   "kræver det – medarbejderens begæring om påtale til underskrift."),
    Kind.DATATILSYNET: _("Klage over offentliggørelse af personoplysninger, hvor arbejdsgiveren klager på "
                         "medarbejderens vegne med fuldmagt. Vejen via Datatilsynet er den svageste."),
    Kind.DSA_NOTICE: _("Anmeldelse af ulovligt indhold til platformen efter forordningen om digitale tjenester "
                       "(DSA) art. 16, som PDF og som tekst til platformens formular."),
    Kind.INTERNAL: _("Hele sagen til HR eller arbejdsmiljøorganisationen: fakta, vurdering, handlinger, frister "
                     "og tidslinje."),
}


def publication_label(publication) -> str:
    where = publication.url or publication.title or _g("uden link")
    return f"{publication.get_platform_display()} – {Truncator(where).chars(90)}"


def takedown_summary(timeline) -> str:
    """The removal requests recorded on the timeline, as a starting text for Datatilsynet."""
    lines = []
    for entry in timeline:
        if entry.kind == "action" and entry.action_code == "platform_takedown":
            line = _g("%(date)s: anmodning om fjernelse sendt") % {"date": entry.occurred_on.strftime("%d.%m.%Y")}
            if entry.external_reference:
                line += f" ({entry.external_reference})"
            if entry.text:
                line += f". {entry.text}"
            lines.append(line)
    return "\n".join(lines)


class ReportOptionsForm(forms.Form):
    def __init__(self, *args, kind: str, incident, publications: list, targets: list, user=None,
                 timeline=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.incident = incident
        self.publication_rows = publications
        self.targets = targets
        organisation = incident.unit.organisation

        if publications:
            self.fields["publications"] = forms.TypedMultipleChoiceField(
                label=_("Offentliggørelser i rapporten"), coerce=int, required=False,
                choices=[(p.pk, publication_label(p)) for p in publications],
                initial=[p.pk for p in publications],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Filer, der hører til en fravalgt offentliggørelse, udelades også."),
                error_messages={"invalid_choice": _("Offentliggørelsen %(value)s hører ikke til sagen.")},
            )
        self.fields["name_perpetrator"] = forms.BooleanField(
            label=_("Navngiv gerningspersonen"), required=False, initial=True,
            help_text=_("Navn, profil og tidligere hændelser med samme person. Fravalgt står der kun, at "
                        "personen er kendt af arbejdsgiveren."),
        )
        if kind in (Kind.POLICE, Kind.DATATILSYNET, Kind.DSA_NOTICE) and len(targets) > 1:
            self.fields["employee"] = forms.TypedChoiceField(
                label=_("Medarbejderen rapporten handler om"), coerce=int,
                choices=[(t.pk, t.get_full_name() or t.get_username()) for t in targets],
                initial=targets[0].pk,
            )
        if kind == Kind.POLICE:
            recommended = {item.get("code") for item in (incident.assessment or {}).get("actions") or ()}
            initial = list(content.DEFAULT_PURPOSES)
            if "restraining_order" in recommended:
                initial.append("restraining_order")
            self.fields["purposes"] = forms.MultipleChoiceField(
                label=_("Formålet med anmeldelsen"), choices=list(content.PURPOSES.items()), initial=initial,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Vælg mindst ét formål med anmeldelsen.")},
            )
        if kind == Kind.DATATILSYNET:
            self.fields["takedown_answer"] = forms.CharField(
                label=_("Er udgiveren bedt om at fjerne oplysningerne, og hvad var svaret?"), required=False,
                max_length=content.MAX_TEXT_OPTION, widget=forms.Textarea(attrs={"rows": 4}),
                initial=takedown_summary(timeline),
                help_text=_("Datatilsynet forventer, at man først har henvendt sig til den, der har offentliggjort "
                            "oplysningerne."),
            )
        if kind == Kind.DSA_NOTICE:
            self.fields["sender_name"] = forms.CharField(
                label=_("Afsenderens navn"), max_length=200,
                initial=(user.get_full_name() or user.get_username()) if user else organisation.contact_name,
                error_messages={"required": _("Skriv afsenderens navn; platformen skal vide, hvem anmeldelsen "
                                              "er fra.")},
            )
            self.fields["sender_email"] = forms.EmailField(
                label=_("Afsenderens e-mailadresse"), max_length=254,
                initial=(user.email if user and user.email else organisation.contact_email),
                error_messages={"required": _("Skriv en e-mailadresse, platformen kan svare på."),
                                "invalid": _("Skriv en gyldig e-mailadresse.")},
            )
            self.fields["explanation"] = forms.CharField(
                label=_("Uddybende begrundelse (valgfri)"), required=False, max_length=content.MAX_TEXT_OPTION,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Kommer ud over de mulige lovovertrædelser, som vurderingen har fundet."),
            )
        if kind == Kind.INTERNAL:
            self.fields["include_internal_notes"] = forms.BooleanField(
                label=_("Medtag interne noter"), required=False, initial=False,
                help_text=_("Uden interne noter kan medarbejderen selv hente rapporten. Så udelades også interne "
                            "tidslinjepunkter og begrundelsen for et ændret niveau."),
            )

    def clean(self):
        cleaned = super().clean()
        chosen = set(cleaned.get("publications") or ())
        if self.kind == Kind.DSA_NOTICE and not self.has_error("publications") and not any(
                p.url for p in self.publication_rows if p.pk in chosen):
            # A form-level error: it shows even when there is no publication to tick.
            self.add_error(None, _("En DSA-anmeldelse skal pege på det præcise indhold: vælg mindst én "
                                   "offentliggørelse, der har et link."))
        return cleaned

    def to_options(self) -> dict:
        """The choices as the JSON stored on the report."""
        data = self.cleaned_data
        options = {
            "publication_ids": sorted(data.get("publications") or ()),
            "name_perpetrator": bool(data.get("name_perpetrator")),
        }
        if "employee" in self.fields:
            options["employee_id"] = data.get("employee")
        elif self.targets:
            options["employee_id"] = self.targets[0].pk
        for key in ("purposes", "takedown_answer", "sender_name", "sender_email", "explanation"):
            if key in self.fields:
                options[key] = data.get(key) if key == "purposes" else (data.get(key) or "").strip()
        if "include_internal_notes" in self.fields:
            options["include_internal_notes"] = bool(data.get("include_internal_notes"))
        return options


def form_defaults(form: ReportOptionsForm) -> dict:
    """The form's initial values as submitted data (the API starts from these)."""
    data = {}
    for name, bound_field in form.fields.items():
        initial = form.get_initial_for_field(bound_field, name)
        if initial is not None:
            data[name] = initial
    return data
