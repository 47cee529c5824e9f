"""The unread count for the top bar: one cheap COUNT on a partial index, computed only
when a template shows it and only for a signed-in user."""

from django.utils.functional import SimpleLazyObject

from . import services


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: services.unread_count(user))}
