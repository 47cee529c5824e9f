"""Do the stored files still match the SHA-256 recorded when they were stored?

Public interface:

    stored_files_verify(*, on_check=None) -> IntegrityReport
        re-hashes every stored file of every registered kind (streaming, through Django's
        storage API, so local disk and S3 alike) and compares each with the hash in its row.
        `on_check(check)` is called for every file.
    register_stored_files(category, label, checks)
        an app adds a kind of stored file: `checks()` yields one `file_check(...)` per file;
        `register_stored_rows(category, label, rows, reference=…)` for rows with file and sha256.
        This app registers the evidence; `reports` its PDFs, evidence bundles and case
        archives; `privacy` its DPIA drafts and access exports (each in its AppConfig.ready),
        so this module imports no app above it.
    categories() -> list of (category, label) in the order they are checked

Evidence removed from a case keeps only its tombstone (row and hash, no file) and is
counted, not checked. Nothing is written: the check may run against a restored copy.
Used by `manage.py verify_evidence` (after a restore, and whenever an operator wants).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from .models import Evidence

CHUNK_SIZE = 1024 * 1024

OK = "ok"
MISMATCH = "mismatch"
MISSING = "missing"
UNREADABLE = "unreadable"

EVIDENCE = "evidence"
REPORT = "report"
BUNDLE = "bundle"


@dataclass(frozen=True)
class FileCheck:
    category: str  # a registered kind: evidence, report, bundle, archive, …
    pk: int
    reference: str  # the incident's reference (or the row's own name where it has no incident)
    label: str  # what a person calls the file (the uploaded name, the report's download name)
    storage_name: str
    expected_sha256: str
    actual_sha256: str = ""
    status: str = OK
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    def describe(self) -> str:
        where = f"{self.category} {self.pk} {self.reference} «{self.label}» ({self.storage_name or 'no file name'})"
        if self.status == MISMATCH:
            return f"MISMATCH {where}: recorded SHA-256 {self.expected_sha256}, the file now has {self.actual_sha256}"
        if self.status == MISSING:
            return f"MISSING {where}: {self.problem or 'the file is not in storage'}"
        return f"UNREADABLE {where}: {self.problem}"


@dataclass
class IntegrityReport:
    checked: Counter = field(default_factory=Counter)  # files checked per category
    removed_evidence: int = 0  # tombstones: hash kept, no file
    problems: list[FileCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return sum(self.checked.values())


def _sha256_of(storage_name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(storage_name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_check(category: str, pk: int, reference: str, label: str, storage_name: str, expected: str) -> FileCheck:
    base = {
        "category": category,
        "pk": pk,
        "reference": reference,
        "label": label,
        "storage_name": storage_name,
        "expected_sha256": expected,
    }
    if not storage_name:
        return FileCheck(**base, status=MISSING, problem="the row names no file")
    if not expected:
        return FileCheck(**base, status=UNREADABLE, problem="no SHA-256 was recorded for this file")
    try:
        actual = _sha256_of(storage_name)
    except FileNotFoundError:
        return FileCheck(**base, status=MISSING)
    except Exception as exc:  # noqa: BLE001 - a storage error is reported per file, the walk goes on
        return FileCheck(**base, status=UNREADABLE, problem=f"{type(exc).__name__}: {exc}")
    return FileCheck(**base, actual_sha256=actual, status=OK if actual == expected.lower() else MISMATCH)


def _evidence_checks(report: IntegrityReport) -> Iterator[FileCheck]:
    rows = (
        Evidence.objects.select_related("incident")
        .order_by("pk")
        .only("pk", "file", "sha256", "original_name", "removed_at", "incident__reference")
    )
    for evidence in rows.iterator(chunk_size=500):
        if evidence.is_removed:
            report.removed_evidence += 1
            continue
        yield file_check(
            EVIDENCE,
            evidence.pk,
            evidence.incident.reference,
            evidence.original_name,
            evidence.file.name or "",
            evidence.sha256,
        )


_SOURCES: dict[str, tuple[str, Callable[[], Iterator[FileCheck]]]] = {}


def register_stored_files(category: str, label: str, checks: Callable[[], Iterator[FileCheck]]) -> None:
    """Add a kind of stored file to the check (again with the same category: replaced)."""
    _SOURCES[category] = (label, checks)


def register_stored_rows(
    category: str,
    label: str,
    rows: Callable[[], QuerySet],
    *,
    reference: Callable[[Any], str],
    name: str = "download_name",
) -> None:
    """A kind whose rows carry `file` and `sha256`: every row `rows()` gives is checked, in pk
    order, named by `reference(row)` and its attribute `name`."""

    def checks() -> Iterator[FileCheck]:
        for row in rows().order_by("pk").iterator(chunk_size=500):
            yield file_check(category, row.pk, reference(row), getattr(row, name), row.file.name or "", row.sha256)

    register_stored_files(category, label, checks)


def categories() -> list[tuple[str, str]]:
    """(category, label) of every kind of stored file, evidence first."""
    return [(EVIDENCE, "Evidence files")] + [(category, label) for category, (label, _) in _SOURCES.items()]


def stored_files_verify(*, on_check: Callable[[FileCheck], object] | None = None) -> IntegrityReport:
    """Re-hash every stored file of every registered kind; the problems are in the report."""
    report = IntegrityReport()
    for checks in (_evidence_checks(report), *(source() for _, source in _SOURCES.values())):
        for check in checks:
            report.checked[check.category] += 1
            if not check.ok:
                report.problems.append(check)
            if on_check is not None:
                on_check(check)
    return report
