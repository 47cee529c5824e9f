"""The choices of the list's filters, kept in the shared cache per manager.

The list's filter form offers the manager's units, the employees of those units and the case
owners of the manager's incidents. Asked of the database that is three queries on every
showing of the list (the owners' over the incidents themselves), for sets that rarely change.
They are computed once and kept in the cache per user (common/generations.py), with a
generation number that moves on whenever one of them may have changed:

- a membership, a user (not a sign-in's `last_login`), a unit or an organisation saved or
  deleted: a unit's name, an employee joining or leaving, a person renamed or deactivated;
- an incident with a case owner saved or deleted: a new owner to choose, or one fewer;
- a manager kept out of a case, or let back in (their incidents changed; the owner removed
  then, with a bulk `update()`, is seen at the commit that follows).

Each bump happens at once and again at the commit (a list shown in between may have cached
what was not yet committed). Any other change made with a bulk `update()` is seen after
`TIMEOUT` seconds. When the cache is down each showing asks the database as before.

The choices are plain values (ids, names), the same in every language.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import full_name
from common.generations import cached, move_on

TIMEOUT = 300
GENERATION_KEY = "list-choices:generation"


def _user_key(user_id: int) -> str:
    return f"list-choices:user:{user_id}"


def _build(user) -> dict:
    from accounts.models import User

    from .forms.manager import managed_units, target_candidates
    from .policy import managed_incidents

    owned = managed_incidents(user).exclude(owner__isnull=True).values("owner_id")
    people = ("pk", "first_name", "last_name", "username")
    return {
        # Which build this is (the list's default controls are kept per build, incidents.filters).
        "built": uuid.uuid4().hex,
        "units": tuple(managed_units(user).values_list("id", "name", "parent_id")),
        "targets": tuple((pk, full_name(*names)) for pk, *names in target_candidates(user).values_list(*people)),
        "owners": tuple(
            (pk, full_name(*names))
            for pk, *names in User.objects.filter(pk__in=owned)
            .order_by("first_name", "last_name", "username")
            .values_list(*people)
        ),
    }


def choices_for(user) -> dict:
    """{"units": ((id, name, parent id), …), "targets": ((id, name), …), "owners": ((id, name), …),
    "built": a token of this build} for the manager `user`, sorted as the form shows them."""
    return cached(_user_key(user.pk), GENERATION_KEY, lambda: _build(user), TIMEOUT)


def forget_everyone() -> None:
    move_on(GENERATION_KEY)


def _changed(sender=None, **kwargs) -> None:
    """Now, and again at the commit: a list shown in between may have cached what the
    transaction had not yet committed."""
    forget_everyone()
    transaction.on_commit(forget_everyone)


def _user_changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is None or set(update_fields) - {"last_login"}:
        _changed()


def _incident_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if "owner" in (update_fields or ()) or (update_fields is None and instance.owner_id is not None):
        _changed()


def _incident_deleted(sender, instance, **kwargs) -> None:
    if instance.owner_id is not None:
        _changed()


def connect() -> None:
    from accounts.models import Membership, Organisation, Unit, User

    from .models import CaseExclusion, Incident

    for model in (Membership, Unit, Organisation, CaseExclusion):
        post_save.connect(_changed, sender=model, dispatch_uid=f"list-choices-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"list-choices-{model.__name__}-delete")
    post_save.connect(_user_changed, sender=User, dispatch_uid="list-choices-user-save")
    post_delete.connect(_changed, sender=User, dispatch_uid="list-choices-user-delete")
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="list-choices-incident-save")
    post_delete.connect(_incident_deleted, sender=Incident, dispatch_uid="list-choices-incident-delete")
