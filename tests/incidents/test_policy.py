"""incidents.policy persona by persona: who sees, handles and adds to which incident.

The incidents (units from the personas fixture: Socialforvaltning → {Børn og Familie →
Team Nord, Jobcenter}):

    family      Børn og Familie, targets the caseworker
    team        Team Nord (below Børn og Familie), no user targeted
    job         Jobcenter, targets the other caseworker
    cross       Jobcenter, targets the caseworker of Børn og Familie (another unit than hers)
    self_report Børn og Familie, reported by the caseworker herself, targets her
    by_other    Jobcenter, reported by the other caseworker about a colleague without a user
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts import permissions
from incidents import policy
from incidents.models import Incident
from incidents.services import incident_register

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
ALL = {"family", "team", "job", "cross", "self_report", "by_other"}

# Who may open which incident (visible_incidents / may_view / get_incident_or_404).
VISIBLE = {
    "manager": ALL,
    "other_manager": {"job", "cross", "by_other"},
    "caseworker": {"family", "cross", "self_report"},
    "other_caseworker": {"job", "by_other"},
    "union_rep": set(),
    "admin": set(),
    "outsider": set(),
    "anonymous": set(),
}
# Who handles which incident as manager (managed_incidents / may_change / sees_internal_notes).
MANAGED = {
    "manager": ALL,
    "other_manager": {"job", "cross", "by_other"},
}
# Where the user is the employee concerned (own_incidents), for the employees.
OWN = {
    "caseworker": {"family", "cross", "self_report"},
    "other_caseworker": {"job", "by_other"},
}
PERSONAS = list(VISIBLE)


def _register(p, name, unit, *, actor=None, targets=(), channel=Incident.Channel.MANAGER, **fields):
    return incident_register(
        actor=actor or p.manager,
        unit=unit,
        channel=channel,
        targets=targets,
        now=NOW,
        fields={"title": f"Hændelse {name}", "discovered_at": NOW, "named": True, **fields},
    )


@pytest.fixture
def incidents(personas):
    p = personas
    return {
        "family": _register(p, "family", p.family, targets=[p.caseworker]),
        "team": _register(p, "team", p.team, target_names="Lene A."),
        "job": _register(p, "job", p.jobcenter, targets=[p.other_caseworker]),
        "cross": _register(p, "cross", p.jobcenter, targets=[p.caseworker]),
        "self_report": _register(
            p, "self_report", p.family, actor=p.caseworker, targets=[p.caseworker], channel=Incident.Channel.SELF_REPORT
        ),
        "by_other": _register(
            p,
            "by_other",
            p.jobcenter,
            actor=p.other_caseworker,
            target_names="Bo K.",
            channel=Incident.Channel.SELF_REPORT,
        ),
    }


def _user(personas, name):
    return AnonymousUser() if name == "anonymous" else getattr(personas, name)


def _names(queryset, incidents) -> set[str]:
    by_pk = {incident.pk: name for name, incident in incidents.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("name", PERSONAS)
def test_visible_incidents(personas, incidents, name):
    assert _names(policy.visible_incidents(_user(personas, name)), incidents) == VISIBLE[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_managed_incidents(personas, incidents, name):
    user = _user(personas, name)
    if name == "anonymous":
        assert not policy.managed_incidents(user).exists()
        return
    assert _names(policy.managed_incidents(user), incidents) == MANAGED.get(name, set())


@pytest.mark.parametrize("name", ["caseworker", "other_caseworker", "union_rep", "admin", "outsider", "anonymous"])
def test_own_incidents(personas, incidents, name):
    assert _names(policy.own_incidents(_user(personas, name)), incidents) == OWN.get(name, set())


def test_visible_incidents_narrows_a_given_queryset(personas, incidents):
    open_family = Incident.objects.filter(unit=personas.family)
    assert _names(policy.visible_incidents(personas.caseworker, open_family), incidents) == {"family", "self_report"}


@pytest.mark.parametrize("name", PERSONAS)
def test_object_questions(personas, incidents, name):
    user = _user(personas, name)
    for key, incident in incidents.items():
        visible = key in VISIBLE[name]
        managed = key in MANAGED.get(name, set())
        assert policy.may_view(user, incident) is visible, key
        assert policy.may_add_evidence(user, incident) is visible, key
        assert policy.may_change(user, incident) is managed, key
        assert policy.may_remove_evidence(user, incident) is managed, key
        assert policy.may_assess(user, incident) is managed, key
        assert policy.may_report(user, incident) is managed, key
        assert policy.sees_internal_notes(user, incident) is managed, key


@pytest.mark.parametrize("name", PERSONAS)
def test_get_incident_or_404(personas, incidents, name):
    user = _user(personas, name)
    for key, incident in incidents.items():
        if key in VISIBLE[name]:
            found = policy.get_incident_or_404(user, incident.reference)
            assert found.pk == incident.pk
            assert found.unit_id == incident.unit_id
        else:
            with pytest.raises(Http404):
                policy.get_incident_or_404(user, incident.reference)
    with pytest.raises(Http404):
        policy.get_incident_or_404(user, "UDH-2026-9999")


def test_caseworker_targeted_in_another_unit_follows_but_does_not_handle_it(personas, incidents):
    cross = incidents["cross"]
    caseworker = personas.caseworker
    assert cross.unit == personas.jobcenter
    assert policy.is_employee_of(caseworker, cross)
    assert not policy.is_manager_of(caseworker, cross)
    assert policy.may_view(caseworker, cross)
    assert policy.may_add_evidence(caseworker, cross)
    assert not policy.may_change(caseworker, cross)
    assert not policy.sees_internal_notes(caseworker, cross)
    # The manager of her own unit does not see it; the manager of Jobcenter handles it.
    family_manager = _family_manager(personas)
    assert not policy.may_view(family_manager, cross)
    assert policy.may_change(personas.other_manager, cross)


def _family_manager(personas):
    from accounts.models import Role
    from tests.factories import member

    return member(personas.family, Role.MANAGER, username="family_manager")


def test_manager_of_a_department_sees_the_teams_below_but_not_the_siblings(personas, incidents):
    family_manager = _family_manager(personas)
    assert _names(policy.visible_incidents(family_manager), incidents) == {"family", "team", "self_report"}
    assert policy.may_change(family_manager, incidents["team"])
    assert not policy.may_view(family_manager, incidents["job"])


def test_the_reporter_follows_their_report_as_the_employee(personas, incidents):
    by_other = incidents["by_other"]
    reporter = personas.other_caseworker
    assert by_other.reporter == reporter
    assert not by_other.targets.exists()
    assert policy.is_employee_of(reporter, by_other)
    assert policy.may_view(reporter, by_other)
    assert policy.may_add_evidence(reporter, by_other)
    assert not policy.may_change(reporter, by_other)
    assert not policy.sees_internal_notes(reporter, by_other)


def test_a_deactivated_employee_sees_nothing(personas, incidents):
    caseworker = personas.caseworker
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    permissions.forget(caseworker)
    assert not policy.visible_incidents(caseworker).exists()
    assert not policy.own_incidents(caseworker).exists()
    assert not policy.may_view(caseworker, incidents["family"])
    with pytest.raises(Http404):
        policy.get_incident_or_404(caseworker, incidents["family"].reference)


def test_a_target_removed_from_the_incident_loses_access(personas, incidents):
    cross = incidents["cross"]
    cross.targets.remove(personas.caseworker)
    assert not policy.may_view(personas.caseworker, cross)
    with pytest.raises(Http404):
        policy.get_incident_or_404(personas.caseworker, cross.reference)


def test_visible_incidents_is_one_query(personas, incidents, django_assert_num_queries):
    manager = personas.manager
    policy.visible_incidents(manager).count()  # fills the per-request policy cache
    with django_assert_num_queries(1):
        assert policy.visible_incidents(manager).count() == len(ALL)
