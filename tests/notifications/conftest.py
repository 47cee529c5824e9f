"""Helpers for the notification tests: incidents and mail backends."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _wired(settings, monkeypatch):
    settings.SITE_URL = "https://udh.test"
    # Each test starts with a broker that has not failed yet.
    monkeypatch.setattr("notifications.services._broker_paused_until", 0.0)


@pytest.fixture
def register(personas):
    """register(channel, actor=…, unit=…, targets=…, **features) → a saved incident."""
    from incidents.models import Incident
    from incidents.services import incident_register

    def do(
        channel: str = Incident.Channel.SELF_REPORT,
        *,
        actor=None,
        unit=None,
        targets=None,
        title="Hængt ud af Bent Borger på Facebook",
        now=None,
        **features,
    ):
        actor = actor or (personas.caseworker if channel == Incident.Channel.SELF_REPORT else personas.manager)
        unit = unit or personas.family
        if targets is None:
            targets = [personas.caseworker] if channel == Incident.Channel.MANAGER else []
        now = now or timezone.now()
        fields = {
            "title": title,
            "description": "Skrev at hun stjæler børn",
            "discovered_at": now,
            "perpetrator_name": "Bent Borger",
            **features,
        }
        return incident_register(actor=actor, unit=unit, channel=channel, fields=fields, targets=targets, now=now)

    return do
