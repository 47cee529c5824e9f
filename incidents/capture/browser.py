"""Drive headless Chromium (Playwright) to capture one page. Plain Python: no ORM, no request.

`capture_page(url, limits=..., probe=False)` returns a `PageCapture`:
    the final URL after redirects, the HTTP status and headers of the page, the redirect chain,
    the capture time (the system's clock, UTC, taken when the page had loaded), the visible
    text, and (unless `probe`) the files: a full-page PNG with the URL and time in a header band,
    a PDF print, the page as MHTML (CDP Page.captureSnapshot) and a WARC of every request.
It raises `CaptureFailed` (Danish message) when the page itself cannot be captured.

Safety: every request of the page goes through `fetch.fetch` (public addresses only, limits);
the browser's own resolver resolves nothing, so a request that escaped the route (a
WebSocket, a prefetch) fails. The browser gets a fresh temporary profile, an environment
without the app's settings or secrets, and is killed when the time limit runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import shutil
import signal
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

from . import fetch as fetching
from . import ssrf

logger = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # Resolve nothing: every request must come through the route (incidents.capture.fetch).
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
VIEWPORT = {"width": 1280, "height": 900}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
LOGIN_PLATFORMS = ("facebook.com", "instagram.com", "linkedin.com", "x.com", "twitter.com", "tiktok.com", "threads.net")
LOGIN_WORDS = ("login", "log-in", "signin", "sign-in", "checkpoint", "accounts/login", "authwall", "auth")


class CaptureFailed(Exception):
    """The page could not be captured; str(exc) is a Danish reason for the manager."""


@dataclass(frozen=True)
class Limits:
    chromium_path: str
    timeout: float
    request_timeout: float
    max_response_bytes: int
    max_total_bytes: int
    max_requests: int
    max_redirects: int
    max_screenshot_height: int
    max_pdf_pages: int

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        mb = 1024 * 1024
        return cls(
            chromium_path=settings.CAPTURE_CHROMIUM_PATH,
            timeout=float(settings.CAPTURE_TIMEOUT_SECONDS),
            request_timeout=float(settings.CAPTURE_REQUEST_TIMEOUT_SECONDS),
            max_response_bytes=settings.CAPTURE_MAX_RESPONSE_MB * mb,
            max_total_bytes=settings.CAPTURE_MAX_TOTAL_MB * mb,
            max_requests=settings.CAPTURE_MAX_REQUESTS,
            max_redirects=settings.CAPTURE_MAX_REDIRECTS,
            max_screenshot_height=settings.CAPTURE_MAX_SCREENSHOT_HEIGHT,
            max_pdf_pages=settings.CAPTURE_MAX_PDF_PAGES,
        )


@dataclass
class PageCapture:
    requested_url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[dict] = field(default_factory=list)
    captured_at: datetime | None = None
    text: str = ""
    login_required: bool = False
    files: dict[str, bytes] = field(default_factory=dict)  # role -> bytes
    notes: list[str] = field(default_factory=list)  # sub-requests refused or cut off
    requests: int = 0
    bytes_fetched: int = 0
    duration_ms: int = 0

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(normalised_text(self.text).encode()).hexdigest()


def normalised_text(text: str) -> str:
    """Visible text with runs of white space folded, so a re-check compares content, not layout."""
    return "\n".join(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())


def capture_page(url: str, *, limits: Limits, probe: bool = False) -> PageCapture:
    """Capture `url` (see the module docstring). Runs its own event loop; call from a worker thread."""
    return asyncio.run(_capture_with_deadline(url, limits=limits, probe=probe))


async def _capture_with_deadline(url: str, *, limits: Limits, probe: bool) -> PageCapture:
    ssrf.check_url(url)  # refuse before starting a browser at all
    profile = tempfile.mkdtemp(prefix="udh-capture-")
    try:
        return await asyncio.wait_for(
            _capture(url, limits=limits, probe=probe, profile=profile), timeout=limits.timeout
        )
    except TimeoutError as exc:
        raise CaptureFailed(
            _("siden blev ikke færdig inden for %(s)s sekunder; browseren er stoppet.") % {"s": int(limits.timeout)}
        ) from exc
    finally:
        kill_browser_processes(profile)
        shutil.rmtree(profile, ignore_errors=True)


def kill_browser_processes(profile: str) -> int:
    """SIGKILL every process started with our temporary profile folder (each by its pid)."""
    killed = 0
    marker = profile.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if marker in cmdline:
            with contextlib.suppress(OSError):
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
    return killed


class _Recorder:
    """Writes a WARC (uncompressed) of every request fetched and every response given to the browser."""

    def __init__(self, url: str) -> None:
        from warcio.warcwriter import WARCWriter

        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=False)  # evidence refuses gzip (archives)
        info = self.writer.create_warcinfo_record(
            "capture.warc",
            {
                "software": "udhaengning incidents.capture (Playwright + Chromium, warcio)",
                "format": "WARC File Format 1.1",
                "isPartOf": url,
            },
        )
        self.writer.write_record(info)

    def record(self, method: str, headers: dict[str, str], body: bytes | None, result: fetching.FetchResult) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        parts = urlsplit(result.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(
            f"{method} {target} HTTP/1.1",
            [("Host", parts.netloc)] + [(k, v) for k, v in headers.items() if not k.startswith(":")],
            is_http_request=True,
        )
        response_headers = StatusAndHeaders(
            f"{result.status} {result.reason}".strip(),
            result.headers + [("Content-Length", str(len(result.body)))],
            protocol=result.http_version,
        )
        response = self.writer.create_warc_record(
            result.url,
            "response",
            payload=io.BytesIO(result.body),
            http_headers=response_headers,
            warc_headers_dict={"WARC-IP-Address": result.address},
        )
        request = self.writer.create_warc_record(
            result.url, "request", payload=io.BytesIO(body or b""), http_headers=request_headers
        )
        self.writer.write_request_response_pair(request, response)

    def getvalue(self) -> bytes:
        return self.buffer.getvalue()


async def _capture(url: str, *, limits: Limits, probe: bool, profile: str) -> PageCapture:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    started = time.monotonic()
    result = PageCapture(requested_url=url)
    budget = fetching.Budget(
        max_response_bytes=limits.max_response_bytes,
        max_total_bytes=limits.max_total_bytes,
        max_requests=limits.max_requests,
        request_timeout=limits.request_timeout,
    )
    recorder = None if probe else _Recorder(url)
    main: dict[str, fetching.FetchResult] = {}
    failure: list[str] = []
    redirect_to: list[str] = []
    loop = asyncio.get_running_loop()

    async def route(route_obj, request):
        is_main = request.is_navigation_request() and request.frame.parent_frame is None
        req_url = request.url
        if not req_url.startswith(("http://", "https://")):
            await route_obj.continue_()  # data: and blob: URLs never leave the browser
            return
        headers = await request.all_headers()
        body = request.post_data_buffer
        try:
            fetched = await loop.run_in_executor(
                None,
                lambda: _fetch_following(
                    req_url,
                    method=request.method,
                    headers=headers,
                    body=body,
                    budget=budget,
                    follow=0 if is_main else limits.max_redirects,
                ),
            )
        except ssrf.Refused as exc:
            note = _("Ikke hentet: %(url)s (%(reason)s)") % {"url": req_url, "reason": exc}
            (failure if is_main else result.notes).append(str(exc) if is_main else note)
            await route_obj.abort("blockedbyclient")
            return
        except fetching.LimitReached as exc:
            (failure if is_main else result.notes).append(str(exc))
            await route_obj.abort("blockedbyclient")
            return
        except Exception as exc:  # noqa: BLE001 - time-outs, refused connections, TLS errors
            logger.info("Capture fetch of %s failed: %s", req_url, exc)
            reason = (
                _("siden svarede ikke inden for %(s)s sekunder.") % {"s": int(limits.request_timeout)}
                if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()
                else _("siden kunne ikke hentes (%(error)s).") % {"error": type(exc).__name__}
            )
            (failure if is_main else result.notes).append(
                reason if is_main else _("Ikke hentet: %(url)s (%(reason)s)") % {"url": req_url, "reason": reason}
            )
            await route_obj.abort("timedout" if "time" in reason else "failed")
            return
        if recorder is not None:
            recorder.record(request.method, headers, body, fetched)
        if is_main:
            if fetched.truncated:
                failure.append(
                    _("siden er større end grænsen på %(mb)s MB og er ikke sikret.")
                    % {"mb": limits.max_response_bytes // (1024 * 1024)}
                )
                await route_obj.abort("blockedbyclient")
                return
            main[req_url] = fetched
            if 300 <= fetched.status < 400 and fetched.header("location"):
                # The browser would follow a redirect without asking the route again: the
                # navigation is stopped here and `_capture` opens the new address itself.
                location = urljoin(req_url, fetched.header("location"))
                result.redirects.append({"url": req_url, "status": fetched.status, "location": location})
                redirect_to.append(location)
                await route_obj.abort("aborted")
                return
        elif fetched.truncated:
            result.notes.append(_("Afkortet: %(url)s (større end grænsen)") % {"url": req_url})
        await route_obj.fulfill(status=fetched.status, headers=dict(fetched.headers), body=fetched.body)

    browser_env = {
        "HOME": profile,
        "XDG_CONFIG_HOME": profile,
        "XDG_CACHE_HOME": profile,
        "TMPDIR": profile,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=limits.chromium_path,
            args=CHROMIUM_ARGS,
            headless=True,
            env=browser_env,
            viewport=VIEWPORT,
            service_workers="block",
            accept_downloads=False,
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
        )
        try:
            await context.route("**/*", route)
            page = context.pages[0] if context.pages else await context.new_page()
            target = url
            while True:
                redirect_to.clear()
                try:
                    response = await page.goto(target, wait_until="load", timeout=limits.timeout * 1000)
                except PlaywrightError as exc:
                    if failure:
                        raise CaptureFailed(failure[0]) from exc
                    if not redirect_to:
                        raise CaptureFailed(
                            _("siden kunne ikke åbnes (%(error)s).") % {"error": str(exc).splitlines()[0][:200]}
                        ) from exc
                if failure and response is None:
                    raise CaptureFailed(failure[0])
                if not redirect_to:
                    break
                if len(result.redirects) > limits.max_redirects:
                    raise CaptureFailed(_("siden videresendte mere end %(n)s gange.") % {"n": limits.max_redirects})
                target = redirect_to[-1]
            with contextlib.suppress(PlaywrightError):
                await page.wait_for_load_state("networkidle", timeout=3000)
            result.captured_at = datetime.now(UTC).replace(microsecond=0)
            result.final_url = page.url
            fetched = main.get(page.url) or (main.get(response.url) if response else None)
            if fetched is not None:
                result.status = fetched.status
                result.headers = {k.lower(): v for k, v in fetched.headers}
            elif response is not None:
                result.status = response.status
                result.headers = await response.all_headers()
            try:
                result.text = await page.inner_text("body", timeout=5000)
            except PlaywrightError:
                result.text = ""
            has_password = await page.locator("input[type=password]").count() > 0
            result.login_required = looks_like_login(url, result.final_url, result.status, has_password)
            if not probe:
                result.files["screenshot"] = stamp_header(
                    await _screenshot(page, limits), url=url, final_url=result.final_url, captured_at=result.captured_at
                )
                result.files["pdf"] = await page.pdf(print_background=True, page_ranges=f"1-{limits.max_pdf_pages}")
                cdp = await context.new_cdp_session(page)
                snapshot = await cdp.send("Page.captureSnapshot", {"format": "mhtml"})
                result.files["mhtml"] = snapshot["data"].encode()
                result.files["text"] = (normalised_text(result.text) + "\n").encode()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.close(), timeout=10)
    if recorder is not None:
        result.files["warc"] = recorder.getvalue()
    result.requests = budget.requests
    result.bytes_fetched = budget.total_bytes
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _fetch_following(
    url: str, *, method: str, headers: dict, body: bytes | None, budget: fetching.Budget, follow: int
) -> fetching.FetchResult:
    """fetch.fetch, following up to `follow` redirects (each new address checked again)."""
    fetched = fetching.fetch(url, method=method, headers=headers, body=body, budget=budget)
    for _hop in range(follow):
        location = fetched.header("location")
        if not (300 <= fetched.status < 400 and location):
            break
        url = urljoin(url, location)
        fetched = fetching.fetch(url, method="GET", headers=headers, budget=budget)
    return fetched


async def _screenshot(page, limits: Limits) -> bytes:
    height = await page.evaluate(
        "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
    )
    if height and height > limits.max_screenshot_height:
        return await page.screenshot(
            full_page=True,
            type="png",
            clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": limits.max_screenshot_height},
        )
    return await page.screenshot(full_page=True, type="png")


def looks_like_login(requested: str, final: str, status: int | None, has_password_field: bool) -> bool:
    """Did the page answer with a login wall instead of the content?"""
    if status in (401, 407):
        return True
    final_parts, requested_parts = urlsplit(final or requested), urlsplit(requested)
    final_path = (final_parts.path + "?" + final_parts.query).lower()
    moved_to_login = any(word in final_path for word in LOGIN_WORDS) and not any(
        word in (requested_parts.path + "?" + requested_parts.query).lower() for word in LOGIN_WORDS
    )
    host = (final_parts.hostname or "").lower()
    on_platform = any(host == p or host.endswith("." + p) for p in LOGIN_PLATFORMS)
    return moved_to_login or (has_password_field and on_platform)


def stamp_header(png: bytes, *, url: str, final_url: str, captured_at: datetime) -> bytes:
    """The screenshot with a header band above it: the URL(s) and the capture time (UTC)."""
    from PIL import Image, ImageDraw, ImageFont

    shot = Image.open(io.BytesIO(png)).convert("RGB")
    try:
        font, bold = ImageFont.truetype(FONT, 15), ImageFont.truetype(FONT_BOLD, 16)
    except OSError:
        font = bold = ImageFont.load_default()
    width = shot.width
    chars = max(40, (width - 32) // 9)
    lines = [(bold, "Sikret af systemet " + captured_at.strftime("%Y-%m-%d %H:%M:%S UTC"))]
    lines += [(font, part) for part in textwrap.wrap("URL: " + url, chars)]
    if final_url and final_url != url:
        lines += [(font, part) for part in textwrap.wrap("Endelig URL: " + final_url, chars)]
    band = 16 + 22 * len(lines)
    out = Image.new("RGB", (width, shot.height + band), (255, 255, 255))
    draw = ImageDraw.Draw(out)
    draw.rectangle([0, 0, width, band - 1], fill=(25, 42, 86))
    y = 8
    for face, line in lines:
        draw.text((16, y), line, fill=(255, 255, 255), font=face)
        y += 22
    out.paste(shot, (0, band))
    buffer = io.BytesIO()
    out.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
