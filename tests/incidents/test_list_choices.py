"""The list's filter choices from the shared cache, and the list's controls and rows written in
Python (incidents/list_choices.py, IncidentFilter.controls_html, selectors.list_body_html)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from incidents import casework, list_choices
from tests.factories import member
from tests.incidents.test_manager_views import ESCAPED_SCRIPT, SCRIPT, register

pytestmark = pytest.mark.django_db


def _options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def _filter_form(page: str) -> str:
    return re.search(r'<form method="get".*?</form>', page, re.S).group(0)


def _list(client, **params) -> str:
    response = client.get(reverse("incidents:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_choices_are_what_the_database_says(personas):
    incident = register(personas)
    casework.case_assign(actor=personas.manager, incident=incident, owner=personas.manager)
    choices = list_choices.choices_for(personas.manager)
    assert [name for _pk, name, _parent in choices["units"]] == sorted(
        ["Socialforvaltning", "Børn og Familie", "Team Nord", "Jobcenter"]
    )
    assert (personas.caseworker.pk, "Sara Sagsbehandler") in choices["targets"]
    assert personas.outsider.pk not in {pk for pk, _name in choices["targets"]}  # no unit of theirs
    assert choices["owners"] == ((personas.manager.pk, "Mette Leder"),)
    # Another manager sees their own units only, and no owner of a case they cannot see.
    other = list_choices.choices_for(personas.other_manager)
    assert [name for _pk, name, _parent in other["units"]] == ["Jobcenter"]
    assert other["owners"] == ()


def test_a_second_showing_asks_the_database_nothing_for_the_choices(personas):
    list_choices.choices_for(personas.manager)
    with CaptureQueriesContext(connection) as captured:
        again = list_choices.choices_for(personas.manager)
    assert len(captured.captured_queries) == 0
    assert again["targets"]


def test_a_new_employee_a_new_owner_and_a_renamed_unit_are_offered_at_once(client, personas):
    client.force_login(personas.manager)
    incident = register(personas)
    page = _list(client)
    assert ("ingen", "Uden sagsansvarlig") in _options(page, "owner")
    # A caseworker joins a unit below the manager's.
    newcomer = member(personas.team, Role.CASEWORKER, username="ny", first_name="Nora", last_name="Ny")
    assert (str(newcomer.pk), "Nora Ny") in _options(_list(client), "target")
    # A case gets an owner.
    casework.case_assign(actor=personas.manager, incident=incident, owner=personas.manager)
    assert (str(personas.manager.pk), "Mette Leder") in _options(_list(client), "owner")
    # A unit is renamed.
    personas.team.name = "Team Syd"
    personas.team.save()
    assert (str(personas.team.pk), "Team Syd") in _options(_list(client), "unit")
    # The employee is deactivated.
    newcomer.is_active = False
    newcomer.save()
    assert str(newcomer.pk) not in dict(_options(_list(client), "target"))


def test_a_sign_in_does_not_forget_the_choices(personas):
    from django.contrib.auth.models import update_last_login

    list_choices.choices_for(personas.manager)
    update_last_login(None, personas.caseworker)
    with CaptureQueriesContext(connection) as captured:
        list_choices.choices_for(personas.manager)
    assert len(captured.captured_queries) == 0


def test_a_manager_kept_out_of_a_case_is_no_longer_offered_as_its_owner(personas):
    from tests.factories import member as make_member

    colleague = make_member(personas.root, Role.MANAGER, username="kollega", first_name="Kim", last_name="Kollega")
    incident = register(personas)
    casework.case_assign(actor=personas.manager, incident=incident, owner=colleague)
    assert (colleague.pk, "Kim Kollega") in list_choices.choices_for(personas.manager)["owners"]
    casework.case_exclude(actor=personas.manager, incident=incident, manager=colleague, reason="Inhabil")
    assert list_choices.choices_for(personas.manager)["owners"] == ()


def test_the_owner_select_offers_all_once_and_keeps_the_chosen_value(client, personas):
    client.force_login(personas.manager)
    options = _options(_list(client, owner="mine"), "owner")
    assert [value for value, _label in options].count("") == 1
    page = _list(client, owner="mine")
    assert '<option value="mine" selected>Mine sager</option>' in page


def test_refused_filter_values_are_marked_and_described(client, personas):
    client.force_login(personas.manager)
    page = _list(client, level="9", registered_from="ikke-en-dato", q="Sara")
    assert re.search(
        r'<select name="level" id="id_level" class="form-select is-invalid" aria-invalid="true" '
        r'aria-describedby="id_level_error">',
        page,
    )
    assert '<div id="id_level_error" class="invalid-feedback d-block"><strong>' in page
    # The date input keeps what was typed, with its error tied to it.
    assert re.search(
        r'<input type="date" name="registered_from" value="ikke-en-dato" class="form-control is-invalid" '
        r'aria-invalid="true" aria-describedby="id_registered_from_error" id="id_registered_from">',
        page,
    )
    # The search field keeps its text and its help.
    assert re.search(
        r'<input type="text" name="q" value="Sara" class="form-control" '
        r'aria-describedby="id_q_helptext" id="id_q">',
        page,
    )


def test_a_unit_or_employee_outside_the_managers_reach_is_refused(client, personas):
    """The form class is shared by every list; each form checks a value against its own
    manager's units and employees."""
    register(personas)
    client.force_login(personas.manager)
    mine = _list(client, unit=personas.family.pk, target=personas.caseworker.pk)
    assert "is-invalid" not in mine
    assert "1 hændelse" in mine
    client.force_login(personas.other_manager)  # manager of Jobcenter only
    theirs = _list(client, unit=personas.family.pk, target=personas.caseworker.pk)
    assert 'id="id_unit_error"' in theirs
    assert 'id="id_target_error"' in theirs
    assert "1 hændelse" not in theirs
    # And the first manager's values are still accepted afterwards.
    client.force_login(personas.manager)
    assert "is-invalid" not in _list(client, unit=personas.family.pk)


def test_the_list_without_filters_has_its_controls_in_each_language_and_page(client, personas):
    """The controls of the list as it opens are kept per manager, choices and language."""
    client.force_login(personas.manager)
    danish = _list(client)
    assert '<label for="id_q" class="form-label">Søg</label>' in danish
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _list(client)
    assert '<label for="id_q" class="form-label">Search</label>' in english
    assert ("", "All") in _options(english, "status")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    assert _filter_form(_list(client)) == _filter_form(danish)
    # A page number alone is the list without filters; a filter's value is shown as chosen.
    assert '<label for="id_q" class="form-label">Søg</label>' in _list(client, page="2")
    assert '<option value="reported" selected>' in _list(client, status="reported")
    assert '<option value="reported" selected>' not in _list(client)


def test_the_rows_escape_what_people_typed(client, personas):
    client.force_login(personas.manager)
    register(personas, title=SCRIPT, target_names=SCRIPT)
    page = _list(client, q=SCRIPT)
    assert SCRIPT not in page
    assert page.count(ESCAPED_SCRIPT) >= 2  # the title and the named outsider
    # A filter value is escaped in the control too.
    assert f'value="{ESCAPED_SCRIPT}"' in page


def test_the_rows_show_employees_in_name_order_and_platforms_once(client, personas):
    client.force_login(personas.manager)
    second = member(personas.family, Role.CASEWORKER, username="anna", first_name="Anna", last_name="Andersen")
    incident = register(
        personas,
        targets=[personas.caseworker, second],
        publications=[{"platform": "youtube"}, {"platform": "facebook"}, {"platform": "facebook"}],
    )
    page = _list(client)
    row = re.search(
        rf'<tr><th scope="row" class="text-nowrap"><a href="[^"]+">{incident.reference}</a></th>.*?</tr>', page
    )
    assert row
    cells = re.findall(r"<td>(.*?)</td>", row.group(0))
    assert cells[2] == "Anna Andersen, Sara Sagsbehandler"
    assert cells[3] == "Facebook, YouTube"
