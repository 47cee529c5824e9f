"""Backups taken while evidence is uploaded and removed restore whole (issue 25).

A writer thread keeps uploading evidence files and removing earlier ones (with the deletion
grace period of production) while bin/backup runs; each backup is restored with bin/restore
into a fresh database and an empty folder. bin/restore itself checks every stored file the
restored rows name against the list made in the dump's snapshot, the audit chain's head, and
runs verify_audit_log and verify_evidence against the copy; all of it must pass, every try.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from pathlib import Path

import pytest

from tests.test_backup_restore import BACKUP, RESTORE, _manage, _run, _url, pg_tools  # noqa: F401

# Each try is a whole backup and restore (~30 s on the 2-CPU VM). Three in `make test`; the
# issue was closed on 20 tries: BACKUP_CONSISTENCY_TRIES=20 make test PYTEST_ARGS=tests/test_backup_consistency.py
TRIES = int(os.environ.get("BACKUP_CONSISTENCY_TRIES", "3"))

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_backup_lists_the_files_of_every_model_with_a_file_field():
    from django.apps import apps
    from django.db import models

    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if any(isinstance(f, models.FileField) for f in model._meta.get_fields())
    }
    script = BACKUP.read_text()
    listed = set(re.findall(r"FROM (\w+) WHERE file <> ''", script))
    assert listed == tables  # a new FileField must be added to bin/backup's file list


class Writer(threading.Thread):
    """Uploads a file, removes the oldest kept one, again and again, each in its own commit."""

    def __init__(self, incident, actor):
        super().__init__(daemon=True)
        self.incident, self.actor = incident, actor
        self.stop = threading.Event()
        self.uploads = self.removals = 0
        self.error: BaseException | None = None

    def run(self):
        from django.db import connection

        from incidents import services
        from incidents.models import Evidence
        from tests.reports.conftest import png, upload

        try:
            for number in itertools.count():
                if self.stop.wait(0.01):  # a steady stream, leaving the CPU to the backup
                    break
                content = png(3 + number % 200, 3 + number // 200)  # a new file each time
                upload(self.incident, self.actor, f"skærmbillede-{number}.png", content)
                self.uploads += 1
                oldest = Evidence.objects.filter(incident=self.incident, removed_at__isnull=True).order_by("pk")
                if oldest.count() > 4:
                    services.evidence_remove(actor=self.actor, evidence=oldest.first(), reason="Forkert sag")
                    self.removals += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


@pytest.fixture
def restore_targets(pg_tools):  # noqa: F811 - the fixture imported above
    """A function making an empty database (dropped afterwards) per try."""
    import psycopg2
    from django.db import connection

    settings_dict = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    admin.autocommit = True
    names: list[str] = []

    def make(number: int) -> str:
        name = f"{settings_dict['NAME']}_consistency_{number}"[:63]
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return _url(settings_dict, name)

    yield make
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_backups_during_uploads_and_removals_restore_whole(personas, settings, tmp_path, restore_targets):
    from django.db import connection

    from tests.reports.conftest import register
    from tests.security.world import private_storage

    storage = tmp_path / "private"
    storage.mkdir()
    private_storage(settings, storage)
    settings.FILE_DELETION_GRACE_SECONDS = 3600  # as in production: longer than a backup
    incident = register(personas, title="Opslag med mange skærmbilleder")
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    writer = Writer(incident, personas.manager)
    writer.start()
    try:
        for number in range(TRIES):
            before = writer.uploads + writer.removals
            made = _run([BACKUP, tmp_path / "backups"], DATABASE_URL=source_url, PRIVATE_STORAGE_ROOT=str(storage))
            assert made.returncode == 0, made.stderr
            assert writer.error is None, writer.error
            assert writer.uploads + writer.removals > before  # the files changed while it ran
            folder = Path(made.stdout.strip().splitlines()[-1])

            restored = tmp_path / f"restored-{number}"
            done = _run([RESTORE, folder], DATABASE_URL=restore_targets(number), PRIVATE_STORAGE_ROOT=str(restored))
            assert done.returncode == 0, done.stderr
            assert "restore complete and verified" in done.stderr
            assert "All " in done.stderr and "stored files match their recorded SHA-256" in done.stderr
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert writer.removals > TRIES
    # The removed files are still in storage (the grace period) until the queue deletes them.
    from incidents.models import PendingFileDeletion
    from retention.services import pending_files_delete

    assert PendingFileDeletion.objects.count() == writer.removals
    assert all((storage / name).exists() for name in PendingFileDeletion.objects.values_list("name", flat=True))
    settings.FILE_DELETION_GRACE_SECONDS = 0
    assert pending_files_delete() == writer.removals
    assert not PendingFileDeletion.objects.exists()
    print(f"{TRIES} backups restored whole; {writer.uploads} uploads and {writer.removals} removals meanwhile")
