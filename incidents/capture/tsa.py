"""RFC 3161 trusted timestamps of a capture's manifest (rfc3161-client).

    timestamp_request(data, url) -> Stamp     ask one authority for a token over SHA-256(data)
    token_verify(response, data) -> Verdict   is the token a valid signature over SHA-256(data),
                                              chained to a root in settings.CAPTURE_TSA_CA_FILE?

The authorities are the URLs in `settings.CAPTURE_TSA_URLS` (set by the operator, not by a
user, so they are not subject to the capture's address checks). Tokens are stored as the
TimeStampResp the authority sent, which `openssl ts -verify -in token.tsr -data manifest.json
-CAfile tsa-ca.pem` accepts as it is.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"


class TimestampFailed(Exception):
    pass


@dataclass(frozen=True)
class Stamp:
    url: str
    response: bytes
    gen_time: datetime
    serial_number: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    gen_time: datetime | None = None


def configured_urls() -> list[str]:
    return [url for url in getattr(settings, "CAPTURE_TSA_URLS", []) or [] if url.strip()]


def timestamp_request(data: bytes, url: str, *, timeout: float | None = None) -> Stamp:
    """A token over SHA-256(data) from the authority at `url`; TimestampFailed otherwise."""
    from rfc3161_client import HashAlgorithm, PKIStatus, TimestampRequestBuilder, decode_timestamp_response

    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .nonce(nonce=True)
        .build()
    )
    try:
        answer = requests.post(
            url,
            data=request.as_bytes(),
            headers={"Content-Type": QUERY_TYPE},
            timeout=timeout or settings.CAPTURE_TSA_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise TimestampFailed(f"{url}: {type(exc).__name__}") from exc
    if answer.status_code != 200:
        raise TimestampFailed(f"{url}: HTTP {answer.status_code}")
    try:
        response = decode_timestamp_response(answer.content)
    except Exception as exc:  # noqa: BLE001 - the library raises its own ValueError kinds
        raise TimestampFailed(f"{url}: the answer is not a time-stamp response ({exc})") from exc
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampFailed(f"{url}: refused ({' '.join(response.status_string)})")
    info = response.tst_info
    if info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampFailed(f"{url}: the token is for another hash")
    if request.nonce is not None and info.nonce != request.nonce:
        raise TimestampFailed(f"{url}: the nonce does not match")
    return Stamp(url=url, response=answer.content, gen_time=info.gen_time, serial_number=str(info.serial_number))


def _roots():
    from cryptography import x509

    path = getattr(settings, "CAPTURE_TSA_CA_FILE", "")
    if not path:
        return []
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificates(handle.read())


def token_verify(response: bytes, data: bytes) -> Verdict:
    """Verify a stored TimeStampResp over `data` against the configured roots."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    try:
        parsed = decode_timestamp_response(bytes(response))
    except Exception as exc:  # noqa: BLE001
        return Verdict(False, f"the token cannot be read ({exc})")
    try:
        roots = _roots()
    except (OSError, ValueError) as exc:
        return Verdict(False, f"CAPTURE_TSA_CA_FILE cannot be read ({exc})", parsed.tst_info.gen_time)
    if not roots:
        return Verdict(False, "no CAPTURE_TSA_CA_FILE is set to verify against", parsed.tst_info.gen_time)
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify_message(parsed, bytes(data))
    except VerificationError as exc:
        return Verdict(False, str(exc), parsed.tst_info.gen_time)
    return Verdict(True, "", parsed.tst_info.gen_time)
