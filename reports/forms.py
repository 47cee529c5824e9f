"""The manager's choices before a report is generated, one form per kind.

Common to most kinds: which publications, and whether the perpetrator is named. The
police report adds the employee and the purposes; Datatilsynet the employee's address;
the DSA notice the platform (one notice per platform), the sender and a required
explanation per URL (started from the provisions' summaries); the breach record the
content of an art. 33 notification; the HR report whether internal notes are included.
Whether the kind applies at all (DOMAIN.md 6) is checked by `checks.unavailable_reasons`. The API feeds the
same form with JSON, so both check the same way.
"""

from __future__ import annotations

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from incidents.assessment import Assessment
from incidents.models import Incident, Publication

from . import checks, content, legal
from .models import Report
from .platforms import dsa_platforms

Kind = Report.Kind

INTRODUCTIONS = {
    Kind.POLICE: _(
        "Anmeldelse til politiet fra arbejdsgiveren, med medarbejderens samtykke, de strafbare forhold "
        "og én påtalebegæring for hver forurettet, der selv skal underskrive."
    ),
    Kind.DATATILSYNET: _(
        "Klage over offentliggørelse af medarbejderens egne personoplysninger, hvor arbejdsgiveren "
        "klager på medarbejderens vegne med fuldmagt. Bilagene hentes som enkelte filer."
    ),
    Kind.DSA_NOTICE: _(
        "Anmeldelse af ulovligt indhold til platformens juridiske enhed i EU efter forordningen om "
        "digitale tjenester (DSA) art. 16, som PDF og som tekst til platformens formular."
    ),
    Kind.BREACH_RECORD: _(
        "Registrering af et brud på persondatasikkerheden til databeskyttelsesrådgiveren: "
        "grundlaget for en anmeldelse til Datatilsynet inden 72 timer (art. 33)."
    ),
    Kind.INTERNAL_HR: _(
        "Hele sagen til HR og ledelse: fakta, vurdering med vejledning, handlinger, frister, tidslinje og næste skridt."
    ),
    Kind.INTERNAL_AMO: _(
        "Kort, forebyggende rapport til arbejdsmiljøorganisationen uden helbredsoplysninger, "
        "uden gerningspersonens identitet og uden citater."
    ),
}

# Shown before generating (DOMAIN.md 6): Datatilsynet sends the complaint to the other party.
WARNINGS = {
    Kind.DATATILSYNET: _(
        "Datatilsynet sender som regel klagen til den, der klages over, så personen kan udtale "
        "sig. Alt i klagen og bilagene kan altså blive læst af udgiveren."
    ),
    Kind.DSA_NOTICE: _(
        "Platformen kan fortælle den, der har lagt indholdet op, hvem anmeldelsen kommer fra, og "
        "nogle platforme offentliggør anmeldelser. Udelad private oplysninger i citaterne."
    ),
}

BREACH_FIELDS = (
    ("what", _("Hvilke oplysninger er kommet ud, og hvordan"), True),
    ("categories", _("Kategorier af berørte personer og oplysninger"), True),
    ("persons", _("Omtrentligt antal berørte personer"), False),
    ("records", _("Omtrentligt antal berørte registreringer"), False),
    ("consequences", _("Sandsynlige konsekvenser for de berørte"), True),
    ("measures_taken", _("Foranstaltninger, der er truffet"), True),
    ("measures_proposed", _("Foranstaltninger, der foreslås"), True),
)


def publication_label(publication) -> str:
    where = publication.url or publication.title or _g("uden link")
    return f"{publication.get_platform_display()} – {Truncator(where).chars(90)}"


def explanation_start(incident, publication) -> str:
    """A start for the manager's explanation of one URL: the provisions' neutral summaries,
    for the manager to turn into which words break which provision."""
    lines = [_g("Indholdet på %(url)s:") % {"url": publication.url}]
    for provision in legal.criminal(legal.provisions(incident)):
        lines.append(f"- {provision.title}: {provision.summary}")
    return "\n".join(lines)


class ReportOptionsForm(forms.Form):
    def __init__(self, *args, kind: str, incident, publications: list, targets: list, user=None, timeline=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.incident = incident
        self.publication_rows = publications
        self.targets = targets
        organisation = incident.unit.organisation
        self.dsa_platform_codes = dsa_platforms(publications) if kind == Kind.DSA_NOTICE else []

        if publications and kind != Kind.INTERNAL_AMO:
            self.fields["publications"] = forms.TypedMultipleChoiceField(
                label=_("Offentliggørelser i rapporten"),
                coerce=int,
                required=False,
                choices=[(p.pk, publication_label(p)) for p in publications],
                initial=[p.pk for p in publications],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Filer, der hører til en fravalgt offentliggørelse, udelades også."),
                error_messages={"invalid_choice": _("Offentliggørelsen %(value)s hører ikke til sagen.")},
            )
        if kind in (Kind.POLICE, Kind.DATATILSYNET, Kind.INTERNAL_HR):
            self.fields["name_perpetrator"] = forms.BooleanField(
                label=_("Navngiv gerningspersonen"),
                required=False,
                initial=True,
                help_text=_(
                    "Navn, profil og tidligere hændelser med samme person. Fravalgt står der kun, at "
                    "personen er kendt af arbejdsgiveren."
                ),
            )
        if kind in (Kind.POLICE, Kind.DATATILSYNET, Kind.DSA_NOTICE) and len(targets) > 1:
            self.fields["employee"] = forms.TypedChoiceField(
                label=_("Medarbejderen rapporten handler om"),
                coerce=int,
                choices=[(t.pk, t.get_full_name() or t.get_username()) for t in targets],
                initial=targets[0].pk,
            )
        if kind == Kind.POLICE:
            recommended = Assessment.from_dict(incident.assessment).action_codes
            initial = list(content.DEFAULT_PURPOSES)
            if "restraining_order" in recommended:
                initial.append("restraining_order")
            self.fields["purposes"] = forms.MultipleChoiceField(
                label=_("Formålet med anmeldelsen"),
                choices=list(content.PURPOSES.items()),
                initial=initial,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Vælg mindst ét formål med anmeldelsen.")},
            )
        if kind == Kind.DATATILSYNET:
            self.fields["employee_address"] = forms.CharField(
                label=_("Medarbejderens adresse (klager og fuldmagtsgiver)"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Datatilsynet skal have klagerens navn og adresse. Adressen gemmes kun i denne rapport."),
            )
        if kind == Kind.DSA_NOTICE:
            platforms = self.dsa_platform_codes
            self.fields["platform"] = forms.ChoiceField(
                label=_("Platform (én anmeldelse pr. platform)"),
                choices=[
                    (code, dict(Publication._meta.get_field("platform").choices).get(code, code)) for code in platforms
                ],
                initial=platforms[0] if platforms else None,
                error_messages={
                    "required": _("Vælg den platform, anmeldelsen skal til."),
                    "invalid_choice": _("Anmeldelsen kan ikke sendes til den platform."),
                },
            )
            for publication in publications:
                if publication.url and publication.platform in platforms:
                    self.fields[f"explanation_{publication.pk}"] = forms.CharField(
                        label=_("Begrundelse for %(url)s") % {"url": Truncator(publication.url).chars(80)},
                        required=False,
                        max_length=content.MAX_TEXT_OPTION,
                        widget=forms.Textarea(attrs={"rows": 5}),
                        initial=explanation_start(incident, publication),
                        help_text=_(
                            "Skriv, hvilke ord eller billeder der overtræder hvilken bestemmelse, og hvorfor "
                            "(DSA art. 16, stk. 2, litra a). Bestemmelsernes korte beskrivelse er sat ind "
                            "som en start."
                        ),
                    )
            self.fields["sender_name"] = forms.CharField(
                label=_("Afsenderens navn"),
                max_length=200,
                initial=(user.get_full_name() or user.get_username()) if user else organisation.contact_name,
                error_messages={
                    "required": _("Skriv afsenderens navn; platformen skal vide, hvem anmeldelsen er fra.")
                },
            )
            self.fields["sender_email"] = forms.EmailField(
                label=_("Afsenderens e-mailadresse"),
                max_length=254,
                initial=(user.email if user and user.email else organisation.contact_email),
                error_messages={
                    "required": _("Skriv en e-mailadresse, platformen kan svare på."),
                    "invalid": _("Skriv en gyldig e-mailadresse."),
                },
            )
        if kind == Kind.BREACH_RECORD:
            for key, label, long in BREACH_FIELDS:
                self.fields[f"breach_{key}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=content.MAX_TEXT_OPTION,
                    widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput(),
                )
            self.fields["breach_informed"] = forms.ChoiceField(
                label=_("Er de berørte underrettet (art. 34)?"),
                required=False,
                choices=[("", _("Ikke vurderet endnu")), *content.BREACH_INFORMED.items()],
            )
            self.fields["breach_informed_reason"] = forms.CharField(
                label=_("Begrundelse"),
                required=False,
                max_length=content.MAX_TEXT_OPTION,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if kind == Kind.INTERNAL_HR:
            self.fields["include_internal_notes"] = forms.BooleanField(
                label=_("Medtag interne noter"),
                required=False,
                initial=False,
                help_text=_(
                    "Uden interne noter kan medarbejderen selv hente rapporten. Så udelades også interne "
                    "tidslinjepunkter, begrundelsen for et ændret niveau og tidligere sager med samme "
                    "person."
                ),
            )

    def clean(self):
        cleaned = super().clean()
        for reason in checks.unavailable_reasons(self.kind, self.incident):
            self.add_error(None, reason)
        if self.kind == Kind.DSA_NOTICE and not self.has_error("publications") and not self.has_error("platform"):
            chosen = set(cleaned.get("publications") or ()) if "publications" in self.fields else set()
            rows = [
                p for p in self.publication_rows if p.pk in chosen and p.url and p.platform == cleaned.get("platform")
            ]
            if not rows:
                # A form-level error: it shows even when there is no publication to tick.
                self.add_error(
                    None,
                    _(
                        "En DSA-anmeldelse skal pege på det præcise indhold: vælg mindst én "
                        "offentliggørelse på platformen, der har et link."
                    ),
                )
            for publication in rows:
                name = f"explanation_{publication.pk}"
                if not (cleaned.get(name) or "").strip():
                    self.add_error(
                        name, _("Skriv, hvilke ord eller billeder der overtræder hvilken bestemmelse, og hvorfor.")
                    )
        return cleaned

    def to_options(self) -> dict:
        """The choices as the JSON stored on the report."""
        data = self.cleaned_data
        options = {"publication_ids": sorted(data.get("publications") or ())}
        if "name_perpetrator" in self.fields:
            options["name_perpetrator"] = bool(data.get("name_perpetrator"))
        if "employee" in self.fields:
            options["employee_id"] = data.get("employee")
        elif self.targets:
            options["employee_id"] = self.targets[0].pk
        if "purposes" in self.fields:
            options["purposes"] = data.get("purposes")
        for key in ("employee_address", "platform", "sender_name", "sender_email"):
            if key in self.fields:
                options[key] = (data.get(key) or "").strip()
        if self.kind == Kind.DSA_NOTICE:
            chosen = set(options["publication_ids"])
            options["explanations"] = {
                str(p.pk): (data.get(f"explanation_{p.pk}") or "").strip()
                for p in self.publication_rows
                if p.pk in chosen and f"explanation_{p.pk}" in self.fields and p.platform == options.get("platform")
            }
        if self.kind == Kind.BREACH_RECORD:
            options["breach"] = {
                key: (data.get(f"breach_{key}") or "").strip()
                for key in [*(k for k, _label, _long in BREACH_FIELDS), "informed", "informed_reason"]
            }
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


class ReportFactsForm(forms.ModelForm):
    """The incident's facts that reports to outside recipients need (consents, the publisher's
    answer, witnesses …); saved by `incidents.services.incident_update_report_facts`."""

    class Meta:
        model = Incident
        fields = [
            "consent_police_report",
            "employee_police_contact",
            "witnesses",
            "compensation_wanted",
            "bistandsadvokat_wanted",
            "consent_dsa_notice",
            "publisher_contacted_at",
            "publisher_contact_method",
            "publisher_answer",
            "consent_name_to_amo",
            "injury_copy_to_amo",
        ]
        widgets = {
            "publisher_contacted_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "witnesses": forms.Textarea(attrs={"rows": 3}),
            "publisher_answer": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"publisher_contacted_at": {"invalid": _("Skriv dato og klokkeslæt, fx 01-12-2026 14:30.")}}

    def clean_publisher_contacted_at(self):
        from django.utils import timezone

        value = self.cleaned_data.get("publisher_contacted_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("Tidspunktet for henvendelsen kan ikke ligge i fremtiden."))
        return value

    def clean(self):
        cleaned = super().clean()
        answered = (cleaned.get("publisher_contact_method") or "").strip() or (
            cleaned.get("publisher_answer") or ""
        ).strip()
        if answered and not cleaned.get("publisher_contacted_at") and not self.has_error("publisher_contacted_at"):
            self.add_error("publisher_contacted_at", _("Skriv, hvornår udgiveren blev bedt om at fjerne indholdet."))
        return cleaned


class RedactionForm(forms.Form):
    """One span of text that external documents leave out."""

    target = forms.ChoiceField(
        label=_("Hvor står teksten"),
        error_messages={"required": _("Vælg, hvor teksten står."), "invalid_choice": _("Vælg, hvor teksten står.")},
    )
    text = forms.CharField(
        label=_("Tekst, der skal udelades"),
        max_length=1000,
        help_text=_(
            "Kopiér teksten præcist, som den står, fx en adresse. Den vises som "
            "«[udeladt]» i dokumenter til politi, Datatilsynet og platforme."
        ),
        error_messages={"required": _("Skriv eller kopiér den tekst, der skal udelades.")},
    )

    def __init__(self, *args, incident, publications: list, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("title", _g("Sagens overskrift")), ("description", _g("Beskrivelsen af hvad der er sket"))]
        for publication in publications:
            if publication.quote.strip():
                choices.append(
                    (f"quote:{publication.pk}", _g("Citat: %(where)s") % {"where": publication_label(publication)})
                )
            if publication.title.strip():
                choices.append(
                    (
                        f"publication_title:{publication.pk}",
                        _g("Titel: %(where)s") % {"where": publication_label(publication)},
                    )
                )
        self.fields["target"].choices = choices
        self.publications = {p.pk: p for p in publications}

    def target_parts(self):
        """(field code, publication or None) of the chosen target."""
        field_code, _sep, pk = self.cleaned_data["target"].partition(":")
        return field_code, self.publications.get(int(pk)) if pk else None


class MarkSentForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Sendt den"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Skriv, hvornår rapporten blev sendt."), "invalid": _("Skriv en gyldig dato.")},
    )
    external_reference = forms.CharField(label=_("Modtagerens reference"), max_length=200, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        self.fields["sent_on"].initial = timezone.localdate()
        self.fields["external_reference"].help_text = {
            Kind.POLICE: _("Politiets journalnummer, når det kommer."),
            Kind.DSA_NOTICE: _(
                "Platformens sagsnummer eller kvittering. Om 7 dage minder systemet dig om at "
                "kontrollere, om indholdet er fjernet."
            ),
            Kind.DATATILSYNET: _("Datatilsynets sagsnummer, når det kommer."),
            Kind.BREACH_RECORD: _("Datatilsynets sagsnummer, hvis bruddet er anmeldt."),
        }.get(kind, "")

    def clean_sent_on(self):
        from django.utils import timezone

        value = self.cleaned_data["sent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."))
        return value


class JournalNumberForm(forms.Form):
    journal_number = forms.CharField(
        label=_("Journalnummer"),
        max_length=100,
        help_text=_("Nummeret i kommunens dokumenthåndteringssystem (ESDH), fx «27.12.00-G01-123-26»."),
        error_messages={"required": _("Skriv journalnummeret fra kommunens dokumenthåndteringssystem.")},
    )
