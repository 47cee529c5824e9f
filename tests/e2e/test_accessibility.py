"""Accessibility walk (issue 17.7): every page, signed in as each persona, has no axe-core
violation at WCAG 2.1 A and AA (whatever the impact), and no page is wider than a 390 px
phone screen.

The pages are the project's URLs (tests/security/test_permission_matrix.py: every URL the
persona may GET and that answers HTML), plus the sign-in, password and two-factor pages.
axe-core comes from npm (test-tools/axe, `npm ci` by `make test`) and is injected into each
page; the page's Content-Security-Policy would block that script, so the browser context
bypasses CSP (the CSP itself is tested elsewhere).
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from incidents import services, sharing
from incidents.models import Incident
from tests.security.test_permission_matrix import EXPECTED, capture_of, concrete_url, project_routes
from tests.security.world import build_world, private_storage

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "test-tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_WIDTH = 390
WALKERS = ("anonymous", "manager", "caseworker", "union_rep", "admin")
# Pages outside the project's URLconf that people use (allauth).
ACCOUNT_PAGES = {
    "anonymous": ["/accounts/login/", "/accounts/password/reset/"],
    "signed_in": ["/accounts/password/change/", "/accounts/2fa/", "/accounts/2fa/totp/activate/"],
}


@pytest.fixture
def walk_world(personas, settings, tmp_path):
    """The security tests' world, shared with the union rep and confirmed as "Alvorlig" (the
    level 3 badge), plus an older critical case whose deadlines have run out (the overdue rows
    of the dashboard)."""
    private_storage(settings, tmp_path)
    world = build_world(personas)
    capture_of(world)
    sharing.incident_share(actor=personas.caseworker, incident=world.incident, union_rep=personas.union_rep)
    Incident.objects.filter(pk=world.incident.pk).update(
        confirmed_level=3, confirmed_by=personas.manager, confirmed_at=timezone.now()
    )
    services.incident_register(
        actor=personas.manager,
        unit=personas.family,
        channel=Incident.Channel.MANAGER,
        fields={
            "title": "Trussel i kommentarspor",
            "threat": True,
            "named": True,
            "discovered_at": timezone.now() - timedelta(days=20),
        },
        targets=[personas.caseworker],
        publications=[{"platform": "facebook"}],
    )
    return world


def _client(personas, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    return client


def html_pages(personas, world, persona: str) -> list[str]:
    """Every URL the persona may open that answers an HTML page."""
    client = _client(personas, persona)
    urls = []
    for name, _, pattern in project_routes():
        subject, expected = EXPECTED.get(name, (None, {}))
        if expected.get(persona) != 200:
            continue
        url = concrete_url(name, pattern, world, subject)
        response = client.get(url)
        if (
            response.status_code == 200
            and response["Content-Type"].startswith("text/html")
            and not response.get("Content-Disposition")
        ):
            urls.append(url)
    extra = ACCOUNT_PAGES["anonymous" if persona == "anonymous" else "signed_in"]
    return sorted(set(urls)) + [url for url in extra if client.get(url).status_code == 200]


@pytest.fixture
def browser_for(live_server, personas, browser):
    """Contexts of pytest-playwright's session browser (Debian's chromium, tests/conftest.py):
    a second sync_playwright() inside the same process would find its event loop running."""
    opened = []

    def context(persona: str, width: int):
        ctx = browser.new_context(
            bypass_csp=True, locale="da-DK", timezone_id="Europe/Copenhagen", viewport={"width": width, "height": 900}
        )
        opened.append(ctx)
        if persona != "anonymous":
            client = _client(personas, persona)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
        return ctx

    yield context
    for ctx in opened:
        with contextlib.suppress(Exception):  # a context the test closed already
            ctx.close()


# Swagger UI (/api/docs/) draws the API reference itself from its own script and styles, which we
# vendor unchanged: its colours and nested controls are its own, so axe checks the page around it.
THIRD_PARTY = [["#swagger-ui"]]


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async ([tags, exclude]) => await axe.run({exclude: exclude},
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [WCAG_21_AA, THIRD_PARTY],
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                " ".join(n["target"]) + " — " + n.get("failureSummary", "").replace("\n", " ")[:200]
                for n in v["nodes"][:4]
            ],
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("persona", WALKERS)
def test_every_page_has_no_wcag_21_aa_violations(browser_for, live_server, personas, walk_world, persona):
    assert AXE.exists(), "axe-core is missing: run `cd test-tools/axe && npm ci` (make test does)"
    urls = html_pages(personas, walk_world, persona)
    assert len(urls) >= 2
    page = browser_for(persona, 1280).new_page()
    found = {}
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        violations = _violations(page)
        if violations:
            found[url] = violations
    assert not found, f"{persona}: {len(found)} of {len(urls)} pages fail:\n" + json.dumps(
        found, indent=1, ensure_ascii=False
    )


@pytest.mark.parametrize("persona", WALKERS)
def test_no_page_is_wider_than_a_phone(browser_for, live_server, personas, walk_world, persona):
    urls = html_pages(personas, walk_world, persona)
    page = browser_for(persona, PHONE_WIDTH).new_page()
    too_wide = {}
    for url in urls:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            widest = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-responsive'))
                .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right))""",
                PHONE_WIDTH,
            )
            too_wide[url] = {"scrollWidth": width, "widest": widest}
    assert not too_wide, f"{persona}: pages wider than {PHONE_WIDTH} px:\n" + json.dumps(
        too_wide, indent=1, ensure_ascii=False
    )


def test_self_report_says_ring_112_before_the_submit_button_on_a_phone(browser_for, live_server, personas):
    page = browser_for("caseworker", PHONE_WIDTH).new_page()
    page.goto(live_server.url + _self_report_url())
    danger = page.get_by_text("Er du i fare lige nu, så ring 112.")
    submit = page.get_by_role("button", name="Send til min leder")
    assert danger.count() == 1
    assert danger.bounding_box()["y"] < submit.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def _self_report_url() -> str:
    from django.urls import reverse

    return reverse("incidents:self_report")
