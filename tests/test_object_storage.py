"""Object storage for real: evidence in an S3-compatible bucket, against a real S3 server.

The server is moto's server mode (moto_server, from PyPI) started by the test on a free port on
127.0.0.1 and stopped afterwards; nothing is mocked inside this process: django-storages and
boto3 speak HTTP to it. The storage settings are the ones udhaengning.settings.prod builds from
the PRIVATE_STORAGE_S3_* variables (read from a subprocess), server-side encryption included.
A 40 MB file goes up through evidence_store (boto3's multipart upload) and comes back whole,
streamed by the app and through the presigned redirect the proxy mode answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "udhaengning-evidence-test"
REGION = "eu-north-1"
LARGE = 40 * 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    executable = Path(sys.executable).parent / "moto_server"
    if not executable.exists():
        pytest.fail("moto_server is missing: pip install -r requirements-dev.lock", pytrace=False)
    port = _free_port()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("moto_server did not start", pytrace=False)
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def s3_env(s3_server) -> dict[str, str]:
    return {
        "PRIVATE_STORAGE_S3_BUCKET": BUCKET,
        "PRIVATE_STORAGE_S3_ENDPOINT_URL": s3_server,
        "PRIVATE_STORAGE_S3_REGION": REGION,
        "PRIVATE_STORAGE_S3_ACCESS_KEY": "test-access-key",
        "PRIVATE_STORAGE_S3_SECRET_KEY": "test-secret-key",
        "PRIVATE_STORAGE_S3_ADDRESSING_STYLE": "path",
    }


@pytest.fixture(scope="module")
def bucket(s3_server, s3_env):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=s3_env["PRIVATE_STORAGE_S3_ACCESS_KEY"],
        aws_secret_access_key=s3_env["PRIVATE_STORAGE_S3_SECRET_KEY"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


def prod_storage_settings(extra: dict[str, str]) -> dict:
    """STORAGES["default"] as udhaengning.settings.prod builds it from these variables."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "ALLOWED_HOSTS": "localhost",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "CACHE_URL": "locmemcache://",
            **extra,
        }
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def s3_storage(settings, s3_env, bucket):
    storage = prod_storage_settings(s3_env)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    return storage


def test_production_settings_write_objects_with_server_side_encryption(s3_env):
    assert prod_storage_settings(s3_env)["OPTIONS"]["object_parameters"] == {"ServerSideEncryption": "AES256"}
    kms = prod_storage_settings(
        {
            **s3_env,
            "PRIVATE_STORAGE_S3_SSE": "aws:kms",
            "PRIVATE_STORAGE_S3_SSE_KMS_KEY_ID": "arn:aws:kms:eu-north-1:1:key/abc",
        }
    )
    assert kms["OPTIONS"]["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "arn:aws:kms:eu-north-1:1:key/abc",
    }
    assert prod_storage_settings({**s3_env, "PRIVATE_STORAGE_S3_SSE": "none"})["OPTIONS"]["object_parameters"] == {}
    options = prod_storage_settings(s3_env)["OPTIONS"]
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def _large_upload(name: str) -> tuple[TemporaryUploadedFile, str]:
    upload = TemporaryUploadedFile(name, "audio/mpeg", LARGE, None)
    digest = hashlib.sha256()
    header = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 32 + b"\xff\xfb\x90\x00"
    upload.write(header)
    digest.update(header)
    remaining = LARGE - len(header)
    while remaining:
        block = os.urandom(min(remaining, 1024 * 1024))
        upload.write(block)
        digest.update(block)
        remaining -= len(block)
    upload.seek(0)
    return upload, digest.hexdigest()


@pytest.mark.django_db
def test_a_large_evidence_file_goes_to_the_bucket_encrypted_and_comes_back_whole(
    personas, s3_storage, bucket, client, settings
):
    from incidents.evidence import evidence_open, evidence_store
    from tests.reports.conftest import register
    from udhaengning import health

    incident = register(personas)
    upload, expected = _large_upload("optagelse fra mødet.mp3")
    evidence = evidence_store(actor=personas.manager, incident=incident, uploaded_file=upload)
    upload.close()
    assert evidence.sha256 == expected and evidence.size == LARGE

    # In the bucket, under the random name, encrypted at rest, private.
    head = bucket.head_object(Bucket=BUCKET, Key=evidence.file.name)
    assert head["ContentLength"] == LARGE
    assert head["ServerSideEncryption"] == "AES256"
    assert "mødet" not in evidence.file.name
    acl = bucket.get_object_acl(Bucket=BUCKET, Key=evidence.file.name)
    assert all(grant["Grantee"].get("URI") is None for grant in acl["Grants"])  # no public grant

    # Read back by the app.
    digest = hashlib.sha256()
    with evidence_open(evidence) as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    assert digest.hexdigest() == expected

    url = reverse("incidents:evidence_download", args=[incident.reference, evidence.pk])
    client.force_login(personas.manager)

    # Streamed through the app (the default, PRIVATE_DOWNLOADS=stream).
    settings.PRIVATE_DOWNLOADS = "stream"
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == expected
    assert response["X-Evidence-SHA256"] == expected

    # Behind the proxy: a short-lived presigned redirect, fetched straight from the bucket.
    settings.PRIVATE_DOWNLOADS = "proxy"
    response = client.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{s3_storage['OPTIONS']['endpoint_url']}/{BUCKET}/")
    assert "X-Amz-Expires=60" in location and "X-Amz-Signature=" in location
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(location, timeout=60) as fetched:  # noqa: S310 - the test's own server
        body = fetched.read()
        disposition = fetched.headers["Content-Disposition"]
    assert hashlib.sha256(body).hexdigest() == expected
    assert disposition.startswith("attachment;") and "%C3%B8" in disposition  # «ø», RFC 5987
    # Without the signature the bucket refuses it.
    unsigned = location.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=30)  # noqa: S310
    assert refused.value.code == 403

    # Someone who may not see the case gets 404 and no link.
    client.force_login(personas.other_manager)
    assert client.get(url).status_code == 404

    # /healthz asks the bucket.
    healthy, body = health.report()
    assert body["checks"]["storage"]["ok"] is True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**s3_storage, "OPTIONS": {**s3_storage["OPTIONS"], "bucket_name": "no-such-bucket-here"}},
    }
    healthy, body = health.report()
    assert body["checks"]["storage"]["ok"] is False and healthy is False
