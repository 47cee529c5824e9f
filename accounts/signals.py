"""Signals that apps above `accounts` listen to, so `accounts` never imports them.

role_self_granted(sender=Membership, membership, actor)
    an admin gave themselves a role (sent by `accounts.security` after the audit event);
    `notifications` tells the organisation's other admins.
organisation_retention_changed(sender=Organisation, organisation, request)
    an admin changed the organisation's retention period in the admin site;
    `retention` warns the admin of closed cases already past the new period.
"""

from django.dispatch import Signal

role_self_granted = Signal()
organisation_retention_changed = Signal()
