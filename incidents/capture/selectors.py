"""Reads the capture pages, the incident page and the bundles share."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Capture, CaptureFile, TimestampToken, Watch


def captures_of(incident):
    return (
        Capture.objects.filter(incident=incident)
        .select_related("publication", "requested_by")
        .prefetch_related(
            Prefetch("files", queryset=CaptureFile.objects.select_related("evidence")),
            Prefetch("tokens", queryset=TimestampToken.objects.order_by("id")),
        )
        .order_by("-requested_at", "-id")
    )


def watches_of(incident) -> dict[str, Watch]:
    return {w.url: w for w in Watch.objects.filter(incident=incident)}


def capture_rows(incident) -> list[dict]:
    """Each capture with its files, tokens, timestamp label and watch, for the templates."""
    from .services import timestamp_label

    watches = watches_of(incident)
    rows = []
    for capture in captures_of(incident):
        tokens = list(capture.tokens.all())
        rows.append(
            {
                "capture": capture,
                "files": list(capture.files.all()),
                "tokens": tokens,
                "good_tokens": [t for t in tokens if t.ok],
                "timestamp_label": timestamp_label(capture, tokens),
                "watch": watches.get(capture.url),
            }
        )
    return rows


def capture_card(incident, *, limit: int = 3) -> dict:
    captures = list(Capture.objects.filter(incident=incident).order_by("-requested_at", "-id")[:limit])
    return {"latest": captures, "watches": list(Watch.objects.filter(incident=incident, active=True))}
