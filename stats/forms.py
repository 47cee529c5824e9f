"""The filters of the statistics: a kind of period, whole months from and to, and a unit.

The same form validates the page, the CSV, JSON and PDF downloads and the API, so they
accept exactly the same query string: ``?period=quarter&from=2026-01&to=2026-06&unit=12``.
A missing value takes its default (months; the last 12 months; all the user's units). Only
units the user may pick can be asked for (a unit folded into its parent is not one of them).

Published periods (issue 22). ``period`` is ``month``, ``quarter`` or ``year``: the rows of
the table by period are these fixed calendar blocks, and ``from`` and ``to`` are moved out
to the start and the end of the blocks they fall in, so a range is always a sum of whole
blocks. For a user under disclosure control (a union rep) the periods end with the last
*closed* month minus the organisation's lag (`Organisation.statistics_lag_months`,
default 1: on 2 December the last month shown is November); a block that is not over by
then is left out, and the current month is never shown, so the figures do not move from one
day to the next. Managers (exact figures) may also see the current month.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range", params={"first": MIN_YEAR, "last": MAX_YEAR}
            )
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


PERIODS = ("month", "quarter", "year")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def default_period(today: date | None = None, *, lag: int = 0) -> tuple[date, date]:
    """The default 12 months: ending with the current month, or `lag` months before it."""
    today = today or timezone.localdate()
    last = add_months(today.replace(day=1), -lag)
    return add_months(last, 1 - DEFAULT_MONTHS), last


def block_start(month: date, period: str) -> date:
    size = PERIOD_MONTHS[period]
    return date(month.year, (month.month - 1) // size * size + 1, 1)


def block_end(month: date, period: str) -> date:
    return add_months(block_start(month, period), PERIOD_MONTHS[period] - 1)


def blocks_between(first: date, last: date, period: str) -> list[tuple[date, date]]:
    """(first month, last month) of each block from the one holding `first` to the one holding `last`."""
    blocks, start = [], block_start(first, period)
    while start <= last:
        blocks.append((start, block_end(start, period)))
        start = add_months(start, PERIOD_MONTHS[period])
    return blocks


def block_label(start: date, period: str) -> str:
    """«marts 2026», «1. kvartal 2026», «2026» in the active language (remembered: the selects of
    a union rep's page label every published block)."""
    return _block_label(start, period, get_language())


@functools.lru_cache(maxsize=2048)
def _block_label(start: date, period: str, language: str | None) -> str:
    from django.utils import formats

    if period == "quarter":
        return _("%(n)s. kvartal %(year)s") % {"n": (start.month - 1) // 3 + 1, "year": start.year}
    if period == "year":
        return str(start.year)
    return formats.date_format(start, "F Y")


@receiver(setting_changed)
def _formats_changed(**kwargs) -> None:
    _block_label.cache_clear()


class StatisticsFilterForm(forms.Form):
    """Bound to the query string merged with the defaults, so it always validates something."""

    FIELDS = ("period", "from", "to", "unit")

    def __init__(
        self,
        params=None,
        *,
        unit_choices: list[tuple[int, str]],
        today: date | None = None,
        controlled: bool = False,
        lag: int = 1,
    ):
        self.controlled = controlled
        self.lag = max(1, lag)
        self.today = today or timezone.localdate()
        first, last = default_period(self.today, lag=self.lag if controlled else 0)
        self.last_published = last if controlled else None
        self.defaults = {"period": "month", "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m"), "unit": ""}
        data = dict(self.defaults)
        if params is not None:
            for name in self.FIELDS:
                if name in params:
                    data[name] = params.get(name, "")
        super().__init__(data)
        self.fields["period"] = forms.ChoiceField(
            label=_("Periode"),
            choices=[("month", _("Måneder")), ("quarter", _("Kvartaler")), ("year", _("År"))],
            error_messages={"invalid_choice": _("Vælg måneder, kvartaler eller år.")},
        )
        self.fields["from"] = MonthField(label=_("Fra måned"))
        self.fields["to"] = MonthField(label=_("Til og med måned"))
        self.fields["unit"] = forms.TypedChoiceField(
            label=_("Enhed"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Alle mine enheder")), *[(str(pk), label) for pk, label in unit_choices]],
            error_messages={"invalid_choice": _("Vælg en af enhederne på listen.")},
        )

    def clean(self):
        cleaned = super().clean()
        first, last, period = cleaned.get("from"), cleaned.get("to"), cleaned.get("period")
        if first and last and period:
            if first > last:
                self.add_error("to", _("Til-måneden skal være samme måned som fra-måneden eller senere."))
                return cleaned
            first, last = block_start(first, period), block_end(last, period)
            if self.last_published is not None and last > self.last_published:
                # Only whole, closed blocks: the last one that is over by the last published month.
                last = block_start(self.last_published, period)
                last = (
                    add_months(last, -1) if block_end(last, period) > self.last_published else block_end(last, period)
                )
                if first > last:
                    self.add_error(
                        "to",
                        _("Den seneste periode, der kan vises, slutter %(month)s.")
                        % {"month": block_label(self.last_published, "month")},
                    )
                    return cleaned
            if (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
                self.add_error("from", _("Vælg højst %(n)s måneder ad gangen.") % {"n": MAX_MONTHS})
                return cleaned
            cleaned["from"], cleaned["to"] = first, last
        return cleaned

    def block_choices(self, end: bool) -> list[tuple[str, str]]:
        """The published blocks of the chosen kind, newest first: (month, label) for the selects
        of a union rep's page (the block's first month for «fra», its last for «til»)."""
        period = self.data.get("period") if self.data.get("period") in PERIODS else "month"
        last = self.last_published or add_months(self.today.replace(day=1), 0)
        blocks = [block for block in blocks_between(add_months(last, 1 - MAX_MONTHS), last, period) if block[1] <= last]
        choices = [((b[1] if end else b[0]).strftime("%Y-%m"), block_label(b[0], period)) for b in reversed(blocks)]
        typed = str(self.data.get("to" if end else "from", ""))
        if typed and typed not in dict(choices):  # what was sent is kept, so a wrong value can be seen
            choices.insert(0, (typed, typed))
        return choices

    @property
    def from_choices(self):
        return self.block_choices(end=False)

    @property
    def to_choices(self):
        return self.block_choices(end=True)

    def options_html(self, end: bool) -> SafeString:
        """The <option>s of the «fra» (or «til») select of a union rep's page, the sent value
        selected, as the template's loop over `from_choices`/`to_choices` printed them."""
        sent = self["to" if end else "from"].value()
        return mark_safe(  # noqa: S308 - every text is escaped
            "".join(
                f'\n          <option value="{conditional_escape(value)}"{" selected" if value == sent else ""}>'
                f"{conditional_escape(label)}</option>\n        "
                for value, label in self.block_choices(end)
            )
        )

    @property
    def from_options_html(self) -> SafeString:
        return self.options_html(end=False)

    @property
    def to_options_html(self) -> SafeString:
        return self.options_html(end=True)

    def errors_text(self, separator: str = "\n") -> str:
        """The errors as plain Danish text, each with its field's label (for downloads and failed reports)."""
        return separator.join(
            f"{self.fields[name].label}: {' '.join(errors)}" if name in self.fields else " ".join(errors)
            for name, errors in self.errors.items()
        )

    def query_string(self) -> str:
        """The validated filters as a query string, for the download links."""
        values = {}
        if self.cleaned_data.get("period", "month") != "month":
            values["period"] = self.cleaned_data["period"]
        values |= {
            "from": self.cleaned_data["from"].strftime("%Y-%m"),
            "to": self.cleaned_data["to"].strftime("%Y-%m"),
        }
        if self.cleaned_data.get("unit"):
            values["unit"] = str(self.cleaned_data["unit"])
        return urlencode(values)
