"""The outbox: who is told what, written in the transaction of the event that causes it.

Event functions (called by the services of other apps, inside their transaction):

    on_incident_registered(incident)   self-report → managers; by a manager → the employee;
                                       level 3–4 → union reps, anonymised (if allowed)
    on_incident_assessed(incident)     level 3–4 → union reps (once per incident)
    on_status_changed(incident, entry) → the employee concerned
    on_note_shared(note)               a shared note → the employee (never an internal one)
    on_report_finished(report, ok)     → the person who asked for the report
    on_incident_shared(share)          → the union rep it was shared with

Scheduled work (Celery tasks in notifications/tasks.py call these):

    reminders_due(now)       deadlines of DOMAIN.md 4.4, before and when due → managers
    retention_warnings_send(items)  closed incidents deleted within 30 days → managers
                             (items from incidents.retention; run by the nightly purge task)
    digest_weekly(now)       open incidents and coming deadlines → each manager
    notification_sweep(now)  re-enqueue e-mail rows left pending or with a lapsed lease
    notification_deliver(id) claim, send, mark; a row is sent at most once per claim

Every notification is one in-app row (always) and one e-mail row (when the recipient has
an address and e-mail on for the kind). `key` is unique, so an event that is reported
twice notifies once; `notifications_enqueue_bulk` writes many in a fixed number of
queries. Messages carry references, units, levels, statuses and deadlines only: never an
incident's title, description, names or the text of a note.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import Membership, Role, Unit, User
from accounts.tree import UnitTree

from . import delivery
from .models import Channel, Kind, Notification, Preference, State

logger = logging.getLogger(__name__)

INCIDENT_TYPE = "incidents.incident"
UNIT_TYPE = "accounts.unit"

# Kinds shown on the preferences page, by the roles that receive them.
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.MANAGER: (Kind.SELF_REPORT, Kind.DEADLINE_REMINDER, Kind.WEEKLY_DIGEST, Kind.REPORT_READY,
                   Kind.REPORT_FAILED, Kind.RETENTION_WARNING, Kind.PAGE_WATCH),
    Role.CASEWORKER: (Kind.INCIDENT_REGISTERED, Kind.STATUS_CHANGED, Kind.NOTE_SHARED),
    Role.UNION_REP: (Kind.SERIOUS_INCIDENT, Kind.INCIDENT_SHARED),
    Role.ADMIN: (Kind.ADMIN_ALERT,),
}

SERIOUS_LEVEL = 3


# --- Preferences ------------------------------------------------------------------------

def kinds_for(user) -> list[str]:
    """The kinds a user can receive, from their roles (for the preferences page)."""
    held = permissions.roles(user)
    return [kind for kind in Kind.values if any(kind in KINDS_BY_ROLE.get(role, ()) for role in held)]


def email_enabled(user, kind: str) -> bool:
    """E-mail is on unless the user turned it off for this kind."""
    return not Preference.objects.filter(user=user, kind=kind, email=False).exists()


def preferences_set(*, user, email_by_kind: dict[str, bool]) -> None:
    """Store the user's e-mail choice per kind."""
    with transaction.atomic():
        for kind, on in email_by_kind.items():
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": bool(on)})


# --- Writing to the outbox --------------------------------------------------------------

def notification_enqueue(
    *,
    recipient,
    kind: str,
    key: str,
    organisation_id: int,
    template: str,
    context: dict,
    incident=None,
    about_incident_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    target_url: str = "",
) -> list[Notification]:
    """Write the in-app row and, if wanted, the e-mail row for one recipient of one event.

    Runs in the caller's transaction. Returns the rows created; an empty list when this
    event already notified this recipient (the key exists). The e-mail row is handed to
    Celery only after commit; if that fails the sweep picks the row up later.
    """
    if not (recipient.is_active and recipient.pk):
        return []
    created: list[Notification] = []
    common = {
        "organisation_id": organisation_id, "recipient": recipient, "kind": kind, "incident": incident,
        "about_incident_id": about_incident_id if about_incident_id is not None else getattr(incident, "pk", None),
        "object_type": object_type or (INCIDENT_TYPE if incident is not None else ""),
        "object_id": object_id or (str(incident.pk) if incident is not None else ""),
        "target_url": target_url,
    }
    context = {**context, "recipient_name": recipient.first_name or recipient.get_username()}

    in_app = _insert(key=f"{key}:{Channel.IN_APP}", channel=Channel.IN_APP, template=template,
                     context=context, in_app=True, state=State.SENT, sent_at=timezone.now(), **common)
    if in_app is None:
        return created
    created.append(in_app)

    if recipient.email and email_enabled(recipient, kind):
        open_url = delivery.site_url() + reverse("notifications:open", args=[in_app.pk])
        email = _insert(key=f"{key}:{Channel.EMAIL}", channel=Channel.EMAIL, template=template,
                        context={**context, "open_url": open_url}, in_app=False, state=State.PENDING,
                        next_attempt_at=timezone.now(), **common)
        if email is not None:
            created.append(email)
            transaction.on_commit(lambda pk=email.pk: enqueue_delivery(pk))
    return created


@dataclass(frozen=True)
class Message:
    """One event for one recipient: the arguments of notification_enqueue, for the bulk version."""

    recipient: User
    kind: str
    key: str
    organisation_id: int
    template: str
    context: dict = field(hash=False)
    incident: object = None
    object_type: str = ""
    object_id: str = ""
    target_url: str = ""


BULK_BATCH_SIZE = 500


def notifications_enqueue_bulk(messages: Iterable[Message]) -> list[Notification]:
    """notification_enqueue for many messages in a fixed number of queries, for scheduled work:
    which keys exist (one query), who turned e-mail off (one), then the in-app rows and the
    e-mail rows in bulk inserts (one each per BULK_BATCH_SIZE rows), in one transaction.

    Returns the rows created; keys that exist are skipped, so a rerun writes nothing. If a
    concurrent run wrote one of the same keys meanwhile, the bulk insert is undone and the
    messages go one at a time through notification_enqueue, which skips the ones that exist."""
    wanted: dict[str, Message] = {}
    for message in messages:
        if message.recipient.is_active and message.recipient.pk:
            wanted.setdefault(message.key, message)
    done = _existing_keys([f"{key}:{Channel.IN_APP}" for key in wanted]) if wanted else set()
    todo = [message for key, message in wanted.items() if f"{key}:{Channel.IN_APP}" not in done]
    if not todo:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:  # the e-mail link needs the in-app id
        return _enqueue_one_by_one(todo)
    email_off = set(
        Preference.objects.filter(user_id__in={m.recipient.pk for m in todo}, kind__in={m.kind for m in todo},
                                  email=False).values_list("user_id", "kind")
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            in_app = Notification.objects.bulk_create(
                [_row(message, channel=Channel.IN_APP, in_app=True, state=State.SENT, sent_at=now)
                 for message in todo],
                batch_size=BULK_BATCH_SIZE,
            )
            emails = Notification.objects.bulk_create(
                [
                    _row(message, channel=Channel.EMAIL, in_app=False, state=State.PENDING, next_attempt_at=now,
                         open_url=delivery.site_url() + reverse("notifications:open", args=[row.pk]))
                    for message, row in zip(todo, in_app, strict=True)
                    if message.recipient.email and (message.recipient.pk, message.kind) not in email_off
                ],
                batch_size=BULK_BATCH_SIZE,
            )
            for email in emails:
                transaction.on_commit(lambda pk=email.pk: enqueue_delivery(pk))
    except IntegrityError:
        logger.info("Some of %s notifications were written meanwhile; writing them one at a time", len(todo))
        return _enqueue_one_by_one(todo)
    return [*in_app, *emails]


def _row(message: Message, *, channel: str, in_app: bool, open_url: str = "", **fields) -> Notification:
    recipient = message.recipient
    context = {**message.context, "recipient_name": recipient.first_name or recipient.get_username()}
    if open_url:
        context["open_url"] = open_url
    rendered = delivery.render(message.template, context, in_app=in_app)
    incident = message.incident
    return Notification(
        key=f"{message.key}:{channel}", channel=channel, organisation_id=message.organisation_id,
        recipient=recipient, kind=message.kind, incident=incident,
        object_type=message.object_type or (INCIDENT_TYPE if incident is not None else ""),
        object_id=message.object_id or (str(incident.pk) if incident is not None else ""),
        target_url=message.target_url, subject=rendered.subject, body=rendered.text, body_html=rendered.html,
        **fields,
    )


def _enqueue_one_by_one(messages: list[Message]) -> list[Notification]:
    created: list[Notification] = []
    for message in messages:
        with transaction.atomic():
            created += notification_enqueue(
                recipient=message.recipient, kind=message.kind, key=message.key,
                organisation_id=message.organisation_id, template=message.template, context=message.context,
                incident=message.incident, object_type=message.object_type, object_id=message.object_id,
                target_url=message.target_url,
            )
    return created


def _insert(*, key: str, template: str, context: dict, in_app: bool, **fields) -> Notification | None:
    if Notification.objects.filter(key=key).exists():
        return None
    rendered = delivery.render(template, context, in_app=in_app)
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate loses quietly
            return Notification.objects.create(
                key=key, subject=rendered.subject, body=rendered.text, body_html=rendered.html, **fields
            )
    except IntegrityError:
        return None


# Publishing gives up quickly: the row is safe in the outbox and the sweep sends it later.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# After a failed enqueue this process leaves the broker alone for a while (rows stay
# pending for the sweep), so a request that notifies many people waits for a dead broker
# once, not once per row.
BROKER_PAUSE_SECONDS = 10.0
_broker_paused_until = 0.0


def enqueue_delivery(notification_id: int, *, force: bool = False) -> bool:
    """Hand one e-mail row to Celery. Never raises: a broker that is down is logged, and
    the row stays pending for the sweep. `force` ignores the pause after a failure."""
    global _broker_paused_until
    from .tasks import deliver_notification

    if not force and time.monotonic() < _broker_paused_until:
        logger.warning("Broker unreachable a moment ago; notification %s is left for the sweep", notification_id)
        return False
    try:
        deliver_notification.apply_async(args=[notification_id], retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - any broker failure must not reach the user
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Could not enqueue notification %s; the sweep will retry it", notification_id,
                       exc_info=True)
        return False
    _broker_paused_until = 0.0
    return True


# --- Delivering -------------------------------------------------------------------------

class DeliveryFailed(Exception):
    """Sending failed and the row is pending again: the task retries with backoff."""


def lease_seconds() -> int:
    """How long a claim holds a row; longer than the delivery task's hard time limit."""
    return int(getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 120))


def notification_claim(notification_id: int, *, now: datetime | None = None) -> bool:
    """Take the row for sending: one atomic UPDATE, so two workers never both win.

    A row can be taken when it is pending, or when it is `sending` but the worker that
    took it stopped (its lease ran out).
    """
    now = now or timezone.now()
    return bool(
        Notification.objects.filter(pk=notification_id, channel=Channel.EMAIL)
        .filter(Q(state=State.PENDING) | Q(state=State.SENDING, lease_until__lt=now))
        .update(state=State.SENDING, lease_until=now + timedelta(seconds=lease_seconds()),
                attempts=F("attempts") + 1)
    )


def _skip_reason(notification: Notification) -> str:
    if notification.object_type == INCIDENT_TYPE and notification.incident_id is None:
        return "the incident no longer exists"
    recipient = notification.recipient
    if not recipient.is_active:
        return "the recipient is no longer active"
    if not recipient.email:
        return "the recipient has no e-mail address"
    if not email_enabled(recipient, notification.kind):
        return "the recipient turned e-mail off for this kind"
    if notification.kind == Kind.RETENTION_WARNING and not _still_due_for_deletion(notification.incident_id):
        return "the incident is no longer due for deletion (legal hold set or reopened)"
    return ""


def _still_due_for_deletion(incident_id: int | None) -> bool:
    from incidents.models import Incident

    return Incident.objects.filter(pk=incident_id, status=Incident.Status.CLOSED, legal_hold=False).exists()


def notification_deliver(
    notification_id: int,
    *,
    max_attempts: int = 6,
    retry_window: Callable[[int], timedelta] = lambda attempts: timedelta(minutes=5),
    now: datetime | None = None,
) -> str:
    """Claim, send and mark one e-mail row. Returns what happened:

    - "noop": the row is gone, already sent/failed/skipped, or another worker holds it;
    - "skipped": nothing to send to (incident deleted, no address, e-mail turned off);
    - "sent";
    - "failed": the last attempt failed; the error is on the row for the admin.

    A failed attempt before the last puts the row back to pending (with the error and the
    time after which the sweep may take it) and raises DeliveryFailed for Celery to retry.
    `retry_window(attempts)` is the longest the task's own retry may wait.
    """
    now = now or timezone.now()
    if not notification_claim(notification_id, now=now):
        logger.info("Notification %s is not waiting to be sent; nothing to do", notification_id)
        return "noop"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, state=State.SENDING)

    reason = _skip_reason(notification)
    if reason:
        logger.warning("Notification %s skipped: %s", notification_id, reason)
        mine.update(state=State.SKIPPED, last_error=reason, lease_until=None)
        return "skipped"

    # The window for a duplicate is between the server's "250 accepted" after DATA and the
    # UPDATE below: the connection (and TLS, login) is opened before, QUIT is said after,
    # so nothing but the DATA reply lies between the hand-off and the record of it.
    connection = None
    try:
        connection = delivery.open_connection()
        delivery.send_email(notification, notification.recipient.email, connection=connection)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        delivery.close_quietly(connection)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= max_attempts:
            logger.error("Notification %s failed after %s attempts: %s", notification_id,
                         notification.attempts, error)
            with transaction.atomic():
                if mine.update(state=State.FAILED, last_error=error, lease_until=None):
                    on_delivery_failed(notification)  # the admins are told in the app
            return "failed"
        logger.warning("Notification %s attempt %s failed: %s", notification_id, notification.attempts, error)
        mine.update(state=State.PENDING, last_error=error, lease_until=None,
                    next_attempt_at=now + retry_window(notification.attempts))
        raise DeliveryFailed(error) from exc
    mine.update(state=State.SENT, sent_at=timezone.now(), lease_until=None)
    delivery.close_quietly(connection)
    return "sent"


def retry_due_in(notification_id: int, *, now: datetime | None = None) -> timedelta | None:
    """How long until a pending row's next attempt (None if it is not waiting)."""
    due = Notification.objects.filter(pk=notification_id, state=State.PENDING).values_list(
        "next_attempt_at", flat=True).first()
    return None if due is None else max(timedelta(0), due - (now or timezone.now()))


def stale_outbox(*, now: datetime | None = None, grace: timedelta = timedelta(minutes=2)):
    """E-mail rows the sweep should hand to Celery again."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lte=now - grace)
        | Q(state=State.SENDING, lease_until__lt=now)
    ).order_by()


def notification_sweep(*, now: datetime | None = None, grace: timedelta = timedelta(minutes=2),
                       limit: int = 1000) -> int:
    """Re-enqueue rows left pending (the broker was down, a retry was lost) or whose
    worker died while sending. Returns how many were enqueued; stops when the broker is
    still down. Enqueuing a row twice is harmless: only one claim wins."""
    ids = list(stale_outbox(now=now, grace=grace).values_list("pk", flat=True)[:limit])
    enqueued = 0
    for pk in ids:
        if not enqueue_delivery(pk, force=True):
            break
        enqueued += 1
    if ids:
        logger.info("Outbox sweep: %s of %s waiting notifications enqueued", enqueued, len(ids))
    return enqueued


def notification_retry(*, notifications: Iterable[Notification]) -> int:
    """Send failed or skipped e-mail rows again (the admin's "retry" action)."""
    ids = [n.pk for n in notifications if n.channel == Channel.EMAIL and n.state in (State.FAILED, State.SKIPPED)]
    with transaction.atomic():
        count = Notification.objects.filter(pk__in=ids, state__in=[State.FAILED, State.SKIPPED]).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: enqueue_delivery(pk))
    return count


# --- Alerts to the organisation's admins (issue 26 items 5 and 7) --------------------------

def _admins_of(organisation_id: int, *, except_user_id: int | None = None) -> list[User]:
    ids = Membership.objects.filter(role=Role.ADMIN, unit__organisation_id=organisation_id,
                                    user__is_active=True).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).exclude(pk=except_user_id).order_by("pk"))


def on_role_self_granted(*, membership: Membership, actor) -> list[Notification]:
    """An admin gave themselves a role: every other admin of the organisation is told."""
    organisation_id = membership.unit.organisation_id
    context = {"alert": "self_grant", "actor_name": actor.get_full_name() or actor.get_username(),
               "role": membership.get_role_display(), "unit": membership.unit.name}
    created: list[Notification] = []
    for admin in _admins_of(organisation_id, except_user_id=actor.pk):
        created += notification_enqueue(
            recipient=admin, kind=Kind.ADMIN_ALERT, key=f"self-grant:{membership.pk}:{admin.pk}",
            organisation_id=organisation_id, template="admin_alert", context=context,
            object_type="accounts.membership", object_id=str(membership.pk),
        )
    return created


def on_delivery_failed(notification: Notification) -> list[Notification]:
    """An e-mail gave up for good: the organisation's admins are told in the app (not by
    e-mail, which is what is failing), with where to retry it."""
    context = {"alert": "delivery_failed", "kind_label": notification.get_kind_display(),
               "attempts": notification.attempts}
    target = reverse("admin:notifications_notification_change", args=[notification.pk])
    created: list[Notification] = []
    for admin in _admins_of(notification.organisation_id):
        row = _insert(key=f"delivery-failed:{notification.pk}:{admin.pk}:{Channel.IN_APP}", template="admin_alert",
                      context={**context, "recipient_name": admin.first_name or admin.get_username()}, in_app=True,
                      channel=Channel.IN_APP, state=State.SENT, sent_at=timezone.now(),
                      organisation_id=notification.organisation_id, recipient=admin, kind=Kind.ADMIN_ALERT,
                      object_type="notifications.notification", object_id=str(notification.pk), target_url=target)
        if row is not None:
            created.append(row)
    return created


# --- Reading ----------------------------------------------------------------------------

def unread_count(user) -> int:
    if not (user.is_authenticated and user.is_active):
        return 0
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())


# --- Who is told ------------------------------------------------------------------------

class Directory:
    """Who holds which role over which unit; loaded once per organisation."""

    def __init__(self) -> None:
        self._trees: dict[int, UnitTree] = {}
        self._holders: dict[int, dict[tuple[int, str], list[User]]] = {}

    def _load(self, organisation_id: int) -> None:
        if organisation_id in self._trees:
            return
        self._trees[organisation_id] = UnitTree.of_organisations([organisation_id])
        holders: dict[tuple[int, str], list[User]] = defaultdict(list)
        for membership in (
            Membership.objects.filter(unit__organisation_id=organisation_id, user__is_active=True,
                                      role__in=[Role.MANAGER, Role.UNION_REP])
            .select_related("user").order_by("user_id")
        ):
            holders[(membership.unit_id, membership.role)].append(membership.user)
        self._holders[organisation_id] = holders

    def over(self, unit: Unit, role: str) -> list[User]:
        """Users holding `role` in the unit or any unit above it."""
        self._load(unit.organisation_id)
        holders = self._holders[unit.organisation_id]
        users: dict[int, User] = {}
        for node in self._trees[unit.organisation_id].ancestors(unit.pk):
            for user in holders.get((node, role), ()):
                users.setdefault(user.pk, user)
        return [users[pk] for pk in sorted(users)]


def employees_of(incident) -> list[User]:
    """The employee(s) concerned: the targets, and the reporter of a self-report."""
    users = {user.pk: user for user in incident.targets.filter(is_active=True)}
    if incident.channel == "self_report" and incident.reporter_id and incident.reporter.is_active:
        users.setdefault(incident.reporter_id, incident.reporter)
    return [users[pk] for pk in sorted(users)]


def _incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.reference])


def _incident_context(incident) -> dict:
    return {
        "reference": incident.reference,
        "unit_name": incident.unit.name,
        "level": incident.level,
        "level_label": incident.level_label,
        "status_label": str(incident.get_status_display()),
        "channel_label": str(incident.get_channel_display()),
    }


# --- Events -----------------------------------------------------------------------------

def on_incident_registered(incident) -> list[Notification]:
    """A new incident: a self-report tells the managers over the unit; one registered by a
    manager tells the employee(s) it is about; a serious one tells the union reps."""
    created: list[Notification] = []
    org_id = incident.unit.organisation_id
    context = _incident_context(incident)
    if incident.channel == "self_report":
        for manager in Directory().over(incident.unit, Role.MANAGER):
            if manager.pk == incident.reporter_id:
                continue
            created += notification_enqueue(
                recipient=manager, kind=Kind.SELF_REPORT, key=f"self_report:{incident.pk}:{manager.pk}",
                organisation_id=org_id, template="self_report", context=context, incident=incident,
                target_url=_incident_url(incident),
            )
    else:
        for employee in employees_of(incident):
            if employee.pk == incident.reporter_id:
                continue
            created += notification_enqueue(
                recipient=employee, kind=Kind.INCIDENT_REGISTERED,
                key=f"incident_registered:{incident.pk}:{employee.pk}", organisation_id=org_id,
                template="incident_registered", context=context, incident=incident,
                target_url=_incident_url(incident),
            )
    created += on_incident_assessed(incident)
    return created


def _unit_as_statistics_show_it(user, unit):
    """The unit the user's statistics count an incident of `unit` under: the unit itself, or
    the unit a small one is folded into (stats.scope, the same disclosure rules); None when
    the user's statistics do not cover it (the message then names no unit)."""
    from stats.scope import StatisticsUnits

    scope = StatisticsUnits(user).scope()
    row = scope.row_of_unit.get(unit.pk)
    return next((r for r in scope.rows if r.id == row), None) if row is not None else None


def on_incident_assessed(incident) -> list[Notification]:
    """Level 3 or 4 tells the union reps over the unit, once per incident, if the
    organisation allows it. Anonymised: the unit and the level, nothing else; the link
    goes to the statistics page, not to the incident."""
    if incident.level < SERIOUS_LEVEL:
        return []
    unit = incident.unit
    if not unit.organisation.notify_union_reps_of_serious:
        return []
    created: list[Notification] = []
    for rep in Directory().over(unit, Role.UNION_REP):
        shown = _unit_as_statistics_show_it(rep, unit)
        context = {"unit_name": shown.name if shown else "", "level": incident.level,
                   "level_label": incident.level_label}
        created += notification_enqueue(
            recipient=rep, kind=Kind.SERIOUS_INCIDENT, key=f"serious_incident:{incident.pk}:{rep.pk}",
            about_incident_id=incident.pk, organisation_id=unit.organisation_id, template="serious_incident",
            context=context, object_type=UNIT_TYPE, object_id=str(shown.id) if shown else "",
            target_url=reverse("dashboard:union_rep"),
        )
    return created


def on_status_changed(incident, entry) -> list[Notification]:
    """The employee is told the new status (not the reason, which may be internal)."""
    created: list[Notification] = []
    status = entry.to_status or incident.status
    context = {**_incident_context(incident), "status_label": str(type(incident).Status(status).label)}
    for employee in employees_of(incident):
        if employee.pk == entry.actor_id:
            continue
        created += notification_enqueue(
            recipient=employee, kind=Kind.STATUS_CHANGED, key=f"status_changed:{entry.pk}:{employee.pk}",
            organisation_id=incident.unit.organisation_id, template="status_changed", context=context,
            incident=incident, target_url=_incident_url(incident),
        )
    return created


def on_note_shared(note) -> list[Notification]:
    """A note shared with the employee: they are told there is one, not what it says.
    An internal note never notifies the employee."""
    if note.visibility != "shared":
        return []
    incident = note.incident
    created: list[Notification] = []
    for employee in employees_of(incident):
        if employee.pk == note.author_id:
            continue
        created += notification_enqueue(
            recipient=employee, kind=Kind.NOTE_SHARED, key=f"note_shared:{note.pk}:{employee.pk}",
            organisation_id=incident.unit.organisation_id, template="note_shared",
            context=_incident_context(incident), incident=incident, target_url=_incident_url(incident),
        )
    return created


def on_report_finished(report, ok: bool) -> list[Notification]:
    """A report is ready (or failed): tell who asked for it.

    `report` is any row with `pk`, `requested_by`, optionally `incident`, `kind` with
    `get_kind_display()`, `get_absolute_url()` and, when it failed, `error`.
    """
    recipient = getattr(report, "requested_by", None)
    if recipient is None:
        return []
    incident = getattr(report, "incident", None)
    label = report._meta.label_lower
    kind = Kind.REPORT_READY if ok else Kind.REPORT_FAILED
    if hasattr(report, "get_absolute_url"):
        target = report.get_absolute_url()
    elif incident is not None:
        target = _incident_url(incident)
    else:
        target = ""
    context = {
        "report_label": str(report.get_kind_display()) if hasattr(report, "get_kind_display") else "",
        "reference": incident.reference if incident is not None else "",
    }
    # A statistics report has no incident; its organisation is on the report.
    org_id = (incident.unit.organisation_id if incident is not None
              else getattr(report, "audit_organisation_id", None) or recipient.organisation_id)
    if org_id is None:
        return []
    return notification_enqueue(
        recipient=recipient, kind=kind, key=f"{kind}:{label}:{report.pk}:{recipient.pk}", organisation_id=org_id,
        template=kind, context=context, incident=incident,
        object_type=INCIDENT_TYPE if incident is not None else label,
        object_id=str(incident.pk if incident is not None else report.pk), target_url=target,
    )


def on_incident_shared(share) -> list[Notification]:
    """An employee shared an incident with a named union rep: tell the rep.

    `share` has `pk`, `incident` and the rep as `union_rep` (or `shared_with`)."""
    rep = getattr(share, "union_rep", None) or getattr(share, "shared_with", None)
    incident = share.incident
    if rep is None:
        return []
    return notification_enqueue(
        recipient=rep, kind=Kind.INCIDENT_SHARED, key=f"incident_shared:{share.pk}:{rep.pk}",
        organisation_id=incident.unit.organisation_id, template="incident_shared",
        context=_incident_context(incident), incident=incident, target_url=_incident_url(incident),
    )


def on_page_watch(incident, check) -> list[Notification]:
    """A watched page (incidents.capture.watch) is gone, changed or back: tell the managers
    over the unit. Only the reference, unit and outcome: never the URL (it may name people)."""
    created: list[Notification] = []
    context = {**_incident_context(incident), "outcome": check.outcome,
               "outcome_label": str(check.get_outcome_display()).lower(),
               "checked_at": timezone.localtime(check.checked_at).strftime("%d.%m.%Y %H:%M")}
    for manager in Directory().over(incident.unit, Role.MANAGER):
        created += notification_enqueue(
            recipient=manager, kind=Kind.PAGE_WATCH, key=f"page_watch:{check.pk}:{manager.pk}",
            organisation_id=incident.unit.organisation_id, template="page_watch", context=context,
            incident=incident, target_url=_incident_url(incident),
        )
    return created


# --- Deadlines ----------------------------------------------------------------------------

# How long before a deadline the "before" reminder goes out.
REMINDER_LEAD: dict[str, timedelta] = {
    "assessment_due": timedelta(hours=24),
    "police_report_72h": timedelta(hours=24),
    "easy_14_days": timedelta(days=3),
    "private_prosecution_6_months": timedelta(days=14),  # rules 2026.1
    "request_6_months": timedelta(days=14),
    "breach_72h": timedelta(hours=24),
    "follow_up_14_days": timedelta(days=2),
    "takedown_follow_up_7_days": timedelta(days=1),
}
# A "due" reminder is still sent this long after the deadline (say beat was stopped),
# never later: old incidents do not flood managers when reminders are switched on.
DUE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DueDeadline:
    incident: object
    code: str
    title: str
    due: datetime
    stage: str  # "before" or "due"


def _deadlines(incident) -> list[tuple[str, str, datetime]]:
    from incidents.assessment import Assessment

    stored = Assessment.from_dict(incident.assessment)
    return [(item.code, item.title or item.code, item.due) for item in stored.deadlines]


def _met(incident, code: str, actions: dict[int, set[str]]) -> bool:
    """Met or dismissed: the rule of incidents.deadlines."""
    from incidents.deadlines import deadline_settled

    return deadline_settled(incident, code, actions.get(incident.pk, set()))


def _open_incidents():
    from incidents.models import Incident

    return (
        Incident.objects.exclude(status=Incident.Status.CLOSED)
        .select_related("unit", "unit__organisation")
        .only("id", "reference", "status", "channel", "assessment", "assessed_level", "confirmed_level",
              "confirmed_at", "registered_at", "unit__id", "unit__name", "unit__organisation_id",
              "unit__organisation__notify_union_reps_of_serious")
        .order_by("id")
    )


def _actions_taken(incident_ids: list[int]) -> dict[int, set[str]]:
    from incidents.deadlines import actions_done_by_incident

    return actions_done_by_incident(incident_ids, with_dismissals=True)


def deadlines_due(now: datetime) -> list[DueDeadline]:
    """Deadlines of open incidents that call for a reminder now, and at which stage.

    Scans the open incidents (a municipality has hundreds at most); each carries its
    deadlines in `assessment["deadlines"]`.
    """
    incidents = list(_open_incidents())
    actions = _actions_taken([i.pk for i in incidents])
    result = []
    for incident in incidents:
        for code, title, due in _deadlines(incident):
            if _met(incident, code, actions):
                continue
            if due <= now < due + DUE_WINDOW:
                stage = "due"
            elif due - REMINDER_LEAD.get(code, timedelta(days=1)) <= now < due:
                stage = "before"
            else:
                continue
            result.append(DueDeadline(incident=incident, code=code, title=title, due=due, stage=stage))
    return result


def reminders_due(now: datetime | None = None) -> int:
    """Remind the managers over the unit of each deadline, once before and once when due
    (per incident, deadline and stage). Returns how many notifications were written."""
    now = now or timezone.now()
    directory = Directory()
    count = 0
    for item in deadlines_due(now):
        incident = item.incident
        keys = {
            manager.pk: f"deadline:{incident.pk}:{item.code}:{item.stage}:{manager.pk}"
            for manager in directory.over(incident.unit, Role.MANAGER)
        }
        done = _existing_keys([f"{key}:{Channel.IN_APP}" for key in keys.values()])
        context = {**_incident_context(incident), "deadline_title": item.title,
                   "due": timezone.localtime(item.due), "stage": item.stage}
        for manager in directory.over(incident.unit, Role.MANAGER):
            key = keys[manager.pk]
            if f"{key}:{Channel.IN_APP}" in done:
                continue
            with transaction.atomic():
                count += len(notification_enqueue(
                    recipient=manager, kind=Kind.DEADLINE_REMINDER, key=key,
                    organisation_id=incident.unit.organisation_id, template="deadline_reminder",
                    context=context, incident=incident, target_url=_incident_url(incident),
                ))
    return count


# --- Retention ------------------------------------------------------------------------------

def retention_warnings_send(*, items) -> int:
    """"Sag slettes snart": the managers over the unit of each closed incident that is deleted
    soon are told when, why (the organisation's retention period, GDPR storage limitation) and
    how to keep it (legal hold), with a link to the incident's retention card.

    `items` come from `incidents.retention.retention_upcoming` (each with `incident`, with its
    unit loaded, `due`, `closed_at` and `retention_months`). The key holds the incident and the
    local due date, so a rerun writes nothing and an incident reopened and closed again (a new
    due date) is warned again. A fixed number of queries per organisation, whatever the number
    of incidents. Returns how many notifications were written."""
    directory = Directory()
    messages: list[Message] = []
    for item in items:
        incident = item.incident
        due = timezone.localtime(item.due)
        context = {**_incident_context(incident), "due": due, "closed_at": timezone.localtime(item.closed_at),
                   "retention_months": item.retention_months}
        for manager in directory.over(incident.unit, Role.MANAGER):
            messages.append(Message(
                recipient=manager, kind=Kind.RETENTION_WARNING,
                key=f"retention_warning:{incident.pk}:{due.date().isoformat()}:{manager.pk}",
                organisation_id=incident.unit.organisation_id, template="retention_warning", context=context,
                incident=incident, target_url=_incident_url(incident) + "#opbevaring",
            ))
    return len(notifications_enqueue_bulk(messages))


def _existing_keys(keys: list[str]) -> set[str]:
    return set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))


DIGEST_HORIZON = timedelta(days=7)
DIGEST_LIST_LIMIT = 20


def digest_weekly(now: datetime | None = None) -> int:
    """Each manager gets one overview a week: their open incidents by status and level,
    and the deadlines of the coming 7 days (or overdue). Managers with no open incident
    get nothing. Returns how many notifications were written."""
    now = now or timezone.now()
    year, week, _ = timezone.localtime(now).isocalendar()
    incidents = list(_open_incidents())
    by_unit: dict[int, list] = defaultdict(list)
    for incident in incidents:
        by_unit[incident.unit_id].append(incident)
    actions = _actions_taken([i.pk for i in incidents])

    managed: dict[int, set[int]] = defaultdict(set)
    managers: dict[int, User] = {}
    organisations: dict[int, set[int]] = defaultdict(set)
    for membership in Membership.objects.filter(role=Role.MANAGER, user__is_active=True).select_related(
        "user", "unit"
    ):
        managed[membership.user_id].add(membership.unit_id)
        managers[membership.user_id] = membership.user
        organisations[membership.user_id].add(membership.unit.organisation_id)
    tree = UnitTree.of_organisations({org_id for org_ids in organisations.values() for org_id in org_ids})
    count = 0
    for user_id, direct in sorted(managed.items()):
        manager = managers[user_id]
        units = tree.descendants(direct)
        mine = [incident for unit_id in units for incident in by_unit.get(unit_id, ())]
        if not mine:
            continue
        mine.sort(key=lambda i: (-i.level, i.registered_at))
        deadlines = sorted(
            (
                {"reference": incident.reference, "title": title, "due": timezone.localtime(due),
                 "overdue": due < now}
                for incident in mine
                for code, title, due in _deadlines(incident)
                if not _met(incident, code, actions) and due < now + DIGEST_HORIZON and due > now - DUE_WINDOW
            ),
            key=lambda d: d["due"],
        )
        by_status: dict[str, int] = defaultdict(int)
        for incident in mine:
            by_status[str(incident.get_status_display())] += 1
        context = {
            "week": week, "year": year, "open_count": len(mine),
            "serious_count": sum(1 for i in mine if i.level >= SERIOUS_LEVEL),
            "by_status": sorted(by_status.items()),
            "incidents": [_incident_context(i) for i in mine[:DIGEST_LIST_LIMIT]],
            "more_incidents": max(0, len(mine) - DIGEST_LIST_LIMIT),
            "deadlines": deadlines[:DIGEST_LIST_LIMIT],
        }
        org_id = manager.organisation_id or mine[0].unit.organisation_id
        with transaction.atomic():
            count += len(notification_enqueue(
                recipient=manager, kind=Kind.WEEKLY_DIGEST, key=f"weekly_digest:{year}-W{week:02d}:{manager.pk}",
                organisation_id=org_id, template="weekly_digest", context=context,
                target_url=reverse("dashboard:manager"),
            ))
    return count

