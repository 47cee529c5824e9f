"""Make a self-signed TLS certificate for trying the stack out, unless one is there already.

    python deploy/tls-init.py [DIR]        (DIR defaults to $TLS_DIR, then /tls)

Writes DIR/fullchain.pem and DIR/privkey.pem for NGINX_SERVER_NAME (plus localhost and
127.0.0.1), valid for TLS_SELF_SIGNED_DAYS days (default 90), when DIR/fullchain.pem does not
exist. An operator's own certificate mounted there is never touched. docker-compose.yml runs it
as the one-off service "tls-init" before the proxy starts. Browsers warn about a self-signed
certificate: use a real one (the municipality's, or ACME) for anything but a trial.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make(directory: Path, names: list[str], days: int) -> bool:
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    if cert_path.exists():
        print(f"tls-init: {cert_path} exists, using it", file=sys.stderr)
        return False
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Udhængning (self-signed trial)"),
        ]
    )
    alt_names: list[x509.GeneralName] = []
    for name in dict.fromkeys([*names, "localhost", "127.0.0.1"]):
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    old_umask = os.umask(0o077)
    try:
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    finally:
        os.umask(old_umask)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    print(
        f"tls-init: made a self-signed certificate for {', '.join(names)} in {directory} "
        f"(valid {days} days; browsers will warn)",
        file=sys.stderr,
    )
    return True


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else os.environ.get("TLS_DIR", "/tls"))
    names = [name.strip() for name in os.environ.get("NGINX_SERVER_NAME", "localhost").split() if name.strip()]
    names = [name for name in names if name != "_"] or ["localhost"]
    make(directory, names, int(os.environ.get("TLS_SELF_SIGNED_DAYS", "90")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
