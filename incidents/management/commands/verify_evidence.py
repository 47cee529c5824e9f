from django.core.management.base import BaseCommand, CommandError

from incidents.integrity import EVIDENCE, categories, stored_files_verify


class Command(BaseCommand):
    help = (
        "Re-hash every stored evidence file, report, evidence bundle, case archive, DPIA draft and access "
        "export and compare it with the SHA-256 "
        "recorded when it was stored, and verify every RFC 3161 time-stamp token of a page capture against "
        "CAPTURE_TSA_CA_FILE. Exits non-zero when a file is missing or differs, or a token does not verify."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def show(check):
            if check.ok:
                if verbosity >= 2:
                    self.stdout.write(
                        f"ok {check.category} {check.pk} {check.reference} «{check.label}» {check.expected_sha256}"
                    )
            else:
                self.stderr.write(self.style.ERROR(check.describe()))

        report = stored_files_verify(on_check=show)
        for category, label in categories():
            bad = sum(1 for problem in report.problems if problem.category == category)
            line = f"{label}: {report.checked[category]} checked, {report.checked[category] - bad} match"
            if category == EVIDENCE:
                line += f" ({report.removed_evidence} removed from their case, only the hash kept)"
            self.stdout.write(line + (f", {bad} do NOT match" if bad else "") + ".")
        bad_tokens = self._tokens(verbosity)
        if bad_tokens and report.ok:
            raise CommandError(f"{bad_tokens} time-stamp token(s) do NOT verify (listed above).")
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} of {report.total} stored files are missing or do not match the SHA-256 "
                "recorded when they were stored (listed above)."
            )
        self.stdout.write(self.style.SUCCESS(f"All {report.total} stored files match their recorded SHA-256."))

    def _tokens(self, verbosity: int) -> int:
        """Check the page captures' time-stamp tokens; returns how many fail."""
        from incidents.capture.integrity import tokens_verify

        checks, unstamped = tokens_verify()
        bad = [check for check in checks if not check.ok]
        for check in checks:
            if not check.ok:
                self.stderr.write(self.style.ERROR(check.describe()))
            elif verbosity >= 2:
                self.stdout.write(check.describe())
        line = f"Time-stamp tokens: {len(checks)} checked, {len(checks) - len(bad)} valid"
        line += f" ({unstamped} captures have no trusted timestamp)"
        self.stdout.write(line + (f", {len(bad)} do NOT verify" if bad else "") + ".")
        return len(bad)
