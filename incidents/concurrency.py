"""Optimistic concurrency for incident forms: the version a form was based on, and what a
colleague changed meanwhile.

A form for an incident carries the version it was opened at (`includes/version_field.html`).
`incidents.services.incident_update` refuses a save based on an older version
(StaleVersion); the edit page then shows the form again with everything the user typed and,
beside it, the colleague's saved value of each field where the two differ, so the user can
decide and save again on top of the new version.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _

VERSION_FIELD = "version"


def posted_version(request) -> int | None:
    """The version the posted form was based on; None when the form did not send one."""
    raw = request.POST.get(VERSION_FIELD, "")
    try:
        return int(raw) if raw else None
    except ValueError:
        return 0  # a tampered value never matches a real version (they start at 1)


def _display(field: forms.Field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(field, forms.ModelMultipleChoiceField):
        names = sorted(str(item) for item in value)
        return ", ".join(names) if names else "–"
    if isinstance(field, forms.BooleanField):
        return _("Ja") if value else _("Nej")
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in field.choices}
        return str(labels.get(str(value), value))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _saved_value(current, name: str):
    value = getattr(current, name)
    if hasattr(value, "all"):  # a many-to-many manager
        return list(value.all())
    return value


def conflicts(form: forms.Form, current) -> list[dict]:
    """Fields where the saved row (a colleague's change) differs from what the user sent."""
    rows = []
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name == VERSION_FIELD or not hasattr(current, name):
            continue
        theirs = _display(field, _saved_value(current, name))
        mine = _display(field, cleaned[name] if name in cleaned else form[name].value())
        if theirs != mine:
            rows.append({"label": field.label or name, "saved": theirs, "yours": mine})
    return rows
