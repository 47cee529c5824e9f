"""The outbox: who is told what, written in the transaction of the event that causes it.

A generic outbox that knows no incident rule: the apps that have events decide who is told
and call `notification_enqueue` (one recipient) or `notifications_enqueue_bulk` (many):
the incident events, deadline reminders and the weekly digest are in incidents.notify and
incidents.reminders, a finished report in reports.notify.

    notification_enqueue(...)         one in-app row, and an e-mail row when wanted
    notifications_enqueue_bulk(msgs)  the same for many messages in a fixed number of queries
    notification_claim / notification_deliver / notification_sweep / notification_retry
                                      claim, send, mark; re-enqueue rows left behind; send again
    emails_claim / claims_release     the rows a worker sends next over its open connection, claimed
                                      together; those it did not send, given back
    kinds_for / email_enabled / preferences_set   the user's e-mail choice per kind
    register_still_due(kind, reason)  a kind's "is it still worth sending?" check, asked just
                                      before an e-mail goes out (the incidents app registers
                                      the retention warning's)
    on_role_self_granted / on_delivery_failed     alerts to the organisation's admins

Every notification is one in-app row (always) and one e-mail row (when the recipient has
an address and e-mail on for the kind). `key` is unique, so an event that is reported
twice notifies once. Messages carry references, units, levels, statuses and deadlines only:
never an incident's title, description, names or the text of a note.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from accounts import permissions, signed_in
from accounts.models import Membership, Role, User

from . import delivery
from .models import Channel, Kind, Notification, Preference, State

logger = logging.getLogger(__name__)

INCIDENT_TYPE = "incidents.incident"
UNIT_TYPE = "accounts.unit"

# Kinds shown on the preferences page, by the roles that receive them.
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.MANAGER: (
        Kind.SELF_REPORT,
        Kind.DEADLINE_REMINDER,
        Kind.WEEKLY_DIGEST,
        Kind.REPORT_READY,
        Kind.REPORT_FAILED,
        Kind.RETENTION_WARNING,
        Kind.PAGE_WATCH,
        Kind.CASE_ASSIGNED,
        Kind.CASE_MESSAGE,
    ),
    Role.CASEWORKER: (Kind.INCIDENT_REGISTERED, Kind.STATUS_CHANGED, Kind.NOTE_SHARED, Kind.CASE_MESSAGE),
    Role.UNION_REP: (Kind.SERIOUS_INCIDENT, Kind.INCIDENT_SHARED),
    Role.ADMIN: (Kind.ADMIN_ALERT,),
}

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
        "organisation_id": organisation_id,
        "recipient": recipient,
        "kind": kind,
        "incident": incident,
        "about_incident_id": about_incident_id if about_incident_id is not None else getattr(incident, "pk", None),
        "object_type": object_type or (INCIDENT_TYPE if incident is not None else ""),
        "object_id": object_id or (str(incident.pk) if incident is not None else ""),
        "target_url": target_url,
    }
    context = {**context, "recipient_name": recipient.first_name or recipient.get_username()}

    in_app = _insert(
        key=f"{key}:{Channel.IN_APP}",
        channel=Channel.IN_APP,
        template=template,
        context=context,
        in_app=True,
        state=State.SENT,
        sent_at=timezone.now(),
        **common,
    )
    if in_app is None:
        return created
    created.append(in_app)

    if recipient.email and email_enabled(recipient, kind):
        open_url = delivery.site_url() + reverse("notifications:open", args=[in_app.pk])
        email = _insert(
            key=f"{key}:{Channel.EMAIL}",
            channel=Channel.EMAIL,
            template=template,
            context={**context, "open_url": open_url},
            in_app=False,
            state=State.PENDING,
            next_attempt_at=timezone.now(),
            **common,
        )
        if email is not None:
            created.append(email)
            transaction.on_commit(partial(enqueue_delivery, email.pk))
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
    # An incidents.Incident or None (typed loosely: the outbox does not import the incidents app).
    incident: Any = None
    object_type: str = ""
    object_id: str = ""
    target_url: str = ""
    about_incident_id: int | None = None


BULK_BATCH_SIZE = 500


def notifications_enqueue_bulk(messages: Iterable[Message], *, new_keys: bool = False) -> list[Notification]:
    """notification_enqueue for many messages in a fixed number of queries, for scheduled work:
    which keys exist (one query), who turned e-mail off (one), then the in-app rows and the
    e-mail rows in bulk inserts (one each per BULK_BATCH_SIZE rows), in one transaction.

    Returns the rows created; keys that exist are skipped, so a rerun writes nothing. If a
    concurrent run wrote one of the same keys meanwhile, the bulk insert is undone and the
    messages go one at a time through notification_enqueue, which skips the ones that exist.
    `new_keys`: the keys name an object created in the caller's transaction, so none can exist:
    the first query is left out, and so is the savepoint round the inserts (two round trips). A
    key that existed all the same would mean the database handed out that object's id twice:
    the IntegrityError then fails the caller's transaction, which writes nothing."""
    wanted: dict[str, Message] = {}
    for message in messages:
        if message.recipient.is_active and message.recipient.pk:
            wanted.setdefault(message.key, message)
    done = existing_keys([f"{key}:{Channel.IN_APP}" for key in wanted]) if wanted and not new_keys else set()
    todo = [message for key, message in wanted.items() if f"{key}:{Channel.IN_APP}" not in done]
    if not todo:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:  # the e-mail link needs the in-app id
        return _enqueue_one_by_one(todo)
    email_off = set(
        Preference.objects.filter(
            user_id__in={m.recipient.pk for m in todo}, kind__in={m.kind for m in todo}, email=False
        ).values_list("user_id", "kind")
    )
    now = timezone.now()
    try:
        with transaction.atomic(savepoint=not new_keys):
            in_app = Notification.objects.bulk_create(
                [_row(message, channel=Channel.IN_APP, in_app=True, state=State.SENT, sent_at=now) for message in todo],
                batch_size=BULK_BATCH_SIZE,
            )
            emails = Notification.objects.bulk_create(
                [
                    _row(
                        message,
                        channel=Channel.EMAIL,
                        in_app=False,
                        state=State.PENDING,
                        next_attempt_at=now,
                        open_url=delivery.site_url() + reverse("notifications:open", args=[row.pk]),
                    )
                    for message, row in zip(todo, in_app, strict=True)
                    if message.recipient.email and (message.recipient.pk, message.kind) not in email_off
                ],
                batch_size=BULK_BATCH_SIZE,
            )
            for email in emails:
                transaction.on_commit(partial(enqueue_delivery, email.pk))
    except IntegrityError:
        if new_keys:
            raise
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
        key=f"{message.key}:{channel}",
        channel=channel,
        organisation_id=message.organisation_id,
        recipient=recipient,
        kind=message.kind,
        incident=incident,
        about_incident_id=message.about_incident_id
        if message.about_incident_id is not None
        else getattr(incident, "pk", None),
        object_type=message.object_type or (INCIDENT_TYPE if incident is not None else ""),
        object_id=message.object_id or (str(incident.pk) if incident is not None else ""),
        target_url=message.target_url,
        subject=rendered.subject,
        body=rendered.text,
        body_html=rendered.html,
        **fields,
    )


def _enqueue_one_by_one(messages: list[Message]) -> list[Notification]:
    created: list[Notification] = []
    for message in messages:
        with transaction.atomic():
            created += notification_enqueue(
                recipient=message.recipient,
                kind=message.kind,
                key=message.key,
                organisation_id=message.organisation_id,
                template=message.template,
                context=message.context,
                incident=message.incident,
                about_incident_id=message.about_incident_id,
                object_type=message.object_type,
                object_id=message.object_id,
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
        logger.warning("Could not enqueue notification %s; the sweep will retry it", notification_id, exc_info=True)
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
        .update(state=State.SENDING, lease_until=now + timedelta(seconds=lease_seconds()), attempts=F("attempts") + 1)
    )


def _skip_reason(notification: Notification) -> str:
    if notification.object_type == INCIDENT_TYPE and notification.incident_id is None:
        return "the incident no longer exists"
    recipient = notification.recipient
    if not recipient.is_active:
        return "the recipient is no longer active"
    if not recipient.email:
        return "the recipient has no e-mail address"
    # `email_off` is annotated by notification_deliver's query (email_enabled() in the same query)
    if notification.email_off:  # type: ignore[attr-defined]
        return "the recipient turned e-mail off for this kind"
    still_due = _STILL_DUE.get(notification.kind)
    return still_due(notification) if still_due is not None else ""


# object type -> check(user, notification): may the user open what the notification points at?
# Asked again at the moment of opening (notifications.views); the owning app registers it.
_OPEN_CHECKS: dict[str, Callable[[User, Notification], bool]] = {}


def register_open_check(object_type: str, check: Callable[[User, Notification], bool]) -> None:
    _OPEN_CHECKS[object_type] = check


def open_check(object_type: str) -> Callable[[User, Notification], bool] | None:
    return _OPEN_CHECKS.get(object_type)


# kind -> check(notification) -> "" while the message is still worth sending, else why not.
_STILL_DUE: dict[str, Callable[[Notification], str]] = {}


def register_still_due(kind: str, check: Callable[[Notification], str]) -> None:
    """Ask `check` just before an e-mail of `kind` goes out; a reason it returns skips the e-mail."""
    _STILL_DUE[str(kind)] = check


def notification_deliver(
    notification_id: int,
    *,
    max_attempts: int = 6,
    retry_window: Callable[[int], timedelta] = lambda attempts: timedelta(minutes=5),
    now: datetime | None = None,
    mailer: delivery.Mailer | None = None,
    loaded: Notification | None = None,
) -> str:
    """Claim, send and mark one e-mail row. Returns what happened:

    - "noop": the row is gone, already sent/failed/skipped, or another worker holds it;
    - "skipped": nothing to send to (incident deleted, no address, e-mail turned off);
    - "sent";
    - "failed": the last attempt failed; the error is on the row for the admin.

    A failed attempt before the last puts the row back to pending (with the error and the
    time after which the sweep may take it) and raises DeliveryFailed for Celery to retry.
    `retry_window(attempts)` is the longest the task's own retry may wait.

    With a `mailer` the message goes over its connection, which stays open for the next row
    of the batch (a failure drops it); without, a connection is opened for this row alone.
    `loaded`: the row as `emails_claim` claimed and read it (with its recipient), so it is
    neither claimed nor read again.
    """
    now = now or timezone.now()
    if loaded is not None:
        notification = loaded
    elif not notification_claim(notification_id, now=now):
        logger.info("Notification %s is not waiting to be sent; nothing to do", notification_id)
        return "noop"
    else:
        notification = _deliverable().get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, state=State.SENDING)

    reason = _skip_reason(notification)
    if reason:
        logger.warning("Notification %s skipped: %s", notification_id, reason)
        mine.update(state=State.SKIPPED, last_error=reason, lease_until=None)
        return "skipped"

    # The window for a duplicate is between the server's "250 accepted" after DATA and the
    # UPDATE below: the connection (and TLS, login) is opened before, QUIT is said after
    # (at the end of the batch), so nothing but the DATA reply lies between the hand-off and
    # the record of it.
    own_mailer = mailer is None
    mailer = mailer or delivery.Mailer()
    try:
        delivery.send_email(notification, notification.recipient.email, connection=mailer.connection())
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        mailer.close()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= max_attempts:
            logger.error("Notification %s failed after %s attempts: %s", notification_id, notification.attempts, error)
            with transaction.atomic():
                if mine.update(state=State.FAILED, last_error=error, lease_until=None):
                    on_delivery_failed(notification)  # the admins are told in the app
            return "failed"
        logger.warning("Notification %s attempt %s failed: %s", notification_id, notification.attempts, error)
        mine.update(
            state=State.PENDING,
            last_error=error,
            lease_until=None,
            next_attempt_at=now + retry_window(notification.attempts),
        )
        raise DeliveryFailed(error) from exc
    mine.update(state=State.SENT, sent_at=timezone.now(), lease_until=None)
    if own_mailer:
        mailer.close()
    return "sent"


def _deliverable():
    """Rows with their recipient and the recipient's e-mail choice for the kind (`email_off`)."""
    email_off = Preference.objects.filter(user_id=OuterRef("recipient_id"), kind=OuterRef("kind"), email=False)
    return Notification.objects.select_related("recipient").annotate(email_off=Exists(email_off))


def emails_claim(*, limit: int, now: datetime | None = None) -> list[Notification]:
    """Claim up to `limit` e-mail rows due now, oldest first, for a worker whose mail connection
    is open, and read them with their recipients: one transaction (rows another worker is
    claiming are skipped, `SKIP LOCKED`) instead of one committed claim per row, which was half
    of a worker's time per e-mail. Each row is still checked, sent and marked on its own
    (`notification_deliver(loaded=…)`), so the window for a duplicate is unchanged; rows a
    batch claimed and did not send go back with `claims_release`, or, if the worker died, to
    the sweep when their lease runs out."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, channel=Channel.EMAIL, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(
            state=State.SENDING, lease_until=now + timedelta(seconds=lease_seconds()), attempts=F("attempts") + 1
        )
    return list(_deliverable().filter(pk__in=ids, state=State.SENDING).order_by("next_attempt_at", "pk"))


def claims_release(notifications: Iterable[Notification]) -> int:
    """Give rows claimed by `emails_claim` and not sent back, as they were (pending, the attempt
    not counted)."""
    return Notification.objects.filter(pk__in=[n.pk for n in notifications], state=State.SENDING).update(
        state=State.PENDING, lease_until=None, attempts=F("attempts") - 1
    )


def retry_due_in(notification_id: int, *, now: datetime | None = None) -> timedelta | None:
    """How long until a pending row's next attempt (None if it is not waiting)."""
    due = (
        Notification.objects.filter(pk=notification_id, state=State.PENDING)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return None if due is None else max(timedelta(0), due - (now or timezone.now()))


def stale_outbox(*, now: datetime | None = None, grace: timedelta = timedelta(minutes=2)):
    """E-mail rows the sweep should hand to Celery again."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lte=now - grace) | Q(state=State.SENDING, lease_until__lt=now)
    ).order_by()


def notification_sweep(
    *, now: datetime | None = None, grace: timedelta = timedelta(minutes=2), limit: int = 1000
) -> int:
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
            transaction.on_commit(partial(enqueue_delivery, pk))
    return count


# --- Alerts to the organisation's admins (issue 26 items 5 and 7) --------------------------


def _admins_of(organisation_id: int, *, except_user_id: int | None = None) -> list[User]:
    ids = Membership.objects.filter(
        role=Role.ADMIN, unit__organisation_id=organisation_id, user__is_active=True
    ).values_list("user_id", flat=True)
    admins = User.objects.filter(pk__in=ids)
    if except_user_id is not None:
        admins = admins.exclude(pk=except_user_id)
    return list(admins.order_by("pk"))


def on_role_self_granted(*, membership: Membership, actor) -> list[Notification]:
    """An admin gave themselves a role: every other admin of the organisation is told."""
    organisation_id = membership.unit.organisation_id
    context = {
        "alert": "self_grant",
        "actor_name": actor.get_full_name() or actor.get_username(),
        "role": membership.get_role_display(),
        "unit": membership.unit.name,
    }
    created: list[Notification] = []
    for admin in _admins_of(organisation_id, except_user_id=actor.pk):
        created += notification_enqueue(
            recipient=admin,
            kind=Kind.ADMIN_ALERT,
            key=f"self-grant:{membership.pk}:{admin.pk}",
            organisation_id=organisation_id,
            template="admin_alert",
            context=context,
            object_type="accounts.membership",
            object_id=str(membership.pk),
        )
    return created


def on_delivery_failed(notification: Notification) -> list[Notification]:
    """An e-mail gave up for good: the organisation's admins are told in the app (not by
    e-mail, which is what is failing), with where to retry it."""
    context = {
        "alert": "delivery_failed",
        "kind_label": notification.get_kind_display(),
        "attempts": notification.attempts,
    }
    target = reverse("admin:notifications_notification_change", args=[notification.pk])
    created: list[Notification] = []
    for admin in _admins_of(notification.organisation_id):
        row = _insert(
            key=f"delivery-failed:{notification.pk}:{admin.pk}:{Channel.IN_APP}",
            template="admin_alert",
            context={**context, "recipient_name": admin.first_name or admin.get_username()},
            in_app=True,
            channel=Channel.IN_APP,
            state=State.SENT,
            sent_at=timezone.now(),
            organisation_id=notification.organisation_id,
            recipient=admin,
            kind=Kind.ADMIN_ALERT,
            object_type="notifications.notification",
            object_id=str(notification.pk),
            target_url=target,
        )
        if row is not None:
            created.append(row)
    return created


# --- Reading ----------------------------------------------------------------------------


# The signed-in user's unread count, loaded with the user (accounts/signed_in.py, registered
# in notifications/apps.py): the top bar shows it on every page.
UNREAD = "unread_in_app"


def unread_expression() -> RawSQL:
    """The unread in-app notifications of the user row, as a scalar subquery on the partial index
    of unread rows. Written as SQL (names from the models): Django's `Subquery` took a
    millisecond to build on every request, four times the query itself."""
    table, user_table = Notification._meta.db_table, User._meta.db_table
    recipient, read_at, channel = (
        Notification.recipient.field.column,
        Notification.read_at.field.column,
        Notification.channel.field.column,
    )
    return RawSQL(  # noqa: S611 - no user input: names from the models, the channel a parameter
        f'SELECT COUNT(*) FROM "{table}" WHERE "{table}"."{recipient}" = "{user_table}"."id" '  # noqa: S608
        f'AND "{table}"."{channel}" = %s AND "{table}"."{read_at}" IS NULL',
        (Channel.IN_APP.value,),
    )


def unread_count(user) -> int:
    if not (user.is_authenticated and user.is_active):
        return 0
    loaded = getattr(user, UNREAD, None)
    if loaded is not None:
        return loaded
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    signed_in.forget(user, UNREAD)
    return qs.update(read_at=timezone.now())


def existing_keys(keys: list[str]) -> set[str]:
    return set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
