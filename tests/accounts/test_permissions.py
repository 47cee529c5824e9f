"""The access policy, role by role, including the outsider and anonymous."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions
from accounts.models import Role
from tests.factories import OrganisationFactory, UnitFactory, member

pytestmark = pytest.mark.django_db


def test_manager_covers_own_unit_and_every_unit_below(personas):
    p = personas
    for unit in (p.root, p.family, p.team, p.jobcenter):
        assert permissions.may_view_unit_incidents(p.manager, unit)
        assert permissions.may_change_unit_incidents(p.manager, unit)
        assert permissions.may_assess(p.manager, unit)
        assert permissions.may_report(p.manager, unit)


def test_manager_of_one_department_does_not_see_siblings_or_parent(personas):
    p = personas
    assert permissions.may_view_unit_incidents(p.other_manager, p.jobcenter)
    assert not permissions.may_view_unit_incidents(p.other_manager, p.family)
    assert not permissions.may_view_unit_incidents(p.other_manager, p.team)
    assert not permissions.may_view_unit_incidents(p.other_manager, p.root)


@pytest.mark.parametrize("name", ["caseworker", "union_rep", "admin", "outsider"])
def test_only_managers_act_on_unit_incidents(personas, name):
    user = getattr(personas, name)
    for unit in (personas.root, personas.family, personas.jobcenter):
        assert not permissions.may_view_unit_incidents(user, unit)
        assert not permissions.may_change_unit_incidents(user, unit)
        assert not permissions.may_assess(user, unit)
        assert not permissions.may_report(user, unit)


def test_caseworker_belongs_to_own_unit_only_and_may_self_report(personas):
    p = personas
    assert permissions.units_for(p.caseworker, Role.CASEWORKER) == {p.family.pk}
    assert permissions.may_self_report(p.caseworker)
    assert not permissions.may_self_report(p.manager)
    assert not permissions.may_self_report(p.outsider)


def test_union_rep_sees_anonymised_statistics_of_units_below(personas):
    p = personas
    assert permissions.may_see_statistics(p.union_rep)
    assert permissions.may_see_statistics(p.union_rep, p.team)
    assert not permissions.sees_exact_statistics(p.union_rep, [p.family.pk])


def test_manager_sees_exact_statistics_only_for_units_they_manage(personas):
    p = personas
    assert permissions.sees_exact_statistics(p.manager, [p.family.pk, p.jobcenter.pk])
    assert permissions.sees_exact_statistics(p.other_manager, [p.jobcenter.pk])
    assert not permissions.sees_exact_statistics(p.other_manager, [p.jobcenter.pk, p.family.pk])
    assert not permissions.may_see_statistics(p.other_manager, p.family)


@pytest.mark.parametrize("name", ["caseworker", "outsider"])
def test_no_statistics_without_manager_or_union_rep_role(personas, name):
    assert not permissions.may_see_statistics(getattr(personas, name))


def test_admin_administers_own_organisation_only(personas):
    p = personas
    other_org = OrganisationFactory()
    assert permissions.may_administer(p.admin)
    assert permissions.may_administer(p.admin, p.org)
    assert not permissions.may_administer(p.admin, other_org)
    for name in ("manager", "caseworker", "union_rep", "outsider"):
        assert not permissions.may_administer(getattr(p, name))


def test_anonymous_may_nothing(personas):
    anon = AnonymousUser()
    assert permissions.roles(anon) == frozenset()
    assert not permissions.may_view_unit_incidents(anon, personas.root)
    assert not permissions.may_see_statistics(anon)
    assert not permissions.may_administer(anon)
    assert not permissions.may_self_report(anon)


def test_inactive_user_loses_every_right(personas):
    personas.manager.is_active = False
    assert not permissions.may_view_unit_incidents(personas.manager, personas.root)


def test_units_of_another_organisation_are_never_covered(personas):
    foreign = UnitFactory(organisation=OrganisationFactory())
    for name in ("manager", "union_rep", "admin"):
        assert not permissions.may_view_unit_incidents(getattr(personas, name), foreign)
        assert not permissions.may_see_statistics(getattr(personas, name), foreign)


def test_several_roles_in_several_units_combine(personas):
    user = member(personas.jobcenter, Role.MANAGER)
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, unit=personas.family, role=Role.CASEWORKER)
    permissions.forget(user)
    assert permissions.roles(user) == {Role.MANAGER, Role.CASEWORKER}
    assert permissions.may_view_unit_incidents(user, personas.jobcenter)
    assert not permissions.may_view_unit_incidents(user, personas.family)
    assert permissions.may_self_report(user)


def test_answers_are_cached_per_request(personas, django_assert_num_queries):
    user = personas.manager
    permissions.forget(user)
    with django_assert_num_queries(3):  # memberships, the unit tree, the two-factor rule
        for _ in range(5):
            permissions.may_view_unit_incidents(user, personas.team)
            permissions.may_see_statistics(user, personas.family)


def test_answers_are_cached_between_requests_until_memberships_change(personas, django_assert_num_queries):
    from accounts.models import Membership, Role

    user = personas.manager
    permissions.forget(user)
    assert permissions.may_view_unit_incidents(user, personas.team)
    permissions.forget(user)  # the next request
    with django_assert_num_queries(0):
        assert permissions.may_view_unit_incidents(user, personas.team)
        assert permissions.units_for(user, Role.CASEWORKER) == frozenset()
    # A membership granted or removed (any path that saves or deletes the row) counts at once.
    Membership.objects.create(user=user, unit=personas.jobcenter, role=Role.CASEWORKER)
    permissions.forget(user)
    assert permissions.units_for(user, Role.CASEWORKER) == {personas.jobcenter.pk}
    Membership.objects.filter(user=user, role=Role.MANAGER).delete()
    permissions.forget(user)
    assert not permissions.may_view_unit_incidents(user, personas.team)


def test_a_new_unit_is_covered_at_once(personas):
    from accounts.models import Unit

    user = personas.manager
    assert permissions.may_view_unit_incidents(user, personas.team)
    below = Unit.objects.create(organisation=personas.org, name="Ny gruppe", parent=personas.team)
    permissions.forget(user)
    assert permissions.may_view_unit_incidents(user, below)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", "dashboard:manager"),
        ("caseworker", "dashboard:caseworker"),
        ("union_rep", "dashboard:union_rep"),
        ("admin", "dashboard:admin"),
        ("outsider", "dashboard:no_role"),
    ],
)
def test_landing_page_per_role(personas, name, expected):
    assert permissions.home_url_name(getattr(personas, name)) == expected


def test_the_two_factor_answers_follow_the_rule_and_the_authenticators(personas):
    from allauth.mfa.models import Authenticator

    from accounts.middleware import has_totp, mfa_required

    user = personas.manager
    personas.org.require_mfa_for_managers = True
    personas.org.save()
    assert mfa_required(user) and not has_totp(user)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    permissions.forget(user)
    assert has_totp(user)
    personas.org.require_mfa_for_managers = False
    personas.org.mfa_relaxed_reason = "Kun adgang fra rådhusets net"
    personas.org.save()
    permissions.forget(user)
    assert not mfa_required(user)
