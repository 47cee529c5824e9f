"""`{% form_token %}`: a one-time token for a POST form (see idempotency.views)."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html

register = template.Library()

FORM_TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, secrets.token_urlsafe(24))
