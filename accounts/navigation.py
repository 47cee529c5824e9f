"""The top bar of every page, rendered once per user and language instead of once per request.

`templates/includes/navbar.html` holds the markup. Rendering it (the menu by role, the
language form with every language's name, the account menu with five links) was about a
millisecond of each signed-in request. It is rendered with stand-ins for what differs between
requests and kept in the user's access entry (accounts/access_cache.py), which is dropped when
the user's memberships, the user row or the organisation structure change, the cases that
change the menu. Each request then fills in, by plain string replacement:

- the CSRF token (the language form and the log-out form);
- the page to come back to after a change of language;
- the unread badge (notifications/badge.html, rendered with a stand-in count and without one);
- the current page's link, marked active with `aria-current="page"`.

Anonymous requests (the sign-in pages) render it each time: there is no entry to keep it in.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import permissions

# Stand-ins: plain letters, so escaping leaves them as they are; none can occur in the markup.
CSRF = "NAVBARCSRFSTANDIN"
NEXT = "NAVBARNEXTSTANDIN"
BADGE = "NAVBARBADGESTANDIN"
COUNT = "NAVBARCOUNTSTANDIN"


def _build(context, user) -> dict:
    """The bar with stand-ins, the badge with a stand-in count and without a count, and the
    menu's addresses (to mark the current one)."""
    items = list(context.get("nav_items") or ())
    values = {"user": user, "nav_items": items, "csrf_token": CSRF, "next_path": NEXT, "badge": BADGE}
    badge_context = {"user": user}
    return {
        "bar": render_to_string("includes/navbar.html", values),
        "badge": render_to_string("notifications/badge.html", {**badge_context, "unread_notifications": COUNT}),
        "no_badge": render_to_string("notifications/badge.html", {**badge_context, "unread_notifications": 0}),
        "urls": [str(item["url"]) for item in items],
    }


def _parts(context, user) -> dict:
    if not (user is not None and user.is_authenticated and user.is_active):
        return _build(context, user)
    return permissions.kept(user, f"navbar:{get_language()}", lambda: _build(context, user))


def navbar_html(context) -> SafeString:
    """The top bar for the request in `context` (a template context with `request` and `user`)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    parts = _parts(context, user)
    count = int(str(context.get("unread_notifications") or 0))
    badge = parts["badge"].replace(COUNT, str(count)) if count else parts["no_badge"]
    token = get_token(request) if request is not None else ""
    next_path = request.get_full_path() if request is not None else ""
    html = parts["bar"].replace(CSRF, escape(token)).replace(NEXT, escape(next_path)).replace(BADGE, badge)
    path = request.path if request is not None else None
    if path in parts["urls"]:
        link = f'<a class="nav-link" href="{escape(path)}">'
        html = html.replace(link, f'<a class="nav-link active" aria-current="page" href="{escape(path)}">', 1)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine; the values put in are escaped
