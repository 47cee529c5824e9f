"""Re-check captured pages until the incident is closed.

    watch_due(now=None) -> list[int]    the watches to check now, within each organisation's
                                        daily cap; each is moved to its next slot at once (the
                                        beat task enqueues one check per id)
    watch_check(watch_id, now=None) -> WatchCheck | None
                                        open the page (no files), compare status, final URL and
                                        the hash of the visible text with the last check

Outcomes: the page is gone (404/410/451, or the host name no longer exists) → "Fjernet";
gone and now answering again → "Tilgængelig igen"; different visible text or final URL →
"Ændret". Each becomes a timeline entry and a notification to the managers over the unit;
"Fjernet" also meets the takedown check (incidents.deadlines, `content_removed`). A change of
state resets the interval to CAPTURE_WATCH_MIN_MINUTES; no change doubles it, up to
CAPTURE_WATCH_MAX_MINUTES. A check that could not be made (time-out) changes nothing but
backs off too. A closed incident stops its watches.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident, TimelineEntry

from . import browser, ssrf
from .models import Watch, WatchCheck

logger = logging.getLogger(__name__)

GONE_STATUSES = frozenset({404, 410, 451})
TIMELINE_KIND = {
    WatchCheck.Outcome.REMOVED: TimelineEntry.Kind.PAGE_REMOVED,
    WatchCheck.Outcome.CHANGED: TimelineEntry.Kind.PAGE_CHANGED,
    WatchCheck.Outcome.BACK: TimelineEntry.Kind.PAGE_BACK,
}


def _start_of_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def watches_stop_closed() -> int:
    return Watch.objects.filter(active=True, incident__status=Incident.Status.CLOSED).update(
        active=False, stopped_reason="incident_closed"
    )


def watch_due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    watches_stop_closed()
    cap = settings.CAPTURE_WATCH_DAILY_CAP
    used = dict(
        WatchCheck.objects.filter(checked_at__gte=_start_of_day(now))
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    chosen: list[int] = []
    with transaction.atomic():
        due = list(
            Watch.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_check_at__lte=now)
            .order_by("next_check_at", "id")[:1000]
        )
        organisation_of = dict(
            Incident.objects.filter(pk__in={w.incident_id for w in due}).values_list("pk", "unit__organisation_id")
        )
        for watch in due:
            org = organisation_of[watch.incident_id]
            if used.get(org, 0) >= cap:
                continue  # tomorrow's cap; the watch keeps its slot and goes first then
            used[org] = used.get(org, 0) + 1
            # Reserve the slot now, so a second beat tick does not enqueue the same check.
            watch.next_check_at = now + timedelta(minutes=watch.interval_minutes)
            watch.save(update_fields=["next_check_at"])
            chosen.append(watch.pk)
    return chosen


def _outcome(watch: Watch, *, gone: bool, status: int | None, final_url: str, text_sha256: str) -> str:
    if watch.state == Watch.State.REMOVED:
        return (
            WatchCheck.Outcome.BACK
            if (not gone and status is not None and status < 400)
            else WatchCheck.Outcome.STILL_REMOVED
        )
    if gone:
        return WatchCheck.Outcome.REMOVED
    if text_sha256 != watch.last_text_sha256 or (final_url and final_url != watch.last_final_url):
        return WatchCheck.Outcome.CHANGED
    return WatchCheck.Outcome.UNCHANGED


def watch_check(watch_id: int, *, now: datetime | None = None, limits: browser.Limits | None = None):
    watch = Watch.objects.select_related("incident", "incident__unit", "publication").filter(pk=watch_id).first()
    if watch is None or not watch.active:
        return None
    if not watch.incident.is_open:
        Watch.objects.filter(pk=watch.pk).update(active=False, stopped_reason="incident_closed")
        return None
    status, final_url, text_sha, error, gone = None, "", "", "", False
    try:
        page = browser.capture_page(watch.url, limits=limits or browser.Limits.from_settings(), probe=True)
        status, final_url, text_sha = page.status, page.final_url, page.text_sha256
        gone = status in GONE_STATUSES
    except ssrf.Refused as exc:
        error = str(exc)
        gone = "findes ikke" in error  # the host name is gone; an internal address is not "removed"
        if not gone:
            logger.warning("Watch %s refused: %s", watch.pk, exc)
    except browser.CaptureFailed as exc:
        error = str(exc)
    now = now or timezone.now()
    if error and not gone:
        outcome = WatchCheck.Outcome.ERROR
    else:
        outcome = _outcome(watch, gone=gone, status=status, final_url=final_url, text_sha256=text_sha)
    return _record(watch, outcome=outcome, status=status, final_url=final_url, text_sha=text_sha, error=error, now=now)


def _record(watch: Watch, *, outcome: str, status, final_url: str, text_sha: str, error: str, now: datetime):
    from ..notify import on_page_watch

    changed_state = outcome in TIMELINE_KIND
    minimum, maximum = settings.CAPTURE_WATCH_MIN_MINUTES, settings.CAPTURE_WATCH_MAX_MINUTES
    interval = minimum if changed_state else min(maximum, max(minimum, watch.interval_minutes * 2))
    with transaction.atomic():
        check = WatchCheck.objects.create(
            watch=watch,
            organisation_id=watch.incident.unit.organisation_id,
            checked_at=now,
            http_status=status,
            final_url=final_url[:2000],
            text_sha256=text_sha,
            outcome=outcome,
            error=error[:2000],
        )
        watch.last_checked_at = now
        watch.checks += 1
        watch.interval_minutes = interval
        watch.next_check_at = now + timedelta(minutes=interval)
        if outcome != WatchCheck.Outcome.ERROR:
            watch.last_http_status = status
            if final_url:
                watch.last_final_url = final_url[:2000]
            if text_sha:
                watch.last_text_sha256 = text_sha
        if outcome == WatchCheck.Outcome.REMOVED:
            watch.state = Watch.State.REMOVED
        elif outcome == WatchCheck.Outcome.BACK:
            watch.state = Watch.State.ONLINE
            watch.changed_since_capture = text_sha != (watch.capture.text_sha256 if watch.capture else "")
        elif outcome == WatchCheck.Outcome.CHANGED:
            watch.changed_since_capture = True
        watch.save()
        if changed_state:
            label = WatchCheck.Outcome(outcome).label
            TimelineEntry.objects.create(
                incident=watch.incident,
                actor=None,
                kind=TIMELINE_KIND[outcome],
                occurred_on=timezone.localdate(now),
                visible_to_employee=True,
                text=_("%(label)s: %(url)s (HTTP %(status)s)")
                % {"label": label, "url": watch.url, "status": status or "–"},
            )
            if watch.publication_id and outcome in (WatchCheck.Outcome.REMOVED, WatchCheck.Outcome.BACK):
                watch.publication.still_online = outcome == WatchCheck.Outcome.BACK
                watch.publication.save(update_fields=["still_online"])
            on_page_watch(watch.incident, check)
    return check
