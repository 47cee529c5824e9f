from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Create 'Demo Kommune' with units and one user per role (demo only; idempotent)."

    def handle(self, *args, **options):
        org = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {org.name}"))
        self.stdout.write("Demo logins (demo only, never in production):")
        self.stdout.write(f"  {'username':<10} {'password':<15} role / unit")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {DEMO_PASSWORD:<15} {demo.role} / {demo.unit}")
