"""Who may handle data subject requests and read the record of processing: part of the one
access policy (built on `accounts.permissions`, like `incidents.policy`).

- Data subject requests (art. 15 and 17) are handled by the organisation's admins, and only
  in the organisations where they hold the admin role: the requests, the people they can
  choose as subject and everything found about a subject are scoped to those organisations.
  Everyone else, an admin of another organisation included, gets 404. A superuser without an
  admin membership is a technical operator, not the controller's administrator, and gets 404
  too: the answer to a data subject is the organisation's, so it is given by its admin.
  Answering a request is the one place where an admin reads what incidents hold about a person
  (DOMAIN.md gives admins no incident content otherwise): the request is the purpose, only what
  concerns the subject is shown, and every showing and export is audited.
- The record of processing (art. 30) holds no personal data. Admins and managers may read it:
  admins keep it; managers decide on the processing every day (what is registered, which
  report goes to the police, the platform or Datatilsynet) and must know its purposes,
  recipients and retention to act within them (art. 29 and 32(4)). Caseworkers and union
  reps get 404: what they are told about the processing is the information notice
  (art. 13/14), not the controller's internal record with its security measures.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Role, User

from .models import DataSubjectRequest


def request_organisation_ids(user) -> frozenset[int]:
    """Organisations in which the user holds the admin role (membership), and so handles requests."""
    return frozenset(org for _, role, org in permissions.memberships(user) if role == Role.ADMIN)


def may_handle_requests(user, organisation=None) -> bool:
    orgs = request_organisation_ids(user)
    if organisation is None:
        return bool(orgs)
    return (organisation if isinstance(organisation, int) else organisation.pk) in orgs


def visible_requests(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = DataSubjectRequest.objects.all() if queryset is None else queryset
    return qs.filter(organisation_id__in=request_organisation_ids(user))


def get_request_or_404(user, pk: int) -> DataSubjectRequest:
    dsr = (
        visible_requests(user)
        .select_related("organisation", "subject_user", "registered_by", "handled_by")
        .filter(pk=pk)
        .first()
    )
    if dsr is None:
        raise Http404
    return dsr


def organisation_users(organisation_id: int) -> QuerySet:
    """The people of one organisation: its users and anyone holding a role in one of its units."""
    return (
        User.objects.filter(Q(organisation_id=organisation_id) | Q(memberships__unit__organisation_id=organisation_id))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def record_organisation_ids(user) -> frozenset[int]:
    """Organisations whose record of processing the user may read: as admin or as manager."""
    return frozenset(org for _, role, org in permissions.memberships(user) if role in (Role.ADMIN, Role.MANAGER))


def may_read_record(user) -> bool:
    return bool(record_organisation_ids(user))
