from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from privacy.processing import build_record, readme_with_section, record_markdown


class Command(BaseCommand):
    help = (
        "Print the record of processing activities (GDPR art. 30) as Markdown, generated from the models and "
        "settings. Without --organisation it describes the defaults; that output is the README section "
        "«Fortegnelse over behandlinger» (--update-readme rewrites it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, help="id of an organisation: use its name and settings")
        parser.add_argument(
            "--update-readme",
            action="store_true",
            help="write the output between the markers of README.md instead of printing it",
        )

    def handle(self, *args, **options):
        organisation = None
        if options.get("organisation") is not None:
            organisation = Organisation.objects.filter(pk=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with id {options['organisation']}.")
        text = record_markdown(build_record(organisation))
        if not options["update_readme"]:
            self.stdout.write(text, ending="")
            return
        if organisation is not None:
            raise CommandError("The README describes the defaults: leave out --organisation.")
        readme = Path(settings.BASE_DIR) / "README.md"
        try:
            updated = readme_with_section(readme.read_text(encoding="utf-8"), text)
        except ValueError as exc:
            raise CommandError("README.md has no record_of_processing markers.") from exc
        readme.write_text(updated, encoding="utf-8")
        self.stdout.write(f"Updated {readme}.")
