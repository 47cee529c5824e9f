"""What an evidence bundle (reports.services.bundle_build) carries about page captures.

bundle_captures(incident, evidence_ids) -> (entries, files)
    `entries` go into the bundle's manifest.json under "captures": each capture whose files
    are among the evidence chosen for the report, with its URLs, system capture time, HTTP
    status, each file's SHA-256, the capture manifest's SHA-256 and the timestamp status.
    `files` are (path in the ZIP, bytes): each capture's manifest.json, its RFC 3161 tokens
    (.tsr), the TSA root certificate when one is configured, and a text on how to check
    them with `openssl ts -verify`.
captures_text(entries) -> list[str]    the same, in Danish, for manifest.txt
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Capture
from .selectors import captures_of
from .services import manifest_bytes_of

FOLDER = "sikringer"


def _verify_text(has_ca: bool) -> bytes:
    lines = [
        _("Sådan kontrolleres sikringerne af websider"),
        "",
        _("Hver sikring har et manifest (manifest.json) med SHA-256 af hver fil. Manifestets SHA-256 er"),
        _("tidsstemplet af en tidsstemplingstjeneste (RFC 3161), når en sådan er sat op. Kontrollér et token med:"),
        "",
        "  openssl ts -reply -in sikringer/1/tidsstempel-1.tsr -text",
        "  openssl ts -verify -in sikringer/1/tidsstempel-1.tsr -data sikringer/1/manifest.json "
        + ("-CAfile sikringer/tsa-ca.pem" if has_ca else "-CAfile <tjenestens rodcertifikat>"),
        "",
        _("«Verification: OK» betyder, at manifestet fandtes i præcis denne form på det tidspunkt, tokenet"),
        _("angiver. Kontrollér derefter filernes SHA-256 mod manifestet, fx med «sha256sum FILNAVN»."),
        _("Sikringer uden token har intet betroet tidsstempel; deres tidspunkt er systemets eget ur."),
    ]
    return ("\n".join(lines) + "\n").encode()


def bundle_captures(incident, evidence_ids: set[int]) -> tuple[list[dict], list[tuple[str, bytes]]]:
    entries: list[dict] = []
    files: list[tuple[str, bytes]] = []
    chosen = [
        c
        for c in captures_of(incident).filter(status=Capture.Status.DONE)
        if any(f.evidence_id in evidence_ids for f in c.files.all())
    ]
    for number, capture in enumerate(reversed(chosen), start=1):
        folder = f"{FOLDER}/{number}"
        manifest = manifest_bytes_of(capture)
        tokens = [t for t in capture.tokens.all() if t.ok]
        entry = {
            "url": capture.url,
            "final_url": capture.final_url,
            "source": capture.source,
            "captured_at": capture.captured_at.isoformat() if capture.captured_at else None,
            "http_status": capture.http_status,
            "login_required": capture.login_required,
            "manifest_sha256": capture.manifest_sha256,
            "manifest_path": f"{folder}/manifest.json" if manifest else None,
            "files": [
                {
                    "role": f.role,
                    "name": f.evidence.original_name,
                    "sha256": f.evidence.sha256,
                    "in_bundle": f.evidence_id in evidence_ids,
                }
                for f in capture.files.all()
            ],
            "timestamp": "rfc3161" if tokens else "none",
            "tokens": [],
        }
        if manifest:
            files.append((f"{folder}/manifest.json", manifest))
        for k, token in enumerate(tokens, start=1):
            path = f"{folder}/tidsstempel-{k}.tsr"
            files.append((path, bytes(token.response)))
            entry["tokens"].append({"path": path, "tsa_url": token.tsa_url, "gen_time": token.gen_time.isoformat()})
        entries.append(entry)
    if entries:
        ca_file = getattr(settings, "CAPTURE_TSA_CA_FILE", "")
        has_ca = False
        if ca_file and any(e["tokens"] for e in entries):
            try:
                with open(ca_file, "rb") as handle:
                    files.append((f"{FOLDER}/tsa-ca.pem", handle.read()))
                    has_ca = True
            except OSError:
                pass
        files.append((f"{FOLDER}/SAADAN-KONTROLLERES.txt", _verify_text(has_ca)))
    return entries, files


def captures_text(entries: list[dict]) -> list[str]:
    if not entries:
        return []
    lines = ["", _("Sikringer af websider (se sikringer/SAADAN-KONTROLLERES.txt)")]
    for entry in entries:
        lines += [
            f"  {entry['url']}",
            "    "
            + _("sikret: %(at)s, HTTP %(status)s")
            % {"at": entry["captured_at"] or "–", "status": entry["http_status"] or "–"},
            f"    manifest: {entry['manifest_path'] or '–'}, SHA-256 {entry['manifest_sha256']}",
        ]
        if entry["tokens"]:
            lines += [
                "    " + _("tidsstempel (RFC 3161): %(at)s, %(path)s") % {"at": t["gen_time"], "path": t["path"]}
                for t in entry["tokens"]
            ]
        else:
            lines.append("    " + _("intet betroet tidsstempel"))
    return lines
