"""The one access policy.

Every view, API endpoint, admin screen, task and export asks this module who may do
what. Roles come from memberships (user × unit × role); a manager's or union rep's
membership covers the unit and every unit below it. Answers are cached on the user
object for the length of one request, so a page costs the same few queries however
many times it asks.

Questions answered here (DOMAIN.md section 2):

- may the user see / change / assess / report on the incidents of a unit (managers);
- may the user see the statistics of a unit, and exactly or only anonymised;
- may the user administer the organisation (admins);
- which landing page fits the user.

Object-level rules for incidents (a caseworker's own case, a case shared with a union
rep) build on these in `incidents/policy.py`, which is part of this policy.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Membership, Role, Unit
from .tree import UnitTree

_CACHE_ATTR = "_access_policy_cache"


def _cache(user) -> dict:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def forget(user) -> None:
    """Drop the per-request cache (after memberships changed in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _build_shared(user) -> dict:
    """What every request of the user asks: memberships, the unit tree of their organisations
    when a role covers units below, and the organisation's two-factor rule (three queries at
    most, kept in the shared cache by accounts/access_cache.py)."""
    found = tuple(Membership.objects.filter(user=user).values_list("unit_id", "role", "unit__organisation_id"))
    held = {role for _, role, _ in found}
    org_ids = {org for _, _, org in found} | ({user.organisation_id} if user.organisation_id else set())
    # (unit id, parent id) of every unit of their organisations; plain tuples, so the entry can
    # be kept in the shared cache (UnitTree is built from them once per request).
    tree = (
        tuple(Unit.objects.filter(organisation_id__in=org_ids).values_list("id", "parent_id"))
        if held - {Role.CASEWORKER}
        else ()
    )
    requires_mfa = False
    if held & {Role.MANAGER, Role.ADMIN} or user.is_superuser:
        from .models import Organisation

        requires_mfa = Organisation.objects.filter(pk__in=org_ids, require_mfa_for_managers=True).exists()
    return {"memberships": found, "tree": tree, "requires_mfa": requires_mfa}


def shared(user) -> dict:
    """The user's cached entry (memberships, tree, two-factor rule), once per request."""
    cache = _cache(user)
    if "shared" not in cache:
        from . import access_cache

        cache["shared"] = access_cache.entry(user, lambda: _build_shared(user))
    return cache["shared"]


def kept(user, key: str, build):
    """An answer kept in the user's cached entry beside the memberships: built with `build()`
    once, then read from the entry until it is dropped (accounts/access_cache.py says when)."""
    entry = shared(user)
    if key not in entry:
        from . import access_cache

        entry[key] = build()
        access_cache.store(user, entry)
    return entry[key]


def memberships(user) -> tuple[tuple[int, str, int], ...]:
    """(unit id, role, organisation id) for every membership of the user."""
    if not _is_active(user):
        return ()
    return shared(user)["memberships"]


def roles(user) -> frozenset[str]:
    """The roles the user holds anywhere."""
    return frozenset(role for _, role, _ in memberships(user))


def organisation_ids(user) -> frozenset[int]:
    ids = {org for _, _, org in memberships(user)}
    if _is_active(user) and user.organisation_id:
        ids.add(user.organisation_id)
    return frozenset(ids)


def units_for(user, role: str) -> frozenset[int]:
    """Ids of the units where the user acts in `role`.

    Managers, union reps and admins cover the units below their membership too;
    a caseworker belongs only to the unit of their membership.
    """
    if not _is_active(user):
        return frozenset()
    cache = _cache(user)
    key = ("units", role)
    if key not in cache:
        direct = [unit for unit, r, _ in memberships(user) if r == role]
        if not direct:
            cache[key] = frozenset()
        elif role == Role.CASEWORKER:
            cache[key] = frozenset(direct)
        else:
            if "tree" not in cache:
                cache["tree"] = UnitTree(shared(user)["tree"])
            cache[key] = cache["tree"].descendants(direct)
    return cache[key]


def _unit_id(unit) -> int:
    return unit if isinstance(unit, int) else unit.pk


# --- Unit-level questions ------------------------------------------------------------


def may_view_unit_incidents(user, unit) -> bool:
    """Managers see every incident of their units and the units below."""
    return _unit_id(unit) in units_for(user, Role.MANAGER)


def may_change_unit_incidents(user, unit) -> bool:
    """Register, edit and act on incidents: managers of the unit."""
    return _unit_id(unit) in units_for(user, Role.MANAGER)


def may_assess(user, unit) -> bool:
    """Confirm or override the assessed level: managers of the unit."""
    return _unit_id(unit) in units_for(user, Role.MANAGER)


def may_report(user, unit) -> bool:
    """Generate reports (police, Datatilsynet, platform, internal): managers of the unit."""
    return _unit_id(unit) in units_for(user, Role.MANAGER)


def may_self_report(user) -> bool:
    """Employees with a caseworker membership may report that they were hung out."""
    return bool(units_for(user, Role.CASEWORKER))


def self_report_units(user) -> frozenset[int]:
    """The units an employee may report for: their caseworker units."""
    return units_for(user, Role.CASEWORKER)


def manages_units(user) -> bool:
    """A manager of at least one unit (the manager's pages and the weekly digest)."""
    return bool(units_for(user, Role.MANAGER))


def statistics_units(user) -> frozenset[int]:
    """Units whose statistics the user may see (managers exactly, union reps anonymised)."""
    return units_for(user, Role.MANAGER) | units_for(user, Role.UNION_REP)


def may_see_statistics(user, unit=None) -> bool:
    units = statistics_units(user)
    return bool(units) if unit is None else _unit_id(unit) in units


def sees_exact_statistics(user, unit_ids: Iterable[int]) -> bool:
    """Exact figures only when the user manages every unit asked for; otherwise anonymised."""
    managed = units_for(user, Role.MANAGER)
    unit_ids = frozenset(unit_ids)
    return bool(unit_ids) and unit_ids <= managed


def may_administer(user, organisation=None) -> bool:
    """Users, units, memberships, settings, guideline texts and the audit log."""
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    admin_orgs = {org for _, role, org in memberships(user) if role == Role.ADMIN}
    if organisation is None:
        return bool(admin_orgs)
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return org_id in admin_orgs


def administered_organisation_ids(user) -> frozenset[int] | None:
    """Organisations the user administers; None means all (a superuser)."""
    if not _is_active(user):
        return frozenset()
    if user.is_superuser:
        return None
    return frozenset(org for _, role, org in memberships(user) if role == Role.ADMIN)


def home_url_name(user) -> str:
    """The landing page that fits the user's strongest role."""
    held = roles(user)
    if Role.MANAGER in held:
        return "dashboard:manager"
    if Role.CASEWORKER in held:
        return "dashboard:caseworker"
    if Role.UNION_REP in held:
        return "dashboard:union_rep"
    if may_administer(user):
        return "dashboard:admin"
    return "dashboard:no_role"
