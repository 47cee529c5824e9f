"""The filters of the statistics: whole months from and to, and a unit.

The same form validates the page, the CSV, JSON and PDF downloads and the API, so they
accept exactly the same query string: ``?from=2026-01&to=2026-06&unit=12``. A missing
value takes its default (the last 12 months including the current one; all the user's
units). Only whole months can be asked for, and only units the user may pick (a unit folded
into its parent is not one of them).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .queries import add_months

MAX_MONTHS = 60
DEFAULT_MONTHS = 12
# The counting reaches one month past "to" (and a year before it): keep both within Python's dates.
MIN_YEAR, MAX_YEAR = 1900, date.max.year - 1
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthInput(forms.DateInput):
    input_type = "month"


class MonthField(forms.Field):
    """A calendar month written YYYY-MM (what <input type="month"> sends)."""

    widget = MonthInput
    default_error_messages = {
        "invalid": gettext_lazy("Skriv en måned som ÅÅÅÅ-MM, fx 2026-03."),
        "out_of_range": gettext_lazy("Vælg en måned fra år %(first)s til år %(last)s."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        match = _MONTH.match(str(value).strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                        params={"first": MIN_YEAR, "last": MAX_YEAR})
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    last = today.replace(day=1)
    return add_months(last, 1 - DEFAULT_MONTHS), last


class StatisticsFilterForm(forms.Form):
    """Bound to the query string merged with the defaults, so it always validates something."""

    FIELDS = ("from", "to", "unit")

    def __init__(self, params=None, *, unit_choices: list[tuple[int, str]], today: date | None = None):
        first, last = default_period(today)
        self.defaults = {"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "unit": ""}
        data = dict(self.defaults)
        if params is not None:
            for name in self.FIELDS:
                if name in params:
                    data[name] = params.get(name, "")
        super().__init__(data)
        self.fields["from"] = MonthField(label=_("Fra måned"))
        self.fields["to"] = MonthField(label=_("Til og med måned"))
        self.fields["unit"] = forms.TypedChoiceField(
            label=_("Enhed"), required=False, coerce=int, empty_value=None,
            choices=[("", _("Alle mine enheder")), *[(str(pk), label) for pk, label in unit_choices]],
            error_messages={"invalid_choice": _("Vælg en af enhederne på listen.")},
        )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last:
            if first > last:
                self.add_error("to", _("Til-måneden skal være samme måned som fra-måneden eller senere."))
            elif (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
                self.add_error("from", _("Vælg højst %(n)s måneder ad gangen.") % {"n": MAX_MONTHS})
        return cleaned

    def errors_text(self, separator: str = "\n") -> str:
        """The errors as plain Danish text, each with its field's label (for downloads and failed reports)."""
        return separator.join(
            f"{self.fields[name].label}: {' '.join(errors)}" if name in self.fields else " ".join(errors)
            for name, errors in self.errors.items())

    def query_string(self) -> str:
        """The validated filters as a query string, for the download links."""
        values = {
            "from": self.cleaned_data["from"].strftime("%Y-%m"),
            "to": self.cleaned_data["to"].strftime("%Y-%m"),
        }
        if self.cleaned_data.get("unit"):
            values["unit"] = str(self.cleaned_data["unit"])
        return urlencode(values)
