"""DRF permission classes for the API: thin adapters over the one access policy.

Every answer comes from `accounts.permissions` or `incidents.policy`; nothing here decides
on its own. Visibility is not a permission: views look incidents up through
`incidents.policy.get_incident_or_404`, so an incident the user may not see answers 404
before any of these classes is asked. These classes only answer "may the user *do* this
to an incident they can see" (403 with a Danish message).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts import permissions
from accounts.models import Role
from incidents import policy


class MayRegisterIncidents(BasePermission):
    """Creating incidents (POST): managers only. Reading lists is open to every signed-in user."""

    message = _("Kun ledere kan registrere hændelser. Som medarbejder kan du anmelde en hændelse på siden «Anmeld».")

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True  # reading is filtered by the policy; other methods answer 405
        return bool(permissions.units_for(request.user, Role.MANAGER))


class MayChangeIncident(BasePermission):
    """Editing the facts (PUT/PATCH): managers of the incident's unit (incidents.policy.may_change)."""

    message = _("Kun ledere for hændelsens enhed kan ændre oplysningerne.")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return policy.may_change(request.user, obj)


class MayAddEvidence(BasePermission):
    """Uploading evidence (POST): managers and the employee concerned (incidents.policy.may_add_evidence)."""

    message = _("Du kan ikke tilføje dokumentation til denne hændelse.")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return policy.may_add_evidence(request.user, obj)
