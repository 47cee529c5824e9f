from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and report the first broken link."

    def handle(self, *args, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} events verified."))
            return
        where = f"event {report.broken_event_id}" if report.broken_event_id else "the end of the chain"
        raise CommandError(f"Audit log broken at {where} after {report.checked} good events: {report.problem}")
