"""Filters, search and sorting for the manager's list of incidents.

Every filter narrows the manager's own incidents (see `incidents.selectors`); choices
offer only the manager's units and employees. Filters over related rows use EXISTS, so
an incident never appears twice and the count stays right.
"""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, User
from accounts.tree import UnitTree

from . import list_choices
from .forms.manager import managed_units, target_candidates, translated_choices
from .models import LEVEL_CHOICES, PLATFORM_CHOICES, Incident, Publication
from .search import incident_search_sampled

ORDERING_FIELDS = (
    ("registered_at", "registered_at"),
    ("reference", "reference"),
    ("level_in_force", "level"),
    ("status", "status"),
)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting with the newest first as the tie-break, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "-registered_at", "-id")
        return qs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Søg"),
        method="filter_search",
        help_text=_("Sagsnummer, navn på medarbejder eller afsender, eller ord fra beskrivelse og citater."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Incident.Status.choices, empty_label=_("Alle"))
    level = django_filters.ChoiceFilter(
        label=_("Alvorlighed"), choices=translated_choices(LEVEL_CHOICES), method="filter_level", empty_label=_("Alle")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Enhed"), method="filter_unit", empty_label=_("Alle"), queryset=None
    )
    platform = django_filters.ChoiceFilter(
        label=_("Platform"),
        choices=translated_choices(PLATFORM_CHOICES),
        method="filter_platform",
        empty_label=_("Alle"),
    )
    target = django_filters.ModelChoiceFilter(
        label=_("Berørt medarbejder"), method="filter_target", empty_label=_("Alle"), queryset=None
    )
    owner = django_filters.ChoiceFilter(
        label=_("Sagsansvarlig"), method="filter_owner", empty_label=_("Alle"), choices=()
    )
    registered_from = django_filters.DateFilter(
        label=_("Registreret fra"), field_name="registered_at", lookup_expr="date__gte", widget=DateInput
    )
    registered_to = django_filters.DateFilter(
        label=_("Registreret til"), field_name="registered_at", lookup_expr="date__lte", widget=DateInput
    )
    ordering = StableOrderingFilter(
        label=_("Sortering"),
        fields=ORDERING_FIELDS,
        field_labels={
            "registered_at": _("Registreret"),
            "reference": _("Sagsnummer"),
            "level_in_force": _("Alvorlighed"),
            "status": _("Status"),
        },
        empty_label=_("Nyeste først"),
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, request=None, prefix=None):
        # django-filter's own __init__ (26.2), except that the declared filters are copied when
        # first used (`filters`) rather than here: the list as it opens uses none of them, and
        # their deep copy was a twentieth of its time. `queryset` may also be a function that
        # returns it, called when the rows are first asked for (`queryset`): the list as it
        # opens reads its page from kept SQL (incidents.selectors.list_page) and never asks.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self._queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.user = user
        # The units, employees and owners to choose from, from the cache (incidents.list_choices).
        self.choices = list_choices.choices_for(user)

    @cached_property
    def queryset(self) -> QuerySet:
        if self._queryset is None:
            return self._meta.model._default_manager.all()
        return self._queryset() if callable(self._queryset) else self._queryset

    @cached_property
    def filters(self):
        filters = copy.deepcopy(self.base_filters)
        for filter_ in filters.values():  # as django-filter's __init__ does
            filter_.model = self._meta.model
            filter_.parent = self
        return filters

    @cached_property
    def _unit_tree(self) -> UnitTree:
        return UnitTree((pk, parent) for pk, _name, parent in self.choices["units"])

    # The form class, built once from the declared filters (django-filter builds a new class
    # for every filter set): every form copies its fields, and `form` gives the copies this
    # manager's querysets and owners.
    _form_class: type[forms.Form] | None = None

    def get_form_class(self):
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self):
        """The filter form, built when first asked (the list without filters never asks: its
        rows need no validation and its controls come from the cache, `controls_html`)."""
        if not hasattr(self, "_form"):
            fields = super().form.fields
            user = self.user
            # The querysets only check a value that was sent; without one they are never asked.
            fields["unit"].queryset = managed_units(user) if self.data.get("unit") else Unit.objects.none()
            fields["target"].queryset = target_candidates(user) if self.data.get("target") else User.objects.none()
            # The field puts «Alle» first itself.
            fields["owner"].choices = [("mine", _("Mine sager")), ("ingen", _("Uden sagsansvarlig"))] + [
                (str(pk), name) for pk, name in self.choices["owners"]
            ]
            for field in fields.values():
                select = isinstance(field.widget, forms.Select)
                field.widget.attrs["class"] = "form-select" if select else "form-control"
        return self._form

    def controls(self) -> list[dict]:
        """The form's controls for the template, each select with its options computed here
        (value, label, selected): the choice sets are small and bounded (the manager's units
        and employees, fixed code lists), and the template prints them without Django's
        per-option widget templates."""
        self.mark_invalid()
        controls = []
        for name, field in self.form.fields.items():
            bound = self.form[name]
            control = {"field": bound, "name": name, "wide": name == "q", "options": None}
            if isinstance(field, forms.ModelChoiceField):
                rows = (
                    [(pk, unit_name) for pk, unit_name, _parent in self.choices["units"]]
                    if name == "unit"
                    else self.choices["targets"]
                )
                choices = [("", field.empty_label), *rows]
            else:
                choices = list(getattr(field, "choices", ()))
            if isinstance(field.widget, forms.Select):
                value = bound.value()
                if isinstance(value, list | tuple):  # the ordering's CSV field
                    value = ",".join(str(part) for part in value)
                current = "" if value in (None, "") else str(value)
                control["options"] = [
                    (str(getattr(choice, "value", choice)), label, str(getattr(choice, "value", choice)) == current)
                    for choice, label in choices
                ]
            controls.append(control)
        return controls

    def controls_html(self) -> SafeString:
        """The form's controls in Bootstrap's grid, written here from `controls()` (a template
        include per control and a loop per option were a third of the list page's rendering).
        Every text is escaped; a control's help text and errors are tied to it with
        aria-describedby.

        Without filters (the list as a manager opens it) the controls are the same on every
        showing until the manager's choices are built again, so they are kept in the shared
        cache per manager, choices build and language."""
        if self.is_bound:
            return self._controls_html()
        html = self._kept.get(self._controls_key)
        if html is None:
            html = self._controls_html()
            cache.set(self._controls_key, html, list_choices.TIMEOUT)
        return html

    # What the list as it opens keeps in the shared cache, per manager and choices build: its
    # controls (per language) and whether a count found it longer than the count limit
    # (incidents.selectors.list_page). Both are read in one round trip.
    @cached_property
    def _controls_key(self) -> str:
        return f"list-controls:{self.user.pk}:{self.choices['built']}:{get_language()}"

    @cached_property
    def _longer_key(self) -> str:
        return f"list-long:{self.user.pk}:{self.choices['built']}"

    @cached_property
    def _kept(self) -> dict:
        return cache.get_many([self._controls_key, self._longer_key])

    def known_longer(self) -> bool:
        """Did a count a moment ago find the list, unfiltered, longer than the count limit?"""
        return not self.is_bound and self._kept.get(self._longer_key) is not None

    def remember_longer(self, seconds: int) -> None:
        """The unfiltered list is longer than the count limit: say so for `seconds`."""
        if not self.is_bound:
            cache.set(self._longer_key, True, seconds)

    def _controls_html(self) -> SafeString:
        return mark_safe("".join(_control_html(control) for control in self.controls()))  # noqa: S308 - escaped

    def mark_invalid(self) -> None:
        """Bootstrap's error look on the controls whose value was refused (aria-invalid is
        written with the control, `_control_html`)."""
        if self.is_bound and not self.form.is_valid():
            for name in self.form.errors:
                if name in self.form.fields:
                    widget = self.form.fields[name].widget
                    if "is-invalid" not in widget.attrs["class"]:
                        widget.attrs["class"] += " is-invalid"

    @property
    def has_filters(self) -> bool:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return any(value not in (None, "", []) for name, value in data.items() if name != "ordering")

    # The ids a frequent search text's probe found (incidents.search.incident_search_sampled),
    # for the list's bounded count; None without such a search.
    search_sample: frozenset[int] | None = None

    def filter_search(self, queryset, name, value):
        queryset, self.search_sample = incident_search_sampled(queryset, value)
        return queryset

    def count_sample(self):
        """The filtered rows among the search's sample (a cheap part of `qs` to count first), or None."""
        queryset = self.qs  # runs the filters, the search among them
        if not self.search_sample:
            return None
        # The ids as a set-returning subquery, so the plan looks each up by its key (a literal
        # list let the planner intersect it with the whole unit index: 80 ms at 1 M incidents).
        ids = RawSQL("SELECT unnest(%s::bigint[])", (sorted(self.search_sample),))  # noqa: S611 - no user input
        return queryset.filter(pk__in=ids).order_by()

    def filter_level(self, queryset, name, value):
        level = int(value)
        return queryset.filter(Q(confirmed_level=level) | Q(confirmed_level__isnull=True, assessed_level=level))

    def filter_unit(self, queryset, name, value):
        """The unit and every unit below it that the manager manages."""
        return queryset.filter(unit_id__in=self._unit_tree.descendants([value.pk]))

    def filter_platform(self, queryset, name, value):
        return queryset.filter(Exists(Publication.objects.filter(incident_id=OuterRef("pk"), platform=value)))

    def filter_owner(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(owner=self.user)
        if value == "ingen":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=int(value)) if value.isdigit() else queryset

    def filter_target(self, queryset, name, value):
        through = Incident.targets.through
        return queryset.filter(Exists(through.objects.filter(incident_id=OuterRef("pk"), user_id=value.pk)))


def _control_html(control: dict) -> str:
    bound = control["field"]
    widget = bound.field.widget
    auto_id = bound.auto_id
    described, after = [], []
    if bound.help_text:
        described.append(f"{auto_id}_helptext")
        after.append(f'<div id="{auto_id}_helptext" class="form-text">{escape(bound.help_text)}</div>')
    if bound.errors:
        described.append(f"{auto_id}_error")
        texts = "".join(f"<strong>{escape(error)}</strong>" for error in bound.errors)
        after.append(f'<div id="{auto_id}_error" class="invalid-feedback d-block">{texts}</div>')
    attrs = f' class="{escape(widget.attrs.get("class", ""))}"'
    if bound.errors:
        attrs += ' aria-invalid="true"'
    if described:
        attrs += f' aria-describedby="{" ".join(described)}"'
    name = escape(bound.html_name)
    if control["options"] is not None:
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'
            for value, label, selected in control["options"]
        )
        element = f'<select name="{name}" id="{auto_id}"{attrs}>{options}</select>'
    else:
        value = widget.format_value(bound.value())
        shown = "" if value in (None, "") else f' value="{escape(value)}"'
        element = f'<input type="{widget.input_type}" name="{name}"{shown}{attrs} id="{auto_id}">'
    width = "col-lg-6" if control["wide"] else "col-sm-6 col-lg-3"
    return (
        f'<div class="{width}"><div id="div_{auto_id}" class="mb-3">'
        f'<label for="{auto_id}" class="form-label">{escape(bound.label)}</label>{element}'
        f"{''.join(after)}</div></div>\n"
    )
