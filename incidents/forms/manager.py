"""Forms a manager fills in: the incident with its publications, status, actions and notes.

Text is kept as typed (only leading and trailing blanks are stripped) and is never marked
safe; templates escape it. Dates may not lie in the future, links must be http(s).
"""

from __future__ import annotations

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Membership, Role, Unit, User
from common.forms import HttpUrlField

from ..assessment import (
    CONTENT_FEATURES,
    FEATURE_HELP,
    FEATURE_LABELS,
    RECORDING_FEATURES,
    RELATED_PHENOMENA_LABELS,
)
from ..models import FEATURE_FIELDS, PHENOMENON_FIELDS, Incident, Publication

# Seconds of clock difference between the browser and the server we accept for "now".
CLOCK_TOLERANCE = timedelta(minutes=5)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

PUBLICATION_FIELDS = (
    "platform",
    "url",
    "title",
    "published_at",
    "reach",
    "audience_size",
    "still_online",
    "quote",
)
IMPACT_FIELDS = ("absence_days", "absence_start", "psychological_harm", "emotional_load")
PERPETRATOR_FIELDS = ("perpetrator_relation", "perpetrator_name", "perpetrator_profile_url")
INCIDENT_FIELDS = (
    "unit",
    "targets",
    "target_names",
    "title",
    "description",
    "discovered_at",
    *FEATURE_FIELDS,
    *PERPETRATOR_FIELDS,
    *PHENOMENON_FIELDS.values(),
    *IMPACT_FIELDS,
)

EMOTIONAL_LOAD_CHOICES = [
    ("", _("Ikke oplyst")),
    (1, _("1 – let belastet")),
    (2, _("2")),
    (3, _("3 – mærkbart belastet")),
    (4, _("4")),
    (5, _("5 – meget hårdt belastet")),
]


# --- Shared fields and checks ----------------------------------------------------------------


def translated_choices(choices) -> list[tuple]:
    """Choices labelled by the assessment engine, with the labels translated lazily.

    The engine's labels are Danish strings marked with ``gettext_noop``; the empty choice
    keeps its label as it is.
    """
    return [(code, _(label) if code not in ("", None) else label) for code, label in choices]


def _datetime_input() -> forms.DateTimeInput:
    # End of today as the browser's limit; the exact "not in the future" check is on the server.
    today_end = timezone.localdate().isoformat() + "T23:59"
    return forms.DateTimeInput(attrs={"type": "datetime-local", "max": today_end}, format=DATETIME_FORMAT)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "max": timezone.localdate().isoformat()}, format="%Y-%m-%d")


def not_in_future_datetime(value):
    if value and value > timezone.now() + CLOCK_TOLERANCE:
        raise forms.ValidationError(_("Tidspunktet kan ikke ligge i fremtiden."), code="future")
    return value


def not_in_future_date(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."), code="future")
    return value


class TargetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} – {obj.job_title}" if obj.job_title else name


def target_candidates(user, *, include=()):
    """Users of the manager's organisations with a membership in a unit the manager manages.

    `include` keeps the incident's current targets selectable even if they have moved on.
    """
    managed = permissions.units_for(user, Role.MANAGER)
    in_managed_unit = Exists(Membership.objects.filter(user_id=OuterRef("pk"), unit_id__in=managed))
    condition = Q(in_managed_unit, is_active=True, organisation_id__in=permissions.organisation_ids(user))
    include_ids = [u.pk for u in include]
    if include_ids:
        condition |= Q(pk__in=include_ids)
    return User.objects.filter(condition).order_by("first_name", "last_name", "username")


def managed_units(user):
    return Unit.objects.filter(pk__in=permissions.units_for(user, Role.MANAGER)).order_by("name")


# --- The incident -------------------------------------------------------------------------


class IncidentForm(forms.ModelForm):
    """The facts of an incident, in the sections a manager thinks in."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Enhed"),
        empty_label=_("Vælg enhed"),
        help_text=_("Den enhed, hvor den ramte medarbejder arbejder. Sagen hører til denne enheds ledere."),
        error_messages={
            "required": _("Vælg den enhed, sagen hører til."),
            "invalid_choice": _("Vælg en af dine egne enheder."),
        },
    )
    targets = TargetChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Berørte medarbejdere"),
        help_text=_(
            "Vælg de medarbejdere, der er hængt ud. De kan følge sagen og tilføje dokumentation. "
            "Hold Ctrl (Cmd på Mac) nede for at vælge flere."
        ),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={"invalid_choice": _("Vælg kun medarbejdere fra dine egne enheder.")},
    )
    discovered_at = forms.DateTimeField(
        label=_("Hvornår blev det opdaget?"),
        help_text=_("Dato og klokkeslæt, hvor I blev opmærksomme på indholdet. Fristerne regnes herfra."),
        validators=[not_in_future_datetime],
        error_messages={
            "required": _("Skriv hvornår indholdet blev opdaget."),
            "invalid": _("Skriv dato og klokkeslæt, fx 24-11-2026 14:30."),
        },
    )
    perpetrator_profile_url = HttpUrlField(
        required=False,
        label=_("Afsenderens profil (link)"),
        help_text=_("Link til afsenderens profil eller side, fx https://www.facebook.com/…"),
    )
    absence_start = forms.DateField(
        required=False,
        label=_("Første fraværsdag"),
        validators=[not_in_future_date],
        help_text=_("Fristen for anmeldelse af arbejdsskade i EASY regnes fra denne dag."),
        error_messages={"invalid": _("Skriv en gyldig dato.")},
    )
    case_complaint_choice = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        label=_("Ved en ren klage: skal borgeren registreres?"),
        choices=[
            (
                "without_citizen",
                _("Registrér uden oplysninger om borgeren (anbefalet): navn og profillink gemmes ikke"),
            ),
            ("with_citizen", _("Registrér med borgerens navn og profillink")),
        ],
        help_text=_("Bruges kun, når sagen alene er en klage over sagsbehandlingen (se ovenfor)."),
    )
    emotional_load = forms.TypedChoiceField(
        choices=EMOTIONAL_LOAD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Hvordan har medarbejderen det?"),
        help_text=_("Medarbejderens egen vurdering af, hvor hårdt det er, fra 1 (let) til 5 (meget hårdt)."),
    )

    class Meta:
        model = Incident
        fields = INCIDENT_FIELDS
        labels = {
            "target_names": _("Andre berørte (navne)"),
            "title": _("Kort overskrift"),
            "description": _("Hvad er sket?"),
            "perpetrator_relation": _("Hvem har offentliggjort det?"),
            "perpetrator_name": _("Afsenderens navn"),
            "absence_days": _("Sygefravær (dage)"),
            "psychological_harm": _("Medarbejderen har en psykisk belastning eller skade"),
        }
        help_texts = {
            "target_names": _("Navne på berørte, der ikke har en bruger i systemet, fx en tidligere kollega."),
            "title": _("Få ord, der gør sagen let at genkende på listen, fx «Opslag i lokal Facebook-gruppe»."),
            "description": _(
                "Fortæl kort og sagligt, hvad der er offentliggjort, og hvad der skete op til. "
                "Citater hører til under den enkelte offentliggørelse."
            ),
            "perpetrator_relation": _(
                "Borgerens forhold til sagen. Er det en borger i egen sag, anbefales "
                "bl.a. klagesystemet og en bisidder."
            ),
            "perpetrator_name": _("Navn eller profilnavn, hvis det er kendt."),
            "absence_days": _("Antal sygedage på grund af hændelsen indtil nu. Skriv 0, hvis der ikke er fravær."),
            "psychological_harm": _("Fx stress, angst eller søvnbesvær efter hændelsen. Kan være en arbejdsskade."),
        }
        error_messages = {
            "title": {"required": _("Skriv en kort overskrift.")},
            "absence_days": {
                "invalid": _("Skriv et helt antal dage (0 eller flere)."),
                "min_value": _("Antallet af dage kan ikke være negativt."),
            },
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = managed_units(user)
        self.fields["unit"].queryset = units
        if not self.instance.pk and not self.is_bound and len(units) == 1:
            self.initial.setdefault("unit", units[0].pk)
        existing = list(self.instance.targets.all()) if self.instance.pk else []
        self.fields["targets"].queryset = target_candidates(user, include=existing)
        self.fields["discovered_at"].widget = _datetime_input()
        self.fields["absence_start"].widget = date_input()
        self.fields["absence_days"].widget.attrs["min"] = 0
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("discovered_at", timezone.localtime().replace(second=0, microsecond=0))
        for code in FEATURE_FIELDS:
            self.fields[code].label = _(FEATURE_LABELS[code])
            self.fields[code].help_text = _(FEATURE_HELP[code])
        for code, field in PHENOMENON_FIELDS.items():
            self.fields[field].label = _(RELATED_PHENOMENA_LABELS[code])
        relation = self.fields["perpetrator_relation"]
        relation.choices = translated_choices(relation.choices)
        self.fields[PHENOMENON_FIELDS["case_complaint"]].help_text = _(
            "Kritik af en afgørelse er ikke udhængning: borgeren må gerne klage og kritisere sagsbehandlingen, "
            "også offentligt, og klagen hører til i kommunens klagesystem. Er der kun tale om kritik (intet "
            "andet er markeret end, at medarbejderen nævnes), registreres sagen som en klage over "
            "sagsbehandlingen, uden lovhenvisninger, og I kan vælge ikke at gemme noget om borgeren."
        )

    @cached_property
    def helper(self) -> FormHelper:
        """The form's layout for crispy-forms, built when the form is shown (a registration
        that validates is never shown again)."""
        return self._helper()

    def _get_validation_exclusions(self):
        """The unit field has fetched the unit from the manager's own units already; the
        model's foreign-key check would only ask again whether it exists (one more query)."""
        return {*super()._get_validation_exclusions(), "unit"}

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True

        def lead(text):
            return HTML(format_html('<p class="section-lead">{}</p>', text))

        helper.layout = Layout(
            Fieldset(
                gettext("Hvem er ramt"),
                lead(gettext("Den eller de medarbejdere, indholdet handler om, og den enhed, sagen hører til.")),
                "unit",
                "targets",
                "target_names",
                css_class="form-section",
                css_id="sektion-hvem",
            ),
            Fieldset(
                gettext("Hvor er det offentliggjort"),
                lead(
                    gettext(
                        "Tilføj hvert opslag, hver side eller video for sig, med link og gerne et ordret "
                        "citat. Flere offentliggørelser kan registreres på én gang."
                    )
                ),
                "discovered_at",
                HTML('{% include "incidents/includes/publication_formset.html" %}'),
                HTML('{% include "incidents/includes/evidence_files_input.html" %}'),
                css_class="form-section",
                css_id="sektion-hvor",
            ),
            Fieldset(
                gettext("Hvad gør indholdet"),
                lead(gettext("Sæt kryds ved alt, der passer. Vurderingen af alvorlighed bygger på disse svar.")),
                "title",
                "description",
                Div(*CONTENT_FEATURES, css_class="feature-list"),
                css_class="form-section",
                css_id="sektion-indhold",
            ),
            Fieldset(
                gettext("Optagelser"),
                lead(
                    gettext("Kun hvis der er offentliggjort lyd- eller videooptagelser af samtaler med medarbejderen.")
                ),
                Div(*RECORDING_FEATURES, css_class="feature-list"),
                css_class="form-section",
                css_id="sektion-optagelser",
            ),
            Fieldset(
                gettext("Hvem har offentliggjort det"),
                "perpetrator_relation",
                "perpetrator_name",
                "perpetrator_profile_url",
                HTML(
                    format_html(
                        '<p class="form-label mt-3 mb-1">{}</p><p class="form-text mt-0">{}</p>',
                        gettext("Hænger sagen sammen med noget af dette?"),
                        gettext(
                            "Udhængning er beslægtet med, men ikke det samme som, mobning, trusler, stalking og "
                            "klager over sagsbehandlingen."
                        ),
                    )
                ),
                Div(*PHENOMENON_FIELDS.values(), css_class="feature-list"),
                "case_complaint_choice",
                css_class="form-section",
                css_id="sektion-afsender",
            ),
            Fieldset(
                gettext("Følger for medarbejderen"),
                lead(gettext("Udfyld det, I ved nu. Oplysningerne kan rettes senere.")),
                "absence_days",
                "absence_start",
                "psychological_harm",
                "emotional_load",
                css_class="form-section",
                css_id="sektion-foelger",
            ),
        )
        return helper

    @property
    def case_complaint_only(self) -> bool:
        """DOMAIN.md 4.0 on the facts typed so far: only `case_complaint`, and no feature but `named`."""
        data = self.cleaned_data
        phenomena = {code for code, field in PHENOMENON_FIELDS.items() if data.get(field)}
        return phenomena == {"case_complaint"} and not any(data.get(code) for code in FEATURE_FIELDS if code != "named")

    def clean(self):
        data = super().clean()
        if self.case_complaint_only:
            about_citizen = data.get("perpetrator_name") or data.get("perpetrator_profile_url")
            choice = data.get("case_complaint_choice")
            if about_citizen and not choice:
                self.add_error(
                    "case_complaint_choice",
                    _(
                        "Kritik af en afgørelse er ikke udhængning. Det, I har markeret, er kun en klage over "
                        "sagsbehandlingen, og borgeren har ret til at klage. Vælg, om sagen skal gemmes uden "
                        "borgerens navn og profillink (anbefalet, så der ikke registreres mere end nødvendigt), "
                        "eller med dem."
                    ),
                )
            elif choice == "without_citizen":
                data["perpetrator_name"] = ""
                data["perpetrator_profile_url"] = ""
        return data

    def fields_for_service(self) -> dict:
        """The cleaned facts as `incidents.services` takes them (unit and targets separately)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("unit", "targets", "case_complaint_choice")
        }


# --- Publications ---------------------------------------------------------------------------


class PublicationForm(forms.ModelForm):
    url = HttpUrlField(
        required=False,
        label=_("Link"),
        help_text=_("Adressen på opslaget, siden eller videoen, fx https://www.facebook.com/…"),
    )
    published_at = forms.DateTimeField(
        required=False,
        label=_("Offentliggjort"),
        validators=[not_in_future_datetime],
        help_text=_("Hvornår indholdet blev lagt ud, hvis det vides."),
        error_messages={"invalid": _("Skriv dato og klokkeslæt, fx 24-11-2026 14:30.")},
    )
    still_online = forms.NullBooleanField(
        required=False,
        label=_("Er det stadig online?"),
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Publication
        fields = PUBLICATION_FIELDS
        labels = {
            "platform": _("Platform"),
            "title": _("Titel eller kort beskrivelse"),
            "reach": _("Hvem kan se det?"),
            "audience_size": _("Omtrent hvor mange kan se det?"),
            "quote": _("Ordret citat"),
        }
        help_texts = {
            "audience_size": _("Fx antal medlemmer i gruppen eller følgere. Kan udelades."),
            "quote": _("Skriv de vigtigste sætninger nøjagtigt, som de står. De kommer med i en politianmeldelse."),
        }
        error_messages = {
            "platform": {"required": _("Vælg hvor det er offentliggjort.")},
            "audience_size": {"invalid": _("Skriv et helt tal."), "min_value": _("Antallet kan ikke være negativt.")},
        }
        widgets = {"quote": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].widget = _datetime_input()
        self.fields["platform"].choices = [
            ("", _("Vælg platform")),
            *translated_choices(self.fields["platform"].choices[1:]),
        ]
        self.fields["reach"].choices = translated_choices(self.fields["reach"].choices)
        self.fields["audience_size"].widget.attrs["min"] = 0
        self.fields["still_online"].widget.choices = [
            ("unknown", _("Ved ikke")),
            ("true", _("Ja")),
            ("false", _("Nej")),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PUBLICATION_FIELDS}


class BasePublicationFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Fjern denne offentliggørelse")

    def check_published_before(self, discovered_at) -> bool:
        """A publication cannot go online after it was discovered (DOMAIN.md 3.3): each such
        row gets an error on its date, and the whole form is shown again as typed."""
        valid = True
        if discovered_at is None:
            return valid
        for form in self.forms:
            if not form.has_changed() or (self.can_delete and self._should_delete_form(form)):
                continue
            published = form.cleaned_data.get("published_at")
            if published and published > discovered_at:
                form.add_error(
                    "published_at",
                    _(
                        "Offentliggørelsen kan ikke ligge efter, at indholdet blev opdaget (%(discovered)s). "
                        "Ret tidspunktet her eller under «Hvornår blev det opdaget?»."
                    )
                    % {"discovered": formats.date_format(timezone.localtime(discovered_at), "SHORT_DATETIME_FORMAT")},
                )
                valid = False
        return valid

    def publications_for_service(self) -> list[dict]:
        """Filled-in rows (not marked for deletion), as dicts for `incident_register`."""
        return [
            form.service_data()
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


PUBLICATION_PREFIX = "publications"
PUBLICATION_MAX = 30


def publication_formset(*, edit: bool):
    """The inline formset class: three blank rows on registration, two when editing."""
    return forms.inlineformset_factory(
        Incident,
        Publication,
        form=PublicationForm,
        formset=BasePublicationFormSet,
        fields=PUBLICATION_FIELDS,
        extra=2 if edit else 3,
        can_delete=edit,
        max_num=PUBLICATION_MAX,
        validate_max=True,
    )


PublicationFormSet = publication_formset(edit=False)
PublicationEditFormSet = publication_formset(edit=True)
