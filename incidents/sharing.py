"""Sharing an incident with a union rep (DOMAIN.md section 2).

The employee concerned (a target, or the caseworker who reported it) may share the
incident with a named union rep of their unit: a user with a union rep membership on one of
the employee's caseworker units or a unit above it. The rep may then read the incident
(`incidents.policy.is_shared_with`): never change it, add evidence or see notes. The
employee can withdraw the share at any time; the row stays for the record. Sharing and
withdrawing are audited, and the rep is notified in the same transaction.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Role, Unit, User
from accounts.tree import UnitTree
from audit.models import AuditEvent
from audit.services import audit_record

from . import policy
from .models import Incident, IncidentShare


class ShareRefused(ValueError):
    """The share cannot be made (the message is Danish and fit for the user)."""


def _units_and_ancestors(unit_ids: frozenset[int]) -> set[int]:
    if not unit_ids:
        return set()
    organisation_ids = Unit.objects.filter(pk__in=unit_ids).values_list("organisation_id", flat=True)
    return UnitTree.of_organisations(organisation_ids).with_ancestors(unit_ids)


def share_candidates(user) -> QuerySet:
    """Union reps the user may share their incidents with: reps of the user's caseworker
    units or of a unit above them, active, and not the user."""
    units = _units_and_ancestors(permissions.units_for(user, Role.CASEWORKER))
    return (
        User.objects.filter(is_active=True, memberships__role=Role.UNION_REP, memberships__unit_id__in=units)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def active_shares(incident: Incident) -> QuerySet:
    return IncidentShare.objects.filter(incident=incident, withdrawn_at__isnull=True).select_related("union_rep")


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.job_title})" if obj.job_title else name


class IncidentShareForm(forms.Form):
    union_rep = RepChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Del med"),
        empty_label=gettext_lazy("Vælg tillidsrepræsentant"),
        error_messages={
            "required": gettext_lazy("Vælg den tillidsrepræsentant, du vil dele sagen med."),
            "invalid_choice": gettext_lazy("Vælg en tillidsrepræsentant fra listen."),
        },
    )

    def __init__(self, *args, user, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        already = IncidentShare.objects.filter(incident=incident, withdrawn_at__isnull=True).values("union_rep_id")
        self.fields["union_rep"].queryset = share_candidates(user).exclude(pk__in=already)


def share_card_context(user, incident: Incident, *, form: IncidentShareForm | None = None) -> dict:
    """What templates/incidents/includes/share_card.html needs (3 queries)."""
    if not policy.may_share(user, incident):
        return {"may_share": False}
    form = form or IncidentShareForm(user=user, incident=incident)
    return {
        "may_share": True,
        "share_form": form,
        "share_choices": list(form.fields["union_rep"].queryset),
        "active_shares": list(active_shares(incident)),
    }


@transaction.atomic
def incident_share(*, actor, incident: Incident, union_rep, request=None) -> IncidentShare:
    """Share the incident with the union rep (once: an active share is returned as it is)."""
    from .notify import on_incident_shared

    if not policy.may_share(actor, incident):
        raise ShareRefused(_("Du kan kun dele dine egne sager."))
    if not share_candidates(actor).filter(pk=union_rep.pk).exists():
        raise ShareRefused(_("Du kan kun dele sagen med en tillidsrepræsentant i din enhed."))
    existing = (
        IncidentShare.objects.select_for_update()
        .filter(incident=incident, union_rep=union_rep, withdrawn_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing
    share = IncidentShare.objects.create(incident=incident, union_rep=union_rep, shared_by=actor)
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=share,
        summary=_("Sag delt med tillidsrepræsentant"),
        details={"union_rep": union_rep.get_username(), "union_rep_id": union_rep.pk},
    )
    on_incident_shared(share)
    return share


@transaction.atomic
def incident_share_withdraw(*, actor, share: IncidentShare, request=None) -> IncidentShare:
    """End the share; the rep can no longer open the incident."""
    share = (
        IncidentShare.objects.select_for_update()
        .select_related("incident", "incident__unit", "union_rep")
        .get(pk=share.pk)
    )
    if not policy.may_share(actor, share.incident):
        raise ShareRefused(_("Du kan kun trække delinger af dine egne sager tilbage."))
    if share.withdrawn_at is not None:
        return share
    share.withdrawn_at = timezone.now()
    share.withdrawn_by = actor
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=share,
        summary=_("Deling med tillidsrepræsentant trukket tilbage"),
        details={"union_rep": share.union_rep.get_username(), "union_rep_id": share.union_rep_id},
    )
    return share


def shared_with(user) -> QuerySet:
    """Incidents shared with the user as union rep, newest share first (for their page)."""
    return (
        policy.shared_incidents(user)
        .select_related("unit")
        .only("reference", "status", "registered_at", "unit__name")
        .order_by("-registered_at", "-id")
    )
