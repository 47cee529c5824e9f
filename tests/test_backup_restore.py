"""Backup and restore (issue 9, item 7), for real: bin/backup, bin/restore, verify_audit_log, verify_evidence.

The PostgreSQL test builds a world through the real services (incidents, evidence files stored
by evidence_store, PDF reports rendered by WeasyPrint, an evidence bundle, a removed file and
the audit events all of it writes), commits it, runs bin/backup as a subprocess against the
test database, restores the backup into a FRESH database and an empty folder with bin/restore,
and checks the copy with the application's own commands run against it. Then it changes a
restored file and verify_evidence must fail. The other tests check the scripts' refusals and
need no database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "bin" / "backup"
RESTORE = ROOT / "bin" / "restore"
TABLES = (
    "incidents_incident",
    "incidents_evidence",
    "reports_report",
    "reports_evidencebundle",
    "audit_auditevent",
    "accounts_user",
)


def _env(**extra: str) -> dict[str, str]:
    """A clean environment: nothing of the developer's database, broker or bucket leaks in."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(
        {
            "PRIVATE_STORAGE_S3_BUCKET": "",
            "CELERY_BROKER_URL": "",
            "DJANGO_SETTINGS_MODULE": "udhaengning.settings.dev",
            "DEBUG": "False",
        }
    )
    # The audit chain's key and exported heads live outside the database and the backup: the
    # operator restoring brings the same key (docs/audit.md).
    from django.conf import settings

    env.update({"AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY, "AUDIT_ANCHOR_FILE": str(settings.AUDIT_ANCHOR_FILE)})
    env.update(extra)
    return env


def _run(args, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(arg) for arg in args], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=300
    )


def _manage(*args, database_url: str, storage: Path) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], DATABASE_URL=database_url, PRIVATE_STORAGE_ROOT=str(storage))


def _url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict["HOST"] or "localhost"
    return f"postgres://{credentials}{host}:{settings_dict['PORT'] or 5432}/{name}"


def _tree(root: Path) -> dict[str, str]:
    """Every file below root: relative path -> SHA-256."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _major(version_text: str) -> int:
    return int(re.search(r"(\d+)(?:\.\d+)?", version_text).group(1))


@pytest.fixture
def pg_tools():
    """pg_dump, pg_restore and psql, of the server's major version or newer; skipped (or failed) otherwise."""
    from django.db import connection

    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if not shutil.which(tool)]
    reason = None
    if missing:
        reason = f"needs the PostgreSQL client programs {', '.join(missing)} (apt-get install postgresql-client)"
    else:
        client = _major(subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout)
        server = connection.pg_version // 10000
        if client < server:
            reason = f"pg_dump {client} cannot dump PostgreSQL {server}; install postgresql-client-{server}"
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def fresh_database(pg_tools):
    """An empty database beside the test database, dropped afterwards: the restore target."""
    import psycopg2
    from django.db import connection

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore"[:63]
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    admin.autocommit = True

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()  # a run that crashed may have left it
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(settings_dict, name)
    drop()
    admin.close()


def _query(url: str, sql: str):
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def _counts(url: str) -> dict[str, int]:
    # TABLES is a constant of this module, never input.
    return {table: _query(url, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}  # noqa: S608


def _build_world(personas, storage: Path, settings):
    """Committed data written through the real services; returns the incidents."""
    from django.db import transaction

    from incidents import services as incident_services
    from tests.reports.conftest import MP3, PDF_FILE, TEXT, png, register, upload
    from tests.security.world import build_world, private_storage

    private_storage(settings, storage)
    with transaction.atomic():
        world = build_world(personas)  # evidence, four reports rendered to PDF, a bundle, a recording request
        second = register(personas, title="Optagelse lagt på YouTube", threat=True)
        upload(second, personas.manager, "skærmbillede æøå.png", png(4, 4))
        upload(second, personas.manager, "gemt-side.pdf", PDF_FILE)
        upload(second, personas.manager, "lydklip.mp3", MP3)
        upload(second, personas.caseworker, "udskrift.txt", TEXT)
        wrong = upload(second, personas.manager, "forkert.png", png(5, 5))
        # The services are called directly, as the tasks would be: drop the hand-offs to Celery
        # queued for after the commit, so no task message outlives the test.
        transaction.get_connection().run_on_commit.clear()
    # Removed after the commit, so its file really goes (on_commit) and only the tombstone is left.
    incident_services.evidence_remove(actor=personas.manager, evidence=wrong, reason="Hører til en anden sag")
    return world.incident, second


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_audit_chain_and_every_hash_intact(
    personas, settings, tmp_path, fresh_database
):
    from django.db import connection

    from audit.models import AuditChainHead, AuditEvent
    from incidents.models import Evidence
    from reports.models import EvidenceBundle, Report

    storage = tmp_path / "private"
    storage.mkdir()
    _build_world(personas, storage, settings)
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    head = AuditChainHead.objects.get()  # the one organisation's chain
    # bin/backup records every chain's head at once (heads_digest in bin/backup-common.sh): the
    # events of all chains and the SHA-256 of the sorted "chain count last_hash" lines.
    chain = "\\N" if head.chain is None else str(head.chain)
    heads = {
        "count": head.count,
        "last_hash": hashlib.sha256(f"{chain} {head.count} {head.last_hash}\n".encode()).hexdigest(),
    }
    kept = list(Evidence.objects.filter(removed_at__isnull=True).order_by("pk"))
    assert len(kept) == 5 and Evidence.objects.filter(removed_at__isnull=False).count() == 1
    reports = Report.objects.filter(status="ready").count()
    assert reports >= 3  # internal, police and DSA notice (and whatever else the world has)
    assert EvidenceBundle.objects.filter(status="ready").count() == 1
    assert head.count == AuditEvent.objects.count() > 20
    stored = 5 + reports + 1
    source_files = _tree(storage)
    assert len(source_files) == stored  # the removed file is gone from storage
    counts = _counts(source_url)

    # --- Back up -----------------------------------------------------------------------------------
    backups = tmp_path / "backups"
    made = _run([BACKUP, backups], DATABASE_URL=source_url, PRIVATE_STORAGE_ROOT=str(storage))
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    assert folder.parent == backups and re.fullmatch(r"udhaengning-\d{8}T\d{6}Z", folder.name)
    assert sorted(p.name for p in backups.iterdir()) == [folder.name]  # no *.partial left behind
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "files.sha256",
        "manifest.json",
        "private-files.tar",
    ]
    assert folder.stat().st_mode & 0o077 == 0  # readable by its owner only: it holds personal data
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("database.dump", "private-files.tar", "files.sha256")
    }
    assert sorted((folder / "SHA256SUMS").read_text().splitlines()) == sorted(f"{digests[n]}  {n}" for n in digests)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "udhaengning-backup/1"
    assert manifest["source_database"] == connection.settings_dict["NAME"]
    assert manifest["database"]["sha256"] == digests["database.dump"]
    assert manifest["database"]["size"] == (folder / "database.dump").stat().st_size
    assert manifest["files"]["sha256"] == digests["private-files.tar"]
    assert manifest["files"]["file_count"] == len(source_files)
    # The files the dump names, listed in the dump's own snapshot with their recorded SHA-256.
    listed = dict(line.split("  ")[::-1] for line in (folder / "files.sha256").read_text().splitlines())
    assert listed == source_files
    assert manifest["referenced_files"] == {
        "file": "files.sha256",
        "count": len(source_files),
        "sha256": digests["files.sha256"],
    }
    assert manifest["audit_chain_head"] == heads
    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    # --- Restore into a fresh database and an empty folder ---------------------------------------
    restored = tmp_path / "restored"
    done = _run([RESTORE, folder], DATABASE_URL=fresh_database, PRIVATE_STORAGE_ROOT=str(restored))
    assert done.returncode == 0, done.stderr
    assert "database.dump: OK" in done.stderr and "private-files.tar: OK" in done.stderr
    assert heads["last_hash"] in done.stderr
    assert _tree(restored) == source_files
    assert _counts(fresh_database) == counts
    assert _query(fresh_database, "SELECT count, last_hash FROM audit_auditchainhead") == [(head.count, head.last_hash)]

    # --- The application's own checks, against the restored copy --------------------------------
    audit = _manage("verify_audit_log", database_url=fresh_database, storage=restored)
    assert audit.returncode == 0, audit.stderr
    assert f"Audit log intact: {head.count} events verified." in audit.stdout
    files = _manage("verify_evidence", database_url=fresh_database, storage=restored)
    assert files.returncode == 0, files.stderr + files.stdout
    assert "Evidence files: 5 checked, 5 match (1 removed from their case, only the hash kept)." in files.stdout
    assert f"Report PDFs: {reports} checked, {reports} match." in files.stdout
    assert "Evidence bundles: 1 checked, 1 match." in files.stdout
    assert f"All {stored} stored files match their recorded SHA-256." in files.stdout

    # The database still refuses to change the audit log after the restore (the trigger came along).
    import psycopg2

    with pytest.raises(psycopg2.Error, match="append-only"):
        _query(fresh_database, "UPDATE audit_auditevent SET summary = 'x'")

    # --- Tampering with a restored file is found --------------------------------------------------
    victim = kept[1]
    target = restored / victim.file.name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    target.write_bytes(bytes(data))
    report = Report.objects.filter(status="ready", kind="police").get()
    (restored / report.file.name).unlink()
    tampered = _manage("verify_evidence", database_url=fresh_database, storage=restored)
    assert tampered.returncode != 0
    assert f"MISMATCH evidence {victim.pk} {victim.incident.reference} «{victim.original_name}»" in tampered.stderr
    assert f"recorded SHA-256 {victim.sha256}" in tampered.stderr
    assert hashlib.sha256(bytes(data)).hexdigest() in tampered.stderr
    assert f"MISSING report {report.pk}" in tampered.stderr
    assert f"2 of {stored} stored files are missing or do not match" in tampered.stderr
    # …while the source stays whole.
    assert _manage("verify_evidence", database_url=source_url, storage=storage).returncode == 0

    # --- The restore refuses a database in use and a damaged backup ---------------------------------
    again = _run([RESTORE, folder], DATABASE_URL=fresh_database, PRIVATE_STORAGE_ROOT=str(tmp_path / "other"))
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    assert not (tmp_path / "other").exists()
    assert _query(fresh_database, "SELECT count(*) FROM audit_auditevent")[0][0] == counts["audit_auditevent"]

    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    dump = bytearray((damaged / "database.dump").read_bytes())
    dump[-10] ^= 0xFF
    (damaged / "database.dump").write_bytes(bytes(dump))
    broken = _run([RESTORE, damaged], DATABASE_URL=source_url, PRIVATE_STORAGE_ROOT=str(tmp_path / "other"))
    assert broken.returncode != 0
    assert "database.dump: FAILED" in broken.stderr
    assert "the backup is damaged" in broken.stderr


# --- Refusals that need no database ---------------------------------------------------------------


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = _run([BACKUP, tmp_path], DATABASE_URL="sqlite:////tmp/db.sqlite3", PRIVATE_STORAGE_ROOT=str(tmp_path))
    assert result.returncode == 1
    assert "DATABASE_URL must name a PostgreSQL database" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_refuses_an_unreadable_passphrase_file_and_a_bad_keep(tmp_path):
    result = _run(
        [BACKUP, tmp_path / "b"],
        DATABASE_URL="postgres://u@127.0.0.1:1/x",
        PRIVATE_STORAGE_ROOT=str(tmp_path),
        BACKUP_PASSPHRASE_FILE=str(tmp_path / "nowhere"),
    )
    assert result.returncode == 1
    assert f"BACKUP_PASSPHRASE_FILE {tmp_path / 'nowhere'} cannot be read" in result.stderr
    assert not (tmp_path / "b").exists()
    result = _run(
        [BACKUP, "--keep", "many", tmp_path / "b"],
        DATABASE_URL="postgres://u@127.0.0.1:1/x",
        PRIVATE_STORAGE_ROOT=str(tmp_path),
    )
    assert result.returncode == 1 and "must be a whole number" in result.stderr


def test_backup_refuses_a_missing_files_folder(tmp_path):
    result = _run(
        [BACKUP, tmp_path / "b"],
        DATABASE_URL="postgres://u@127.0.0.1:1/x",
        PRIVATE_STORAGE_ROOT=str(tmp_path / "nowhere"),
    )
    assert result.returncode == 1
    assert f"the private files folder {tmp_path / 'nowhere'} does not exist" in result.stderr


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    result = _run([RESTORE, tmp_path], DATABASE_URL="postgres://u@127.0.0.1:1/x")
    assert result.returncode == 1
    assert "has no SHA256SUMS" in result.stderr
    assert _run([RESTORE]).returncode == 1


@pytest.mark.parametrize("script", [BACKUP, RESTORE])
def test_scripts_explain_themselves(script):
    result = _run([script, "--help"])
    assert result.returncode == 0
    assert "docs/operations.md" in result.stdout
    assert "DATABASE_URL" in result.stdout and "PRIVATE_STORAGE_ROOT" in result.stdout
