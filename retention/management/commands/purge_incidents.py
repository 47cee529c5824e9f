from django.core.management.base import BaseCommand
from django.utils import timezone

from retention.services import (
    RETENTION_WARNING,
    RETENTION_WARNING_DAYS,
    retention_purge,
    retention_upcoming,
    retention_warn,
)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


class Command(BaseCommand):
    help = (
        "Delete closed incidents whose organisation's retention period (months after closing) has run out, "
        "with their evidence, reports, notifications and files; incidents on legal hold are kept. "
        "Then warns the managers of incidents deleted within the next 30 days (once per incident and due date). "
        "The nightly Celery task does the same. --dry-run lists what would go and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be deleted; delete nothing.")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        now = timezone.now()
        summary = retention_purge(now=now, dry_run=dry_run)
        verb = "would be deleted" if dry_run else "to delete"
        self.stdout.write(f"{summary.candidate_count} closed incident(s) past their retention period {verb}:")
        if summary.candidates:
            self.stdout.write(
                f"{'reference':<16} {'unit':<30} {'closed':<10} {'due':<10} "
                f"{'evidence':>8} {'reports':>7} {'notifications':>13}"
            )
        for c in summary.candidates:
            self.stdout.write(
                f"{c.reference:<16} {c.unit_name[:30]:<30} {_day(c.closed_at):<10} {_day(c.due):<10} "
                f"{c.evidence:>8} {c.reports:>7} {c.notifications:>13}"
            )
        if summary.candidate_count > len(summary.candidates):
            self.stdout.write(f"... and {summary.candidate_count - len(summary.candidates)} more.")
        if summary.not_journalised_count:
            more = summary.not_journalised_count - len(summary.not_journalised)
            self.stderr.write(
                self.style.WARNING(
                    f"{summary.not_journalised_count} of them were never journalised (no journal number; "
                    f"offentlighedsloven § 15): {', '.join(summary.not_journalised)}"
                    f"{f' and {more} more' if more else ''}. "
                    "Export their case archive first if the documents must be kept in the document system."
                )
            )
        for c in summary.held:
            self.stdout.write(f"Kept on legal hold: {c.reference} ({c.unit_name}), due {_day(c.due)}.")
        if summary.held_count > len(summary.held):
            self.stdout.write(f"... and {summary.held_count - len(summary.held)} more on legal hold.")
        if dry_run:
            if summary.files_pending:
                self.stdout.write(f"{summary.files_pending} file deletion(s) from earlier runs are still owed.")
            if summary.statistics_reports:
                self.stdout.write(
                    f"{summary.statistics_reports} statistics report(s) past the retention period would be deleted."
                )
            if summary.recording_requests:
                self.stdout.write(
                    f"{summary.recording_requests} recording request(s) past their retention period "
                    "would be anonymised."
                )
            upcoming = retention_upcoming(now, RETENTION_WARNING)
            self.stdout.write(
                f"{len(upcoming)} closed incident(s) fall due within {RETENTION_WARNING_DAYS} days; "
                "their managers are warned once (not in a dry run)."
            )
            self.stdout.write("Dry run: nothing was deleted.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {summary.purged_count} incident(s) in {summary.seconds:.1f} s; "
                f"stored files deleted: {summary.files_deleted}."
            )
        )
        if summary.statistics_reports:
            self.stdout.write(f"Deleted {summary.statistics_reports} statistics report(s) past the retention period.")
        if summary.recording_requests:
            self.stdout.write(f"Anonymised {summary.recording_requests} recording request(s) past their period.")
        if summary.audit_events:
            self.stdout.write(
                f"Deleted {summary.audit_events} audit event(s) past the audit period "
                "(each chain continues from a checkpoint)."
            )
        if summary.audit_failed:
            self.stderr.write(
                self.style.ERROR(
                    f"The audit chain(s) of organisation(s) {summary.audit_failed} do not verify: nothing deleted "
                    "there. "
                    "Run manage.py verify_audit_log."
                )
            )
        if summary.skipped:
            more = summary.skipped_count - len(summary.skipped)
            self.stdout.write(
                "Skipped (changed meanwhile or a report still generating): "
                f"{', '.join(summary.skipped)}{f' and {more} more' if more else ''}."
            )
        if summary.remaining:
            self.stdout.write(f"{summary.remaining} incident(s) left for the next run (time budget spent).")
        warned = retention_warn(now=now)
        self.stdout.write(
            f"Warnings of deletion within {RETENTION_WARNING_DAYS} days written: {warned} "
            "(in-app and e-mail notifications)."
        )
        if summary.files_failed or summary.files_pending:
            self.stderr.write(
                self.style.WARNING(
                    f"{summary.files_failed} file deletion(s) failed; {summary.files_pending} owed in all, "
                    "retried on the next run (see the log)."
                )
            )
