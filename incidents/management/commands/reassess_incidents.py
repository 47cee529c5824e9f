"""Apply the rules version in force to the open incidents (DOMAIN.md 9).

    python manage.py reassess_incidents            # open incidents under an older version
    python manage.py reassess_incidents --dry-run  # only count them

Each incident gets the new assessment, its deadlines on the dashboard, and an internal
timeline entry saying what changed (level, legal references, actions, deadlines).
Closed incidents keep the assessment they were closed with. Running it again does
nothing: incidents already under the version in force are skipped.
"""

from django.core.management.base import BaseCommand

from incidents import services
from incidents.assessment import RULES_VERSION


class Command(BaseCommand):
    help = "Re-assess the open incidents under the rules version in force and note the changes on each timeline."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the incidents; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        incidents = list(services.open_incidents_under_older_rules())
        if dry_run:
            self.stdout.write(f"{len(incidents)} open incident(s) would be re-assessed under rules {RULES_VERSION}.")
            return
        changed = 0
        for incident in incidents:
            changes = services.incident_apply_rules_version(incident)
            if changes:
                changed += 1
            self.stdout.write(f"{incident.reference}: {', '.join(sorted(changes)) if changes else 'unchanged'}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(incidents)} open incident(s) re-assessed under rules {RULES_VERSION}; {changed} changed."
            )
        )
