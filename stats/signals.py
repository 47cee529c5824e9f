"""Marks for the statistics' rollup (`stats.rollup`): which blocks to recount on commit.

Connected in `StatsConfig.ready`. The incidents app knows nothing of the statistics; the
statistics listen to its models' saves and deletions:

- an incident saved (with a counted field, or all fields) or deleted: its block, and the
  block it was in when it was loaded if its unit or registration time changed;
- a publication saved or deleted, an action entry of a timeline saved or deleted: the
  block of its incident (looked up when the marks are flushed; an incident deleted with
  it marks its own block);
- an incident's "edited" timeline entry saved: its block, for the targets (`MonthlyTarget`).
  The targets change in `incidents.services` only, at the registration (the incident's save
  marks the block) and in `incident_update`, which writes that entry with every change. There
  is no m2m_changed listener on purpose: any listener makes Django read the existing targets
  before each `targets.add`, one more query for every registration. A target row deleted with
  its user needs nothing: the rollup's rows of the user go with it (CASCADE).

Writes that send no signals (bulk_create, QuerySet.update, raw SQL) and targets changed
outside `incidents.services` (`incident.targets.add` in a shell) are caught by the
nightly reconciliation, or by `rollup.cells_refresh` / `manage.py rebuild_statistics`
called by whoever does them (the demo seed, the tests' bulk helper).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_init, post_save

from incidents.models import PHENOMENON_FIELDS, Incident, Publication, TimelineEntry

from . import rollup

COUNTED_FIELDS = frozenset(
    {
        "unit",
        "unit_id",
        "registered_at",
        "assessed_level",
        "confirmed_level",
        "status",
        "perpetrator_relation",
        *PHENOMENON_FIELDS.values(),
    }
)


def _loaded(sender, instance, **kwargs) -> None:
    # From __dict__, so a deferred field is not fetched for this.
    instance._stats_block = (instance.__dict__.get("unit_id"), instance.__dict__.get("registered_at"))


def _incident_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields is not None and not COUNTED_FIELDS & set(update_fields)):
        return
    rollup.cell_mark(instance.unit_id, instance.registered_at)
    before = getattr(instance, "_stats_block", (None, None))
    if not created and before != (instance.unit_id, instance.registered_at):
        rollup.cell_mark(*before)
    instance._stats_block = (instance.unit_id, instance.registered_at)


def _incident_deleted(sender, instance, **kwargs) -> None:
    rollup.cell_mark(instance.unit_id, instance.registered_at)


def _publication_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        rollup.incident_mark(instance.incident_id)


MARKING_ENTRIES = frozenset({TimelineEntry.Kind.ACTION, TimelineEntry.Kind.EDITED})


def _entry_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.kind in MARKING_ENTRIES:
        rollup.incident_mark(instance.incident_id)


def connect() -> None:
    post_init.connect(_loaded, sender=Incident, dispatch_uid="stats-rollup-loaded")
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="stats-rollup-incident-saved")
    post_delete.connect(_incident_deleted, sender=Incident, dispatch_uid="stats-rollup-incident-deleted")
    for signal, what in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_publication_changed, sender=Publication, dispatch_uid=f"stats-rollup-publication-{what}")
        signal.connect(_entry_changed, sender=TimelineEntry, dispatch_uid=f"stats-rollup-entry-{what}")
