"""manage.py rebuild_statistics [--check]: recount the statistics' rollup from the incidents
and the residue of purged ones (`stats.rollup`).

Without options every block is recounted and rewritten in one transaction. With --check the
blocks are recounted and only those that differ are rewritten (what the nightly
reconciliation does); it prints how many differed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stats.rollup import rollup_rebuild, rollup_reconcile


class Command(BaseCommand):
    help = "Recount the statistics' monthly rollup from the incidents (and purged incidents' residue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Recount, and rewrite only the blocks that differ (nightly run)."
        )

    def handle(self, *args, **options):
        if options["check"]:
            wrong = rollup_reconcile()
            self.stdout.write(f"{wrong} blocks differed from the count and were recounted.")
        else:
            written = rollup_rebuild()
            self.stdout.write(f"Rollup rebuilt: {written} blocks.")
