"""Navigation by role, computed once per request from the access policy."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Role


def _nav_items(user) -> list[dict]:
    if not (user.is_authenticated and user.is_active):
        return []
    held = permissions.roles(user)
    items: list[dict] = []
    if Role.MANAGER in held:
        items.append({"url": reverse("dashboard:manager"), "label": _("Overblik")})
        items.append({"url": reverse("incidents:list"), "label": _("Hændelser")})
    if Role.CASEWORKER in held:
        items.append({"url": reverse("dashboard:caseworker"), "label": _("Mine sager")})
    if Role.MANAGER in held or Role.CASEWORKER in held:
        items.append({"url": reverse("recordings:list"), "label": _("Optagelser")})
    if permissions.may_see_statistics(user):
        items.append({"url": reverse("dashboard:union_rep"), "label": _("Statistik")})
    if permissions.may_administer(user):
        items.append({"url": reverse("dashboard:admin"), "label": _("Administration")})
    if Role.ADMIN in held:
        items.append({"url": reverse("privacy:list"), "label": _("Persondata")})
    items.append({"url": reverse("knowledge:index"), "label": _("Viden")})
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(user))}
