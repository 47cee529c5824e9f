"""Filters, search and sorting for the manager's list of incidents.

Every filter narrows the manager's own incidents (see `incidents.selectors`); choices
offer only the manager's units and employees. Filters over related rows use EXISTS, so
an incident never appears twice and the count stays right.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.tree import UnitTree

from .forms.manager import managed_units, target_candidates, translated_choices
from .models import LEVEL_CHOICES, PLATFORM_CHOICES, Incident, Publication

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
        label=_("Søg"), method="filter_search",
        help_text=_("Sagsnummer eller ord fra overskrift og beskrivelse."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Incident.Status.choices,
                                         empty_label=_("Alle"))
    level = django_filters.ChoiceFilter(label=_("Alvorlighed"), choices=translated_choices(LEVEL_CHOICES),
                                        method="filter_level", empty_label=_("Alle"))
    unit = django_filters.ModelChoiceFilter(label=_("Enhed"), method="filter_unit", empty_label=_("Alle"),
                                            queryset=None)
    platform = django_filters.ChoiceFilter(label=_("Platform"), choices=translated_choices(PLATFORM_CHOICES),
                                           method="filter_platform", empty_label=_("Alle"))
    target = django_filters.ModelChoiceFilter(label=_("Berørt medarbejder"), method="filter_target",
                                              empty_label=_("Alle"), queryset=None)
    registered_from = django_filters.DateFilter(label=_("Registreret fra"), field_name="registered_at",
                                                lookup_expr="date__gte", widget=DateInput)
    registered_to = django_filters.DateFilter(label=_("Registreret til"), field_name="registered_at",
                                              lookup_expr="date__lte", widget=DateInput)
    ordering = StableOrderingFilter(
        label=_("Sortering"), fields=ORDERING_FIELDS,
        field_labels={
            "registered_at": _("Registreret"), "reference": _("Sagsnummer"),
            "level_in_force": _("Alvorlighed"), "status": _("Status"),
        },
        empty_label=_("Nyeste først"),
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        units = list(managed_units(user).only("id", "name", "parent_id"))
        self._unit_tree = UnitTree.of_units(units)
        unit_field = self.filters["unit"]
        unit_field.queryset = managed_units(user)
        self.form.fields["unit"].queryset = unit_field.queryset
        target_field = self.filters["target"]
        target_field.queryset = target_candidates(user)
        self.form.fields["target"].queryset = target_field.queryset

    @property
    def has_filters(self) -> bool:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return any(value not in (None, "", []) for name, value in data.items() if name != "ordering")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_level(self, queryset, name, value):
        level = int(value)
        return queryset.filter(Q(confirmed_level=level) | Q(confirmed_level__isnull=True, assessed_level=level))

    def filter_unit(self, queryset, name, value):
        """The unit and every unit below it that the manager manages."""
        return queryset.filter(unit_id__in=self._unit_tree.descendants([value.pk]))

    def filter_platform(self, queryset, name, value):
        return queryset.filter(Exists(Publication.objects.filter(incident_id=OuterRef("pk"), platform=value)))

    def filter_target(self, queryset, name, value):
        through = Incident.targets.through
        return queryset.filter(Exists(through.objects.filter(incident_id=OuterRef("pk"), user_id=value.pk)))
