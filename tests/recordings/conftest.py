"""Recording requests: the demo guideline for the test organisation and a request factory.

guideline        the default guideline (demo.recordings) in force for Testkommune
make_request(…)  a request registered through the service, by the caseworker in
                 Børn og Familie unless told otherwise
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from demo.recordings import demo_guideline_seed
from recordings import services

SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
PERSONA_NAMES = ("manager", "other_manager", "caseworker", "other_caseworker", "union_rep", "admin", "outsider")


@pytest.fixture
def guideline(personas):
    return demo_guideline_seed(personas.org)


@pytest.fixture
def make_request(personas):
    def make(*, actor=None, unit=None, reasons=("memory_problems",), request_date: date | None = None, **fields):
        values = {
            "request_date": request_date or timezone.localdate(),
            "media": "audio",
            "setting": "meeting",
            "free_text": "Borgeren glemmer ofte aftaler.",
            "decision": "allowed",
            "conditions": "",
            "justification": "Borgeren har svært ved at huske.",
            "hidden_recording_discovered": False,
            "hidden_recording_note": "",
        }
        values.update(fields)
        return services.recording_request_register(
            actor=actor or personas.caseworker,
            unit=unit or personas.family,
            reasons=list(reasons),
            fields=values,
        )

    return make


def login(client, personas, name):
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def text(response) -> str:
    return response.content.decode()
