import time

from django.core.management.base import BaseCommand

from demo.accounts import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = (
        "Create 'Demo Kommune' with units and one user per role (demo only; idempotent). "
        "With --incidents N, also add N made-up incidents; those are added on every run, so "
        "running it twice with --incidents 100 leaves 200."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incidents",
            type=int,
            default=0,
            metavar="N",
            help="Add N made-up incidents to the demo organisation (default 0). Not idempotent: "
            "each run adds N more; references continue each year's sequence.",
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=0,
            metavar="N",
            help="Add N made-up incidents and N/3 recording requests, but only while the demo organisation "
            "has none (idempotent; `make run` uses it so the pages have something to show).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed for the incidents (default 1); the same seed gives the same incidents.",
        )

    def handle(self, *args, **options):
        org = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {org.name}"))
        from demo.incidents import demo_incidents_seed

        if options["sample"] > 0:
            from demo.recordings import demo_requests_seed
            from incidents.models import Incident
            from recordings.models import RecordingRequest

            if not Incident.objects.filter(unit__organisation=org).exists():
                # A few hundred at most: created one by one through the shared factories.
                added = demo_incidents_seed(
                    organisation=org, count=options["sample"], seed=options["seed"], through_factories=True
                )
                self.stdout.write(self.style.SUCCESS(f"Added {added} sample incidents."))
            if not RecordingRequest.objects.filter(unit__organisation=org).exists():
                added = demo_requests_seed(org, count=max(1, options["sample"] // 3), seed=options["seed"])
                self.stdout.write(self.style.SUCCESS(f"Added {added} demo recording requests."))
        if options["incidents"] > 0:
            started = time.perf_counter()
            added = demo_incidents_seed(organisation=org, count=options["incidents"], seed=options["seed"])
            self.stdout.write(
                self.style.SUCCESS(f"Added {added} demo incidents in {time.perf_counter() - started:.1f} s.")
            )
        self.stdout.write("Demo logins (demo only, never in production):")
        self.stdout.write(f"  {'username':<10} {'password':<15} role / unit")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {DEMO_PASSWORD:<15} {demo.role} / {demo.unit}")
