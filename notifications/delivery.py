"""Rendering and sending: e-mail from template triplets through Django's mail backends.

Each kind has three templates in templates/emails/:

    <name>-subject.txt   one line
    <name>-text.txt      the plain-text body (extends emails/base-text.txt)
    <name>-html.html     the HTML body (extends emails/base-html.html)

The same text template renders the in-app message with `in_app=True`, which leaves out
the greeting, the link and the footer. Templates are rendered in the organisation's
language (Danish, LANGUAGE_CODE) whoever triggered the event.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

logger = logging.getLogger(__name__)

# A header naming the outbox row, so a receiving system (and the tests' mail sink) can
# tell one notification from another.
NOTIFICATION_HEADER = "X-Udhaengning-Notification"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def site_url() -> str:
    """The address links in e-mails start with (SITE_URL, without a trailing slash)."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def render(template: str, context: dict, *, in_app: bool = False) -> Rendered:
    """Render the triplet `emails/<template>-…`; `in_app` renders the short message only."""
    ctx = {**context, "in_app": in_app, "site_url": site_url()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}-text.txt", ctx).strip()
        html = "" if in_app else render_to_string(f"emails/{template}-html.html", ctx).strip()
    return Rendered(subject=subject[:300], text=_tidy(text), html=html)


def _tidy(text: str) -> str:
    """Template tags leave blank lines behind: keep at most one in a row."""
    lines: list[str] = []
    for line in (raw.rstrip() for raw in text.splitlines()):
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def message_id(notification: Notification) -> str:
    """The notification's own Message-ID, the same every time it is sent: a copy re-sent after
    a worker died in the hand-off is recognisably the same message (mail clients and servers
    that deduplicate by Message-ID show it once). Made from the row's id and creation time,
    so a restored or reset database never reuses one."""
    domain = urlsplit(site_url()).hostname or "localhost"
    stamp = int(notification.created_at.timestamp() * 1000) if notification.created_at else 0
    return f"<notification-{notification.pk}.{stamp}@{domain}>"


def open_connection():
    """A connection to the mail server, opened (for SMTP: connected, EHLO, TLS and login done),
    so that sending a message is only the MAIL/RCPT/DATA exchange."""
    connection = get_connection(fail_silently=False)
    connection.open()
    return connection


def close_quietly(connection) -> None:
    """QUIT after the row is marked sent; a server that hangs up first is not a failure."""
    if connection is None:
        return
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the message is already accepted and recorded
        logger.info("Closing the mail connection failed after sending", exc_info=True)


class Mailer:
    """One connection to the mail server for a batch of rows: opened (connect, EHLO, TLS,
    login) for the first message, reused for the next ones, closed with QUIT at the end.
    After a failed message it is dropped, so the next message starts on a fresh one; one that
    lay idle longer than IDLE_SECONDS is reopened rather than trusted."""

    IDLE_SECONDS = 5.0

    def __init__(self) -> None:
        self._connection = None
        self._used = 0.0

    def connection(self):
        if self._connection is not None and time.monotonic() - self._used > self.IDLE_SECONDS:
            self.close()
        if self._connection is None:
            self._connection = open_connection()
        self._used = time.monotonic()
        return self._connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        close_quietly(connection)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def send_email(notification: Notification, address: str, *, connection=None) -> None:
    """Send one e-mail row through the configured backend; raises on failure. With an open
    `connection` it stays open, so the caller can record the hand-off before QUIT."""
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            NOTIFICATION_HEADER: str(notification.pk),
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(notification),
        },
        connection=connection or get_connection(fail_silently=False),
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    message.send(fail_silently=False)
