from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit chains (every organisation's, or one with --organisation) against the "
        "HMAC key and the exported chain heads, and report the first broken link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, help="verify only this organisation's chain (its id)")
        parser.add_argument("--anchors", help="exported heads to check against (default AUDIT_ANCHOR_FILE)")

    def handle(self, *args, **options):
        report = audit_verify(organisation_id=options["organisation"], anchor_file=options["anchors"])
        if report.ok:
            waiting = f" ({report.pending} reads waiting for the chain, each intact)" if report.pending else ""
            self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} events verified{waiting}."))
            return
        where = f"event {report.broken_event_id}" if report.broken_event_id else "the end of the chain"
        chain = f" (chain {report.chain})" if report.chain is not None else ""
        raise CommandError(f"Audit log broken at {where}{chain} after {report.checked} good events: {report.problem}")
