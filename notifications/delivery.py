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

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

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


def send_email(notification: Notification, address: str) -> None:
    """Send one e-mail row through the configured backend; raises on failure."""
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={NOTIFICATION_HEADER: str(notification.pk), "Auto-Submitted": "auto-generated"},
        connection=get_connection(fail_silently=False),
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    message.send(fail_silently=False)
