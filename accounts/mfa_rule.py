"""The organisation's rule on two factors for managers and admins, and its audited changes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record


def organisation_mfa_rule_audit(
    *, organisation, previous_required: bool | None, previous_reason: str, actor=None, request=None
) -> None:
    """Record a change of the rule (required or relaxed, and why) in the audit chain."""
    unchanged = (
        previous_required == organisation.require_mfa_for_managers
        and previous_reason == organisation.mfa_relaxed_reason
    )
    if unchanged:
        return
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=organisation,
        organisation_id=organisation.pk,
        summary=(
            _("Tofaktorlogin kræves igen for ledere og administratorer")
            if organisation.require_mfa_for_managers
            else _("Krav om tofaktorlogin for ledere og administratorer lempet")
        ),
        details={
            "require_mfa_for_managers": organisation.require_mfa_for_managers,
            "previous": previous_required,
            "reason": organisation.mfa_relaxed_reason,
        },
    )
