"""Encrypted backups, rotation, and backups of files kept in an S3 bucket: bin/backup, bin/restore, for real.

gpg (Debian's) encrypts with a passphrase file or to a public key made for the test in its own
GNUPGHOME; the bucket is a real S3-compatible server (moto_server, tests/test_object_storage.py)
on a free port. Every backup is restored into a FRESH database (and a fresh bucket or folder)
and checked with verify_evidence against the copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import pytest

from tests.test_backup_restore import BACKUP, RESTORE, _run, _url, fresh_database, pg_tools  # noqa: F401
from tests.test_object_storage import BUCKET, REGION, _free_port, bucket, s3_env, s3_server  # noqa: F401

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def gpg():
    if not shutil.which("gpg"):
        pytest.fail("gpg is missing (apt-get install gnupg)", pytrace=False)
    return shutil.which("gpg")


def _world(personas, storage_settings: dict, settings) -> tuple[object, list]:
    """Committed: an incident with two evidence files in the configured storage."""
    from tests.reports.conftest import MP3, PDF_FILE, register, upload

    settings.STORAGES = {**settings.STORAGES, "default": storage_settings}
    incident = register(personas, title="Kommentarer under opslag")
    files = [
        upload(incident, personas.manager, "opslag.pdf", PDF_FILE),
        upload(incident, personas.manager, "lyd.mp3", MP3 + b"\x01" * 5000),
    ]
    return incident, files


def _verify(database_url: str, **storage_env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", "verify_evidence"], DATABASE_URL=database_url, **storage_env)


@pytest.mark.django_db(transaction=True)
def test_passphrase_encrypted_backup_of_a_bucket_restores_into_a_fresh_bucket_and_rotates(
    personas, settings, tmp_path, fresh_database, gpg, s3_env, bucket
):  # noqa: F811
    from django.db import connection

    from tests.test_object_storage import prod_storage_settings

    _incident, files = _world(personas, prod_storage_settings(s3_env), settings)
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("korrekt hest batteri hæfteklamme\n")
    backups = tmp_path / "backups"
    backups.mkdir()
    for stamp in ("20250101T010000Z", "20250102T010000Z", "20250103T010000Z"):  # older backups
        (backups / f"udhaengning-{stamp}").mkdir()
    (backups / "notes").mkdir()  # not a backup: never rotated out

    made = _run(
        [BACKUP, "--keep", "2", backups], DATABASE_URL=source_url, BACKUP_PASSPHRASE_FILE=str(passphrase), **s3_env
    )
    assert made.returncode == 0, made.stderr
    folder = backups / made.stdout.strip().splitlines()[-1].rsplit("/", 1)[-1]
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump.gpg",
        "files.sha256.gpg",
        "manifest.json",
        "private-files.tar.gpg",
    ]
    # Rotation: the newest two backups stay, the folder that is not a backup too.
    assert sorted(p.name for p in backups.iterdir()) == sorted(["notes", "udhaengning-20250103T010000Z", folder.name])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["encryption"] == {"method": "gpg", "mode": "passphrase", "cipher": "AES256"}
    assert manifest["files"]["file_count"] == 2
    assert manifest["files"]["source_folder"] == f"s3://{BUCKET}"
    # Nothing readable is left: not the dump's signature, not a file's bytes.
    dump = (folder / "database.dump.gpg").read_bytes()
    assert not dump.startswith(b"PGDMP") and b"Kommentarer under opslag" not in dump
    assert b"%PDF-1.4" not in (folder / "private-files.tar.gpg").read_bytes()
    sums = (folder / "SHA256SUMS").read_text()
    assert hashlib.sha256(dump).hexdigest() in sums

    # A wrong passphrase is refused before anything is restored.
    wrong = tmp_path / "wrong"
    wrong.write_text("forkert\n")
    refused = _run(
        [RESTORE, folder],
        DATABASE_URL=fresh_database,
        BACKUP_PASSPHRASE_FILE=str(wrong),
        PRIVATE_STORAGE_ROOT=str(tmp_path / "x"),
    )
    assert refused.returncode == 1 and "could not decrypt" in refused.stderr

    # Restore into a fresh database and a new, empty bucket.
    target_env = {**s3_env, "PRIVATE_STORAGE_S3_BUCKET": "udhaengning-restored"}
    bucket.create_bucket(Bucket="udhaengning-restored", CreateBucketConfiguration={"LocationConstraint": REGION})
    done = _run([RESTORE, folder], DATABASE_URL=fresh_database, BACKUP_PASSPHRASE_FILE=str(passphrase), **target_env)
    assert done.returncode == 0, done.stderr
    assert "database.dump.gpg: OK" in done.stderr and "private-files.tar.gpg: OK" in done.stderr
    for evidence in files:
        head = bucket.head_object(Bucket="udhaengning-restored", Key=evidence.file.name)
        assert head["ServerSideEncryption"] == "AES256"
    checked = _verify(fresh_database, **target_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Evidence files: 2 checked, 2 match" in checked.stdout
    # …and a bucket in use is never restored over.
    again = _run([RESTORE, folder], DATABASE_URL=fresh_database, BACKUP_PASSPHRASE_FILE=str(passphrase), **target_env)
    assert again.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_public_key_encrypted_backup_needs_the_private_key_to_restore(
    personas, settings, tmp_path, fresh_database, gpg
):  # noqa: F811
    from django.db import connection

    storage = tmp_path / "private"
    storage.mkdir()
    _world(
        personas,
        {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(storage)}},
        settings,
    )
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    # A signing key with an encryption subkey (ed25519 + cv25519), no passphrase, for one day.
    subprocess.run(
        [
            gpg,
            "--homedir",
            str(home),
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "backup@udhaengning.invalid",
            "future-default",
            "default",
            "1d",
        ],
        check=True,
        capture_output=True,
    )
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    backups = tmp_path / "backups"
    made = _run(
        [BACKUP, backups],
        DATABASE_URL=source_url,
        PRIVATE_STORAGE_ROOT=str(storage),
        BACKUP_GPG_RECIPIENT="backup@udhaengning.invalid",
        GNUPGHOME=str(home),
    )
    assert made.returncode == 0, made.stderr
    folder = backups / made.stdout.strip().splitlines()[-1].rsplit("/", 1)[-1]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["encryption"]["mode"] == "public-key"

    # Without the private key (an empty keyring) nothing is restored.
    empty = tmp_path / "empty-gnupg"
    empty.mkdir(mode=0o700)
    refused = _run(
        [RESTORE, folder], DATABASE_URL=fresh_database, PRIVATE_STORAGE_ROOT=str(tmp_path / "r1"), GNUPGHOME=str(empty)
    )
    assert refused.returncode == 1 and "could not decrypt" in refused.stderr
    assert not (tmp_path / "r1").exists()

    restored = tmp_path / "restored"
    done = _run([RESTORE, folder], DATABASE_URL=fresh_database, PRIVATE_STORAGE_ROOT=str(restored), GNUPGHOME=str(home))
    assert done.returncode == 0, done.stderr
    assert sorted(p.read_bytes() for p in restored.rglob("*") if p.is_file()) == sorted(
        p.read_bytes() for p in storage.rglob("*") if p.is_file()
    )
    checked = _verify(fresh_database, PRIVATE_STORAGE_ROOT=str(restored))
    assert checked.returncode == 0, checked.stdout + checked.stderr
