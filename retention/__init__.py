"""Retention: the nightly purge of closed incidents past their organisation's period.

An orchestration app on top of the layers (bin/import_matrix): it may import every app and no
app imports it. Each owning app exposes a small purge hook (`incidents.purge`, `reports.purge`,
`notifications.purge`, `recordings.purge`, `stats.purge`); `services` runs them in order.

- ``services``   the purge, its candidates, the warning and the statistics reports' expiry
- ``tasks``      the nightly Celery task (udhaengning/beat.py, entry "incidents-retention-purge")
- ``management/commands/purge_incidents``   the same run by hand (``--dry-run``)
"""
