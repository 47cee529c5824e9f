"""Object-level access to recording requests and guidelines: part of the one access policy
(accounts.permissions), like incidents.policy and reports.policy.

Who sees which request:
- a caseworker (or manager) sees the requests they registered, while they still hold a
  caseworker or manager role in the request's unit;
- a manager sees every request of their units and the units below;
- everyone else sees none (404). Union reps get only `request_counts` (recordings.selectors):
  numbers, never free text, names or single requests.

The guideline: anyone with a role in the organisation may read it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Role

from .models import RecordingRequest


def registering_units(user) -> frozenset[int]:
    """Units where the user may register requests: their caseworker and manager units."""
    return permissions.units_for(user, Role.CASEWORKER) | permissions.units_for(user, Role.MANAGER)


def managed_units(user) -> frozenset[int]:
    return permissions.units_for(user, Role.MANAGER)


def may_register(user) -> bool:
    return bool(registering_units(user))


def may_use_requests(user) -> bool:
    """The request pages (list, register) are for caseworkers and managers."""
    return may_register(user)


def visible_requests(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = RecordingRequest.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    own = Q(registered_by=user, unit_id__in=registering_units(user))
    return qs.filter(own | Q(unit_id__in=managed_units(user)))


def may_review(user, recording_request: RecordingRequest) -> bool:
    return recording_request.unit_id in managed_units(user)


def may_update(user, recording_request: RecordingRequest) -> bool:
    """Mark a hidden recording or link an incident: the registrant and the unit's managers."""
    return may_review(user, recording_request) or (
        recording_request.registered_by_id == user.pk and recording_request.unit_id in registering_units(user)
    )


def get_request_or_404(user, pk: int) -> RecordingRequest:
    qs = RecordingRequest.objects.select_related(
        "unit",
        "registered_by",
        "decided_by",
        "reviewed_by",
        "guideline",
        "incident",
    )
    found = visible_requests(user, qs).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def reader_organisation_ids(user) -> frozenset[int]:
    """Organisations whose guideline the user may read: where they hold any role."""
    return frozenset(org for _, _, org in permissions.memberships(user))


def reader_organisation_id(user) -> int | None:
    orgs = reader_organisation_ids(user)
    if not orgs:
        return None
    return user.organisation_id if user.organisation_id in orgs else min(orgs)
