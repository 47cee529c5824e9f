"""Do the stored time-stamp tokens still prove the captures' manifests?

    tokens_verify() -> list[TokenCheck]
        for every stored token: the manifest it was issued over is read back from storage
        (checked against its recorded SHA-256) and the token verified against the roots in
        settings.CAPTURE_TSA_CA_FILE (signature, certificate chain, the manifest's hash).

Used by `manage.py verify_evidence`. Captures without a token are counted, not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Capture, CaptureFile, TimestampToken
from .services import manifest_bytes_of
from .tsa import token_verify


@dataclass(frozen=True)
class TokenCheck:
    pk: int
    capture_id: int
    reference: str
    tsa_url: str
    ok: bool
    reason: str = ""
    gen_time: object = None

    def describe(self) -> str:
        state = "ok" if self.ok else "INVALID"
        when = self.gen_time.isoformat() if self.gen_time else "-"
        return (
            f"{state} timestamp {self.pk} of capture {self.capture_id} {self.reference} from {self.tsa_url} "
            f"at {when}" + (f": {self.reason}" if self.reason else "")
        )


def tokens_verify() -> tuple[list[TokenCheck], int]:
    """(checks of every stored token, number of finished captures without a token)."""
    checks: list[TokenCheck] = []
    tokens = (
        TimestampToken.objects.exclude(response=b"")
        .select_related("capture", "capture__incident")
        .order_by("capture_id", "id")
    )
    manifests: dict[int, bytes | None] = {}
    for token in tokens:
        capture = token.capture
        if capture.pk not in manifests:
            capture_with_files = Capture.objects.prefetch_related("files__evidence").get(pk=capture.pk)
            manifests[capture.pk] = manifest_bytes_of(capture_with_files)
        data = manifests[capture.pk]
        if data is None:
            checks.append(
                TokenCheck(
                    token.pk,
                    capture.pk,
                    capture.incident.reference,
                    token.tsa_url,
                    False,
                    "the manifest is missing or no longer matches its SHA-256",
                )
            )
            continue
        verdict = token_verify(bytes(token.response), data)
        checks.append(
            TokenCheck(
                token.pk,
                capture.pk,
                capture.incident.reference,
                token.tsa_url,
                verdict.ok,
                verdict.reason,
                verdict.gen_time,
            )
        )
    stamped = {c.capture_id for c in checks}
    unstamped = (
        Capture.objects.filter(status=Capture.Status.DONE, files__role=CaptureFile.Role.MANIFEST)
        .exclude(pk__in=stamped)
        .distinct()
        .count()
    )
    return checks, unstamped
