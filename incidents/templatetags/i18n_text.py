"""Translate texts that reach templates as data, not as template literals.

The assessment engine (``incidents.assessment``) keeps its labels, titles, sources and
notes in Danish and only marks them with ``gettext_noop``; the stored assessment JSON
holds the same Danish strings. ``{{ value|translated }}`` looks such a string up in the
message catalogue at display time. A string the catalogue does not know (an older rule
text, free text) is shown unchanged.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value) -> str:
    """The active language's translation of ``value``; "" for None or an empty value."""
    if value is None or value == "":
        return ""
    return gettext(str(value))
