"""`bench.retention --listing-only`: the nightly candidate listing on an already seeded database.

The full benchmark drops and seeds its own database and purges it; at 1 M incidents that seed
takes longer than the measurement is worth repeating. This mode reuses a seeded database (copy
the 1 M tier first: `createdb -T udh_bench1m udh_bench1m_retention`), makes the oldest
`--due-share` of its incidents due and `--hold-share` of those held (once: skipped when closed
incidents past the period exist), gives it a realistic notification table (once: an in-app
notice to the employee on every incident and the union rep's anonymous notice on every
serious one, by SQL), runs VACUUM ANALYZE, then times `retention_purge(dry_run=True)` with its
query count and the process's memory growth. Nothing is purged.
"""

from __future__ import annotations

import random
import time
import tracemalloc


def add_notifications(org) -> int:
    """The notification table a municipality has after the incidents: returns the rows added."""
    from django.db import connection

    from incidents.models import Incident
    from notifications.models import Notification

    if Notification.objects.filter(organisation=org).count() >= Incident.objects.filter(unit__organisation=org).count():
        return 0  # added by an earlier run
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(user_id) FROM accounts_membership WHERE role = 'caseworker'")
        (employee,) = cursor.fetchone()
        cursor.execute("SELECT min(user_id) FROM accounts_membership WHERE role = 'union_rep'")
        (rep,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO notifications_notification (
                kind, channel, object_type, object_id, target_url, subject, body, body_html, state, attempts,
                last_error,
                created_at, sent_at, organisation_id, key, recipient_id, incident_id, about_incident_id)
            SELECT 'incident_registered', 'in_app', 'incidents.incident', i.id::text, '', 'Ny sag: ' || i.reference,
                   'Der er registreret en sag.', '', 'sent', 0, '', i.registered_at, i.registered_at, %s,
                   'bench-employee:' || i.id, %s, i.id, i.id
            FROM incidents_incident i JOIN accounts_unit u ON u.id = i.unit_id WHERE u.organisation_id = %s
            """,
            [org.pk, employee, org.pk],
        )
        added = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO notifications_notification (
                kind, channel, object_type, object_id, target_url, subject, body, body_html, state, attempts,
                last_error,
                created_at, sent_at, organisation_id, key, recipient_id, incident_id, about_incident_id)
            SELECT 'serious_incident', 'in_app', '', '', '', 'En alvorlig sag', 'Der er registreret en alvorlig sag.',
                   '', 'sent', 0, '', i.registered_at, i.registered_at, %s, 'bench-rep:' || i.id, %s, NULL, i.id
            FROM incidents_incident i JOIN accounts_unit u ON u.id = i.unit_id
            WHERE u.organisation_id = %s AND i.assessed_level >= 3
            """,
            [org.pk, rep, org.pk],
        )
        return added + cursor.rowcount


def listing_only(args) -> int:
    """Measure the dry-run listing on the database Django is set up for; prints a markdown table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organisation
    from bench._retention_data import make_due
    from bench.retention import Peak
    from incidents.models import Incident
    from notifications.models import Notification
    from retention.services import closed_queryset, retention_purge

    org = Organisation.objects.filter(name__icontains="demo").first() or Organisation.objects.order_by("pk").first()
    now = timezone.now()
    if not closed_queryset(now, legal_hold=False).exists():
        make_due(org, now, args, random.Random(1))
    added = add_notifications(org)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incident")
        cursor.execute("VACUUM ANALYZE notifications_notification")
    incidents = Incident.objects.count()
    notifications = Notification.objects.count()
    runs = []
    for _ in range(args.runs):
        with Peak() as peak, CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            summary = retention_purge(now=now, dry_run=True)
            seconds = time.perf_counter() - started
        runs.append((seconds, peak, len(queries.captured_queries)))
    tracemalloc.start()
    retention_purge(now=now, dry_run=True)
    heap_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    print(
        f"{incidents:,} incidents, {notifications:,} notifications ({added:,} added now); "
        f"{summary.candidate_count:,} candidates + {summary.held_count:,} held\n"
    )
    print("| run | listing (s) | queries | RSS |")
    print("|---:|---:|---:|---|")
    for n, (seconds, peak, count) in enumerate(runs, 1):
        print(f"| {n} | {seconds:.2f} | {count} | {peak.text()} |")
    print(f"\nPython heap peak of one more listing (tracemalloc): {heap_peak:.1f} MB")
    return 0
