from django.core.management.base import BaseCommand

from audit.anchors import anchors_export


class Command(BaseCommand):
    help = "Export each audit chain's head to the log and the append-only anchor file (AUDIT_ANCHOR_FILE)."

    def handle(self, *args, **options):
        written = anchors_export()
        self.stdout.write(f"{len(written)} chain heads exported.")
