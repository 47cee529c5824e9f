"""The admin site's warning when a shorter retention period puts closed cases past it at once.

Connected in RetentionConfig.ready() to `accounts.signals.organisation_retention_changed`,
which the organisation's admin page sends after saving a changed period (accounts is a
layer below and imports nothing of this app).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import ngettext

from incidents.due import retention_overview


def warn_of_immediate_deletions(sender, *, organisation, request, **kwargs) -> None:
    """Closed cases already past the new period go in the next nightly run without the usual
    30-day warning to their managers, so the admin is told how many."""
    due = retention_overview(timezone.now(), organisation_ids=[organisation.pk], within=timedelta(0))[
        organisation.pk
    ].due_soon
    if due:
        messages.warning(
            request,
            ngettext(
                "Med den nye opbevaringsperiode er %(n)s afsluttet sag allerede over perioden. Den slettes ved "
                "næste natlige kørsel uden den sædvanlige varsling på 30 dage. Bed sagens leder sætte retligt "
                "hold på den, hvis den skal bevares, eller forlæng perioden igen.",
                "Med den nye opbevaringsperiode er %(n)s afsluttede sager allerede over perioden. De slettes ved "
                "næste natlige kørsel uden den sædvanlige varsling på 30 dage. Bed sagernes ledere sætte retligt "
                "hold på dem, der skal bevares, eller forlæng perioden igen.",
                due,
            )
            % {"n": due},
        )
