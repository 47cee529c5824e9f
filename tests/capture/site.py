"""A small web site served by the tests (http.server in a thread on a loopback address).

Pages: /normal (text, an image, a stylesheet), /redirect (302 → /normal), /huge (several MB),
/hang (never answers until the site stops), /changing (text from `state["version"]`),
/disappearing (404 once `state["gone"]`), /login (a login wall with a password field),
/to-loopback (302 to the other loopback address), /leaky (an image from another address).
"""

from __future__ import annotations

import base64
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
HUGE_MB = 3


def _page(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html lang='da'><head><meta charset='utf-8'><title>{title}</title>"
        f"<link rel='stylesheet' href='/style.css'></head><body><h1>{title}</h1>{body}</body></html>"
    ).encode()


class Site:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.state = {"version": 1, "gone": False, "other": ""}
        self.hits: list[str] = []
        self.stop = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(
                self,
                status: int,
                body: bytes,
                content_type: str = "text/html; charset=utf-8",
                headers: dict | None = None,
            ):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                site.hits.append(self.path)
                path = self.path.split("?", 1)[0]
                if path == "/normal":
                    self.send(
                        200,
                        _page(
                            "Opslag om Sara",
                            "<p>Sara fra jobcentret er en skam for kommunen.</p>"
                            "<p>Æ, ø og å virker.</p><img src='/pixel.png' alt=''>",
                        ),
                        headers={"X-Test-Site": "normal"},
                    )
                elif path == "/style.css":
                    self.send(200, b"body{font-family:sans-serif;background:#fff}h1{color:#933}", "text/css")
                elif path == "/pixel.png":
                    self.send(200, PNG, "image/png")
                elif path == "/redirect":
                    self.send(302, b"", headers={"Location": "/normal"})
                elif path == "/huge":
                    self.send(200, _page("Stor side", "<p>" + "bla " * (HUGE_MB * 1024 * 256) + "</p>"))
                elif path == "/hang":
                    site.stop.wait(60)
                elif path == "/changing":
                    self.send(200, _page("Skiftende side", f"<p>Version {site.state['version']} af opslaget.</p>"))
                elif path == "/disappearing":
                    if site.state["gone"]:
                        self.send(404, _page("Ikke fundet", "<p>Indholdet er ikke tilgængeligt.</p>"))
                    else:
                        self.send(200, _page("Opslag der forsvinder", "<p>Snart væk.</p>"))
                elif path == "/login":
                    self.send(200, _page("Log ind", "<form><input name='u'><input type='password' name='p'></form>"))
                elif path == "/wall":
                    self.send(302, b"", headers={"Location": "/login?next=/wall"})
                elif path == "/to-loopback":
                    self.send(302, b"", headers={"Location": site.state["other"]})
                elif path == "/leaky":
                    self.send(200, _page("Lækker side", f"<p>Billede udefra.</p><img src='{site.state['other']}'>"))
                else:
                    self.send(404, _page("Ikke fundet", "<p>Nej.</p>"))

        return Handler

    def start(self) -> Site:
        self.server = ThreadingHTTPServer((self.host, 0), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def running_site(host: str = "127.0.0.1"):
    site = Site(host).start()
    try:
        yield site
    finally:
        site.close()
