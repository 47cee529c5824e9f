"""Capture time per page and memory of the capture worker (incidents.capture).

    .venv/bin/python -m bench.capture [--runs 3]

Serves the test site of the capture tests (tests/capture/site.py) on 127.0.0.1, opens it to
the capture with the test-only allow-list, and runs the function the "capture" worker runs
for each page (`incidents.capture.browser.capture_page`: Chromium, every request through the
address check, PNG with header band, PDF, MHTML, WARC, text) `--runs` times per page. A
sampling thread reads VmRSS of this process (the worker's Python side) and the PSS (shared pages
divided among the processes sharing them, so the sum is not inflated) of every Chromium process
of the capture (found by its temporary profile folder) every 50 ms.

Reported per page: median and slowest wall time, bytes stored, and the peak RSS of the
Python side and the peak PSS of the browser (all its processes together). Linux only (reads /proc).
Database writes of the task (evidence rows, manifest) are not included; they take
milliseconds beside the browser.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("/normal", "/redirect", "/changing", "/wall", "/huge", "/hang")


def _rss_kb(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int | str) -> int:
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _browser_rss_kb() -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if b"udh-capture-" not in handle.read():
                    continue
        except OSError:
            continue
        total += _pss_kb(entry)
    return total


class Sampler:
    def __init__(self) -> None:
        self.python_peak = 0
        self.browser_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.python_peak = max(self.python_peak, _rss_kb(os.getpid()))
            self.browser_peak = max(self.browser_peak, _browser_rss_kb())
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="captures per page (default 3)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udhaengning.settings.test")
    import django

    django.setup()
    import dataclasses

    from django.conf import settings

    from incidents.capture.browser import CaptureFailed, Limits, capture_page
    from tests.capture.site import running_site

    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    limits = dataclasses.replace(
        Limits.from_settings(), request_timeout=3.0, max_response_bytes=1024 * 1024, timeout=30.0
    )
    rows = []
    start_rss = _rss_kb(os.getpid())
    with running_site() as site:
        capture_page(site.url("/normal"), limits=limits)  # warm-up: imports, first browser start
        for path in PAGES:
            times, stored, outcome = [], 0, "ok"
            with Sampler() as sampler:
                for _run in range(args.runs):
                    started = time.monotonic()
                    try:
                        page = capture_page(site.url(path), limits=limits)
                        stored = sum(len(data) for data in page.files.values())
                    except CaptureFailed as exc:
                        outcome = f"refused: {str(exc)[:40]}"
                    times.append(time.monotonic() - started)
            rows.append(
                (path, statistics.median(times), max(times), stored, sampler.python_peak, sampler.browser_peak, outcome)
            )
    print(
        f"Capture benchmark: {args.runs} captures per page, Chromium {settings.CAPTURE_CHROMIUM_PATH}, "
        f"{os.cpu_count()} CPUs; Python RSS before the first capture {start_rss // 1024} MB.\n"
    )
    print("| page | median s | slowest s | stored | Python RSS peak | browser PSS peak | outcome |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for path, median, slowest, stored, py_kb, browser_kb, outcome in rows:
        print(
            f"| {path} | {median:.2f} | {slowest:.2f} | {stored // 1024} KB | {py_kb // 1024} MB "
            f"| {browser_kb // 1024} MB | {outcome} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
