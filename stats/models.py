"""The anonymised residue of purged incidents, so statistics outlive retention (issue 9).

When `retention.services` deletes a closed incident after the organisation's retention
period, it first writes one `IncidentResidue` row holding exactly what `stats.queries`
counts about an incident, and nothing else: the unit, the month of registration (local
time zone), the level in force, the status, the perpetrator relation, the related
phenomena, the platforms, whether it was reported to the police or Datatilsynet, and the
days from registration to the first action. No reference, no date finer than the month,
no person, no free text; the row is not linked to the audit log's tombstone either.

`stats.queries.counts_for` adds these rows to the live incidents of a selection, so a
period's figures stay the same after a purge.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from incidents.models import LEVEL_CHOICES, PLATFORM_CHOICES, RELATION_CHOICES, Incident


class IncidentResidue(models.Model):
    # PROTECT like Incident.unit: a unit with counted incidents, live or purged, stays.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhed"))
    registered_month = models.DateField(_("registreringsmåned"), help_text=_("Den første dag i måneden."))
    level = models.PositiveSmallIntegerField(_("alvorlighed"), choices=LEVEL_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=Incident.Status.choices)
    perpetrator_relation = models.CharField(_("afsender"), max_length=30, choices=RELATION_CHOICES)
    # Named as on Incident (incidents.models.PHENOMENON_FIELDS), so the same filters count both.
    related_bullying = models.BooleanField(default=False)
    related_threats = models.BooleanField(default=False)
    related_stalking = models.BooleanField(default=False)
    related_case_complaint = models.BooleanField(default=False)
    reported_to_police = models.BooleanField(_("anmeldt til politiet"), default=False)
    reported_to_datatilsynet = models.BooleanField(_("anmeldt til Datatilsynet"), default=False)
    days_to_first_action = models.PositiveIntegerField(_("dage til første handling"), null=True, blank=True)

    class Meta:
        verbose_name = _("anonymiseret rest af slettet hændelse")
        verbose_name_plural = _("anonymiserede rester af slettede hændelser")
        indexes = [models.Index(fields=["unit", "registered_month"], name="stats_residue_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.registered_month:%Y-%m} level {self.level}"


class IncidentResiduePlatform(models.Model):
    """A platform the purged incident had at least one publication on (one row each)."""

    residue = models.ForeignKey(IncidentResidue, on_delete=models.CASCADE, related_name="platforms")
    platform = models.CharField(_("platform"), max_length=30, choices=PLATFORM_CHOICES)

    class Meta:
        verbose_name = _("platform for slettet hændelse")
        verbose_name_plural = _("platforme for slettede hændelser")
        constraints = [models.UniqueConstraint(fields=["residue", "platform"], name="stats_residue_platform_once")]

    def __str__(self) -> str:
        return f"{self.residue_id} {self.platform}"


class MonthlyCount(models.Model):
    """The statistics' rollup (issue 20): the counted facts of one block (one unit × one
    calendar month of registration, local time zone), live incidents and residue together.

    `incidents` is the block's number of incidents; `counts` holds the block's other counts
    by the names `stats.queries.incident_block_rows` gives them without their "n_" (level_3,
    status_closed, platform_facebook, reported_police, with_action …; zeros left out);
    `days` is {days from registration to the first action: incidents}, for the median. A
    block without incidents has no row. Kept by `stats.rollup` (recomputed from the source
    rows when an incident, its publications or timeline change; rebuilt by `manage.py
    rebuild_statistics`; reconciled nightly), read by `stats.selectors`.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("enhed"))
    month = models.DateField(_("måned"), help_text=_("Den første dag i måneden."))
    incidents = models.PositiveIntegerField(_("hændelser"))
    counts = models.JSONField(default=dict)
    days = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("månedstal")
        verbose_name_plural = _("månedstal")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="stats_monthly_count_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}: {self.incidents}"


class MonthlyTarget(models.Model):
    """The rollup's employees targeted (issue 20): one row per caseworker targeted by at least
    one live incident of a block (one unit × one calendar month of registration, local time
    zone). The share of employees targeted is a distinct count over a window of months, which
    cannot be summed from `MonthlyCount`; its readers take the distinct users of the window's
    rows instead of the incidents' targets. Kept with `MonthlyCount` by `stats.rollup` (the
    same block recount, rebuild and reconciliation); only live incidents count (the residue of
    a purged incident keeps no person), and a deleted user's rows go with the user.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("enhed"))
    month = models.DateField(_("måned"), help_text=_("Den første dag i måneden."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("medarbejder")
    )

    class Meta:
        verbose_name = _("berørt medarbejder pr. måned")
        verbose_name_plural = _("berørte medarbejdere pr. måned")
        constraints = [models.UniqueConstraint(fields=["unit", "month", "user"], name="stats_monthly_target_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}: {self.user_id}"
