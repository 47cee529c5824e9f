"""Who may handle data subject requests and read the record of processing (privacy/policy.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from privacy.models import DataSubjectRequest

pytestmark = pytest.mark.django_db

NOT_ADMINS = ("manager", "other_manager", "caseworker", "other_caseworker", "union_rep", "outsider")


def request_urls(dsr) -> dict[str, str]:
    return {
        "list": reverse("privacy:list"),
        "create": reverse("privacy:create"),
        "detail": reverse("privacy:detail", args=[dsr.pk]),
    }


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_only_admins_see_the_requests(client, personas, make_request, persona):
    dsr = make_request()
    client.force_login(getattr(personas, persona))
    for name, url in request_urls(dsr).items():
        assert client.get(url).status_code == 404, name
    for name in ("privacy:decide", "privacy:erase", "privacy:export_request", "privacy:identity", "privacy:item"):
        response = client.post(
            reverse(name, args=[dsr.pk]), {"decision": "refused", "justification": "x", "confirm": "on"}
        )
        assert response.status_code == 404, name
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.RECEIVED and not dsr.decision


def test_anonymous_is_sent_to_sign_in(client, make_request):
    dsr = make_request()
    for url in request_urls(dsr).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_admin_sees_the_list_and_the_request(client, personas, make_request):
    dsr = make_request()
    client.force_login(personas.admin)
    page = client.get(reverse("privacy:list")).content.decode()
    assert dsr.reference in page and "Sara Sagsbehandler" in page
    detail = client.get(reverse("privacy:detail", args=[dsr.pk]))
    assert detail.status_code == 200
    assert "Sara Sagsbehandler" in detail.content.decode()


def test_admin_of_another_organisation_gets_404_and_does_not_list_it(client, make_request, neighbour):
    dsr = make_request()
    client.force_login(neighbour.admin)
    assert dsr.reference not in client.get(reverse("privacy:list")).content.decode()
    for name, url in request_urls(dsr).items():
        if name in ("list", "create"):
            continue
        assert client.get(url).status_code == 404, name
    response = client.post(reverse("privacy:decide", args=[dsr.pk]), {"decision": "granted"})
    assert response.status_code == 404


def test_admin_of_another_organisation_cannot_find_its_people(client, personas, neighbour):
    client.force_login(neighbour.admin)
    form_page = client.get(reverse("privacy:create")).content.decode()
    assert "Nina Nabo" in form_page
    assert "Sara Sagsbehandler" not in form_page and "caseworker" not in form_page
    response = client.post(
        reverse("privacy:create"),
        {
            "organisation": neighbour.org.pk,
            "kind": "access",
            "subject_type": "employee",
            "subject_user": personas.caseworker.pk,
            "received_on": "2026-01-05",
            "requester": "Advokat Hansen",
        },
    )
    assert response.status_code == 400
    assert not DataSubjectRequest.objects.exists()
    assert "Advokat Hansen" in response.content.decode()  # nothing typed is lost
    # Nor can the other organisation be chosen.
    response = client.post(
        reverse("privacy:create"),
        {
            "organisation": personas.org.pk,
            "kind": "access",
            "subject_type": "perpetrator",
            "subject_name": "Ørjan",
            "received_on": "2026-01-05",
            "requester": "x",
        },
    )
    assert response.status_code == 400 and not DataSubjectRequest.objects.exists()


def test_a_superuser_without_an_admin_membership_does_not_handle_requests(client, personas, make_request):
    dsr = make_request()
    personas.outsider.is_superuser = True
    personas.outsider.save()
    client.force_login(personas.outsider)
    assert client.get(reverse("privacy:detail", args=[dsr.pk])).status_code == 404


@pytest.mark.parametrize(
    "persona,status",
    [
        ("admin", 200),
        ("manager", 200),
        ("other_manager", 200),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("outsider", 404),
    ],
)
def test_record_of_processing_is_for_admins_and_managers(client, personas, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("privacy:record")).status_code == status
    assert client.get(reverse("privacy:record_download")).status_code == status


def test_record_shows_only_the_users_own_organisations(client, personas, neighbour):
    client.force_login(personas.manager)
    page = client.get(reverse("privacy:record"), {"organisation": neighbour.org.pk}).content.decode()
    assert "Testkommune" in page and "Nabokommune" not in page


def test_the_admin_dashboard_links_to_the_requests(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("dashboard:admin")).content.decode()
    assert reverse("privacy:list") in page and reverse("privacy:record") in page


def test_admin_registers_requests_for_an_employee_and_a_perpetrator(client, personas):
    from django.utils import timezone

    client.force_login(personas.admin)
    form_page = client.get(reverse("privacy:create")).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in form_page  # the date input shows today
    response = client.post(
        reverse("privacy:create"),
        {
            "organisation": personas.org.pk,
            "kind": "access",
            "subject_type": "employee",
            "subject_user": personas.caseworker.pk,
            "received_on": "2026-01-05",
            "requester": "Den registrerede selv",
        },
    )
    employee = DataSubjectRequest.objects.get(subject_type="employee")
    assert response.status_code == 302 and response["Location"] == reverse("privacy:detail", args=[employee.pk])
    assert employee.subject_user == personas.caseworker and employee.subject_name == "Sara Sagsbehandler"
    assert employee.registered_by == personas.admin and str(employee.due_on) == "2026-02-05"
    response = client.post(
        reverse("privacy:create"),
        {
            "organisation": personas.org.pk,
            "kind": "erasure",
            "subject_type": "perpetrator",
            "subject_name": "  Ørjan   Ærlig-Åsted ",
            "subject_user": personas.caseworker.pk,
            "received_on": "2026-01-31",
            "requester": "Advokat med fuldmagt",
        },
    )
    perpetrator = DataSubjectRequest.objects.get(subject_type="perpetrator")
    assert perpetrator.subject_name == "Ørjan Ærlig-Åsted" and perpetrator.subject_user is None
    assert str(perpetrator.due_on) == "2026-02-28"  # one month, to the end of a shorter month
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="create", object_type="privacy.datasubjectrequest").count() == 2


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"subject_type": "employee"}, "subject_user", "Vælg den medarbejder"),
        ({"subject_type": "perpetrator", "subject_name": " – "}, "subject_name", "Skriv afsenderens navn"),
        (
            {"subject_type": "perpetrator", "subject_name": "Ørjan", "received_on": "2999-01-01"},
            "received_on",
            "kan ikke ligge i fremtiden",
        ),
    ],
)
def test_bad_input_gets_a_danish_message_and_keeps_the_rest(client, personas, data, field, message):
    client.force_login(personas.admin)
    post = {
        "organisation": personas.org.pk,
        "kind": "access",
        "received_on": "2026-01-05",
        "requester": "Min egen tekst",
        **data,
    }
    response = client.post(reverse("privacy:create"), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Min egen tekst" in page
    assert not DataSubjectRequest.objects.exists()
