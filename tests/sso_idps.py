"""Real identity providers the SSO tests start and stop: OpenID Connect (panva/oidc-provider,
test-tools/oidc-provider, run with node) and SAML 2.0 (pysaml2's IdP, tests/saml_idp.py).

Each binds to 127.0.0.1 on a free port chosen at run time and is stopped by its fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OIDC_DIR = ROOT / "test-tools" / "oidc-provider"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(process: subprocess.Popen, url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"identity provider exited: {process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"identity provider did not answer at {url}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class OidcIdP:
    url: str
    client_id: str
    client_secret: str

    def put_user(
        self, sub: str, *, email: str, groups: list[str], given_name: str = "Kirsten", family_name: str = "Kommune"
    ) -> None:
        body = json.dumps(
            {"email": email, "groups": groups, "given_name": given_name, "family_name": family_name}
        ).encode()
        request = urllib.request.Request(
            f"{self.url}/test-admin/users/{sub}",
            data=body,  # noqa: S310
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310

    def delete_user(self, sub: str) -> None:
        request = urllib.request.Request(f"{self.url}/test-admin/users/{sub}", method="DELETE")  # noqa: S310
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


def start_oidc_idp(*, redirect_uri: str):
    """A running OIDC provider for one client; returns (OidcIdP, process)."""
    if not shutil.which("node") or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        message = "needs node and `npm ci` in test-tools/oidc-provider"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    port = free_port()
    idp = OidcIdP(url=f"http://127.0.0.1:{port}", client_id="udhaengning-test", client_secret=f"test-secret-{port}")
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": idp.client_id,
        "CLIENT_SECRET": idp.client_secret,
        "REDIRECT_URI": redirect_uri,
    }
    process = subprocess.Popen(
        ["node", "server.js"],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.PIPE,  # noqa: S603,S607
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(process, f"{idp.url}/.well-known/openid-configuration")
    return idp, process


@dataclass
class SamlIdP:
    url: str
    entity_id: str
    metadata_url: str
    control: Path  # JSON file of users the IdP reads on each sign-in

    def put_user(self, uid: str, *, email: str, groups: list[str], mfa: bool = False) -> None:
        users = json.loads(self.control.read_text()) if self.control.exists() else {}
        users[uid] = {"email": email, "groups": groups, "mfa": mfa, "givenName": "Sam", "sn": "Saml"}
        self.control.write_text(json.dumps(users))


def start_saml_idp(*, port: int, sp_metadata_url: str, workdir: Path):
    control = workdir / "users.json"
    control.write_text("{}")
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "tests" / "saml_idp.py"),
            "--port",
            str(port),
            "--sp-metadata",
            sp_metadata_url,
            "--users",
            str(control),
            "--workdir",
            str(workdir),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(process, f"{url}/metadata")
    return SamlIdP(url=url, entity_id=f"{url}/metadata", metadata_url=f"{url}/metadata", control=control), process


def stop(process: subprocess.Popen) -> None:
    _stop(process)
