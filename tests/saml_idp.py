"""A minimal real SAML 2.0 identity provider built on pysaml2, for the SSO browser tests.

    python tests/saml_idp.py --port P --sp-metadata URL --users users.json --workdir DIR

- GET  /metadata        the IdP's metadata (signing certificate, HTTP-Redirect SSO endpoint)
- GET  /sso/redirect    takes the SP's AuthnRequest and shows a sign-in form (user name,
                        "used a second factor")
- POST /sso/login       answers the SP with a signed Response and signed Assertion (HTTP-POST)

Users (e-mail, groups, mfa) come from the JSON file, read at every sign-in, so a test can
change a user's groups between sign-ins. A throw-away key and certificate are made at start.
The SP's metadata is fetched at the first sign-in (the SP is up by then).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import secrets
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server

MFA_ATTRIBUTE = "http://schemas.microsoft.com/claims/authnmethodsreferences"


def _config(base: str, workdir: Path, sp_metadata: Path | None) -> IdPConfig:
    conf = {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "name": "Test SAML IdP",
                "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 15},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_BASIC,
                    }
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
        "key_file": str(workdir / "idp-key.pem"),
        "cert_file": str(workdir / "idp-cert.pem"),
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [str(sp_metadata)]} if sp_metadata else {},
        "attribute_map_dir": None,
        "allow_unknown_attributes": True,
    }
    config = IdPConfig()
    config.load(conf)
    return config


class IdP:
    def __init__(self, base: str, workdir: Path, users: Path, sp_metadata_url: str):
        self.base, self.workdir, self.users, self.sp_metadata_url = base, workdir, users, sp_metadata_url
        self.pending: dict[str, tuple[object, str]] = {}
        self._server: Server | None = None

    def server(self) -> Server:
        if self._server is None:
            path = self.workdir / "sp-metadata.xml"
            with urllib.request.urlopen(self.sp_metadata_url, timeout=10) as response:  # noqa: S310
                path.write_bytes(response.read())
            self._server = Server(config=_config(self.base, self.workdir, path))
        return self._server

    def metadata(self) -> bytes:
        return create_metadata_string(None, config=_config(self.base, self.workdir, None), valid=1)

    def __call__(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata()]
        if path == "/sso/redirect" and method == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            request = self.server().parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
            key = secrets.token_urlsafe(16)
            self.pending[key] = (request, query.get("RelayState", [""])[0])
            body = f"""<!DOCTYPE html><html lang="en"><head><title>Test SAML IdP</title></head><body>
<h1>Test SAML identity provider</h1><form method="post" action="/sso/login">
<input type="hidden" name="key" value="{key}">
<label>SAML user name <input name="login" autocomplete="off"></label>
<label><input type="checkbox" name="mfa" value="1"> Used a second factor at the SAML IdP</label>
<button type="submit">Sign in at the SAML IdP</button></form></body></html>"""
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body.encode()]
        if path == "/sso/login" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(size).decode())
            request, relay_state = self.pending.pop(form["key"][0])
            uid = form["login"][0]
            user = json.loads(self.users.read_text())[uid]
            # Attribute names as Microsoft Entra ID sends them (pysaml2 passes unknown names through).
            identity = {
                "http://schemas.microsoft.com/identity/claims/objectidentifier": [uid],
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": [user["email"]],
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": [user["givenName"]],
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": [user["sn"]],
                "groups": user["groups"],
                MFA_ATTRIBUTE: (
                    ["http://schemas.microsoft.com/claims/multipleauthn"]
                    if form.get("mfa")
                    else ["http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"]
                ),
            }
            server = self.server()
            args = server.response_args(request.message, [BINDING_HTTP_POST])
            args.pop("binding", None)
            response = server.create_authn_response(
                identity,
                userid=uid,
                sign_response=True,
                sign_assertion=True,
                sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
                authn={
                    "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                    "authn_auth": self.base,
                },
                **args,
            )
            encoded = base64.b64encode(str(response).encode()).decode()
            body = f"""<!DOCTYPE html><html lang="en"><head><title>Back to the service</title></head><body>
<form method="post" action="{html.escape(args["destination"])}">
<input type="hidden" name="SAMLResponse" value="{encoded}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<button type="submit">Continue to the service</button></form></body></html>"""
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the test output stays readable
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sp-metadata", required=True)
    parser.add_argument("--users", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    subprocess.run(  # noqa: S603
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test-saml-idp",  # noqa: S607
            "-keyout",
            str(args.workdir / "idp-key.pem"),
            "-out",
            str(args.workdir / "idp-cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    with make_server(
        "127.0.0.1", args.port, IdP(base, args.workdir, args.users, args.sp_metadata), handler_class=QuietHandler
    ) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main()
