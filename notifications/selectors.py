"""Reads the notification pages share."""

from django.db.models import QuerySet

from .models import Channel, Notification, Preference


def notifications_for(user) -> QuerySet[Notification]:
    """The user's notification centre, newest first (the rows it shows, nothing joined)."""
    return (
        Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
        .only("id", "kind", "subject", "body", "created_at", "read_at", "target_url", "channel")
        .order_by("-created_at", "-id")
    )


def email_choices(user, kinds: list[str]) -> dict[str, bool]:
    """E-mail on/off per kind (no row means on)."""
    off = set(Preference.objects.filter(user=user, kind__in=kinds, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in kinds}
