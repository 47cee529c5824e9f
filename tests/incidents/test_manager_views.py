"""The manager's screens: list, register, edit, status, actions and notes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, PendingAuditEvent
from audit.services import audit_seal_pending
from incidents import services
from incidents.models import Incident, IncidentDeadline, Note, Publication, TimelineEntry

pytestmark = pytest.mark.django_db

ALL_PERSONAS = ("manager", "other_manager", "caseworker", "other_caseworker", "union_rep", "admin", "outsider")
SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


# --- Helpers (also used by test_detail_view.py) -------------------------------------------


def register(
    personas, *, unit=None, title="Opslag i Facebook-gruppe", targets=None, publications=None, actor=None, **fields
) -> Incident:
    """An incident registered through the service, as the manager would."""
    fields.setdefault("discovered_at", (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0))
    return services.incident_register(
        actor=actor or personas.manager,
        unit=unit or personas.family,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, **fields},
        targets=[personas.caseworker] if targets is None else targets,
        publications=[{"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2"}]
        if publications is None
        else publications,
    )


def local_input(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(personas, *, publications=(), total=3, initial=0, **overrides) -> dict:
    """The POST body of the incident form: facts plus the publications formset."""
    data = {
        "unit": personas.family.pk,
        "targets": [personas.caseworker.pk],
        "target_names": "",
        "title": "Navngivet i lokal Facebook-gruppe",
        "description": "Borgeren har skrevet et opslag om sagsbehandleren.",
        "discovered_at": local_input(timezone.now() - timedelta(hours=2)),
        "perpetrator_relation": "citizen_own_case",
        "perpetrator_name": "",
        "perpetrator_profile_url": "",
        "absence_days": "0",
        "absence_start": "",
        "emotional_load": "",
        "named": "on",
        "offensive_language": "on",
        "publications-TOTAL_FORMS": str(total),
        "publications-INITIAL_FORMS": str(initial),
        "publications-MIN_NUM_FORMS": "0",
        "publications-MAX_NUM_FORMS": "30",
    }
    for index in range(total):
        data[f"publications-{index}-reach"] = "public"
        data[f"publications-{index}-still_online"] = "unknown"
    for index, publication in enumerate(publications):
        for key, value in publication.items():
            data[f"publications-{index}-{key}"] = value
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


TWO_PUBLICATIONS = (
    {"platform": "facebook", "url": "https://www.facebook.com/groups/1/posts/2", "quote": "Hun lyver"},
    {"platform": "youtube", "url": "youtube.com/watch?v=abc", "title": "Video fra mødet"},
)


def login(client, personas, name):
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def text(response) -> str:
    return response.content.decode()


# --- Who may open what -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 200),
        ("other_manager", 200),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("url_name", ["incidents:list", "incidents:create"])
def test_list_and_create_are_for_managers_only(client, personas, name, expected, url_name):
    response = login(client, personas, name).get(reverse(url_name))
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", ["incidents:list", "incidents:create"])
def test_anonymous_is_sent_to_sign_in(client, personas, url_name):
    assert_login_redirect(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("manager", 200),
        ("other_manager", 404),
        ("caseworker", 404),
        ("other_caseworker", 404),
        ("union_rep", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_edit_page_only_for_the_units_managers(client, personas, name, expected):
    incident = register(personas)  # Børn og Familie; the caseworker is the target
    response = login(client, personas, name).get(reverse("incidents:edit", args=[incident.reference]))
    assert response.status_code == expected
    if expected == 200:
        assert incident.title in text(response)


def test_other_manager_edits_their_own_units_incident(client, personas):
    incident = register(personas, unit=personas.jobcenter, targets=[personas.other_caseworker])
    client.force_login(personas.other_manager)
    assert client.get(reverse("incidents:edit", args=[incident.reference])).status_code == 200


WORKFLOW_POSTS = {
    "incidents:status": {"status-to_status": "assessing"},
    "incidents:action": {
        "action-action_code": "support_conversation",
        "action-occurred_on": timezone.localdate().isoformat(),
    },
    "incidents:note": {"note-body": "Talt med medarbejderen", "note-visibility": "internal"},
}


@pytest.mark.parametrize("url_name", list(WORKFLOW_POSTS))
@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_workflow_endpoints_only_for_the_units_managers(client, personas, name, url_name):
    incident = register(personas)
    before = TimelineEntry.objects.filter(incident=incident).count()
    response = login(client, personas, name).post(
        reverse(url_name, args=[incident.reference]), WORKFLOW_POSTS[url_name]
    )
    if name == "manager":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("incidents:detail", args=[incident.reference]))
        assert TimelineEntry.objects.filter(incident=incident).count() > before
    else:
        # The employee concerned (caseworker) may see the case, but not act on it.
        assert response.status_code == 404
        assert TimelineEntry.objects.filter(incident=incident).count() == before


@pytest.mark.parametrize("url_name", [*WORKFLOW_POSTS, "incidents:edit"])
def test_workflow_endpoints_send_anonymous_to_sign_in(client, personas, url_name):
    incident = register(personas)
    assert_login_redirect(client.post(reverse(url_name, args=[incident.reference]), {}))


@pytest.mark.parametrize("url_name", list(WORKFLOW_POSTS))
def test_workflow_endpoints_are_post_only(client, personas, url_name):
    incident = register(personas)
    client.force_login(personas.manager)
    assert client.get(reverse(url_name, args=[incident.reference])).status_code == 405


def test_unknown_reference_is_404(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("incidents:edit", args=["UDH-2000-9999"])).status_code == 404
    assert client.post(reverse("incidents:status", args=["UDH-2000-9999"]), {}).status_code == 404


def test_create_post_by_non_manager_stores_nothing(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("incidents:create"), form_data(personas, publications=TWO_PUBLICATIONS))
    assert response.status_code == 404
    assert not Incident.objects.exists()


# --- Registering -----------------------------------------------------------------------


def test_form_is_organised_in_sections_with_danish_help(client, personas):
    client.force_login(personas.manager)
    page = text(client.get(reverse("incidents:create")))
    for legend in (
        "Hvem er ramt",
        "Hvor er det offentliggjort",
        "Hvad gør indholdet",
        "Optagelser",
        "Hvem har offentliggjort det",
        "Følger for medarbejderen",
    ):
        assert f"<legend>{legend}</legend>" in page
    assert "Beskyldninger om magtmisbrug" in page
    assert "Påstande om, at medarbejderen misbruger sin myndighed" in page
    assert "hører til i kommunens klagesystem" in page
    assert 'name="evidence_files"' in page and "multiple" in page
    assert 'src="/static/js/incident-form.js"' in page
    # Three blank publication rows, so the form works without JavaScript too.
    assert 'name="publications-TOTAL_FORMS" value="3"' in page
    assert len(re.findall(r"data-formset-row(?!s)", page)) == 4  # three rows and the template for more


def test_form_offers_only_the_managers_units_and_employees(client, personas):
    client.force_login(personas.other_manager)
    page = text(client.get(reverse("incidents:create")))
    assert "Jobcenter" in page
    assert "Børn og Familie" not in page
    assert personas.other_caseworker.get_full_name() in page
    assert personas.caseworker.get_full_name() not in page


def test_manager_registers_incident_with_two_publications(client, personas):
    client.force_login(personas.manager)
    response = client.post(reverse("incidents:create"), form_data(personas, publications=TWO_PUBLICATIONS))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.reference])
    assert incident.channel == Incident.Channel.MANAGER
    assert incident.reporter == personas.manager
    assert incident.unit == personas.family
    assert list(incident.targets.all()) == [personas.caseworker]
    assert incident.named and incident.offensive_language and not incident.threat
    assert incident.assessed_level == 2
    publications = list(incident.publications.order_by("id"))
    assert [(p.platform, p.url) for p in publications] == [
        ("facebook", "https://www.facebook.com/groups/1/posts/2"),
        ("youtube", "https://youtube.com/watch?v=abc"),  # a missing scheme becomes https
    ]
    assert publications[0].quote == "Hun lyver"
    assert publications[1].still_online is None
    assert AuditEvent.objects.filter(action="create", incident_reference=incident.reference).exists()
    detail = client.get(response["Location"])
    assert f"Hændelsen {incident.reference} er registreret." in text(detail)


REGISTRATION_QUERIES = 18


def test_registration_queries_are_pinned(client, personas, django_assert_max_num_queries):
    """Registering with two publications costs a fixed number of queries (issue 20: at most 20;
    18 since the notification rows need no savepoint):
    session, user, the form's unit and employees, the reference, the incident (with its
    assessment), its employees, publications, deadlines and timeline entry, the audit event
    (chain head locked and moved), the employee's e-mail choice and notification rows, and the
    savepoints of the test's transaction. The audit event and the notifications still happen."""
    from notifications.models import Channel, Notification

    client.force_login(personas.manager)
    client.get(reverse("incidents:list"))  # warm up the session and the per-user access cache
    with django_assert_max_num_queries(REGISTRATION_QUERIES):
        response = client.post(reverse("incidents:create"), form_data(personas, publications=TWO_PUBLICATIONS))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.publications.count() == 2 and list(incident.targets.all()) == [personas.caseworker]
    assert incident.assessed_level == 2 and IncidentDeadline.objects.filter(incident=incident).exists()
    assert TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.REGISTERED).count() == 1
    assert AuditEvent.objects.filter(action="create", incident_reference=incident.reference).count() == 1
    rows = Notification.objects.filter(incident=incident, recipient=personas.caseworker)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.IN_APP]
    assert set(rows.values_list("about_incident_id", flat=True)) == {incident.pk}


def test_registration_with_its_after_commit_work_stays_within_the_pin(
    client, personas, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """What runs after the commit (the e-mail's hand-over, the statistics' recount, which is
    the worker's: stats.tasks.refresh_blocks) adds no query to the request."""
    client.force_login(personas.manager)
    client.get(reverse("incidents:list"))
    with (
        django_assert_max_num_queries(REGISTRATION_QUERIES),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse("incidents:create"), form_data(personas, publications=TWO_PUBLICATIONS))
    assert response.status_code == 302 and callbacks


def test_registration_without_publications_is_allowed(client, personas):
    client.force_login(personas.manager)
    response = client.post(reverse("incidents:create"), form_data(personas))
    assert response.status_code == 302
    assert Incident.objects.get().publications.count() == 0


def test_other_managers_unit_and_employee_are_refused(client, personas):
    client.force_login(personas.other_manager)
    response = client.post(
        reverse("incidents:create"), form_data(personas, unit=personas.family.pk, targets=[personas.caseworker.pk])
    )
    assert response.status_code == 200
    page = text(response)
    assert "Vælg en af dine egne enheder." in page
    assert "Vælg kun medarbejdere fra dine egne enheder." in page
    assert not Incident.objects.exists()


def test_rejected_evidence_file_is_named_and_the_incident_kept(client, personas, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents import evidence

    stored = []

    def fake_store(*, actor, incident, uploaded_file, request=None, **kwargs):
        if uploaded_file.name.endswith(".exe"):
            raise evidence.EvidenceRejected(f"{uploaded_file.name}: filtypen er ikke tilladt.")
        stored.append(uploaded_file.name)

    monkeypatch.setattr(evidence, "evidence_store", fake_store, raising=False)
    client.force_login(personas.manager)
    data = form_data(personas)
    data["evidence_files"] = [
        SimpleUploadedFile("skaermbillede.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream"),
        SimpleUploadedFile("opslag.pdf", b"%PDF-1.4\n", "application/pdf"),
    ]
    response = client.post(reverse("incidents:create"), data, follow=True)
    assert Incident.objects.count() == 1
    assert stored == ["skaermbillede.png", "opslag.pdf"]
    page = text(response)
    assert "«virus.exe» blev ikke gemt" in page
    assert "filtypen er ikke tilladt" in page
    assert "2 filer er gemt som dokumentation." in page


# --- Bad input -------------------------------------------------------------------------


def _bad_post(client, personas, **overrides):
    client.force_login(personas.manager)
    response = client.post(reverse("incidents:create"), form_data(personas, **overrides))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    return text(response)


@pytest.mark.parametrize("url", ["ftp://example.com/fil", "javascript:alert(1)", "data:text/html,hej"])
def test_publication_link_must_be_http(client, personas, url):
    page = _bad_post(client, personas, publications=[{"platform": "facebook", "url": url}])
    assert "Skriv en gyldig webadresse, der begynder med http:// eller https://." in page
    assert "Hændelsen er ikke gemt endnu" in page
    assert "Navngivet i lokal Facebook-gruppe" in page  # what was typed is kept


def test_perpetrator_profile_link_must_be_http(client, personas):
    page = _bad_post(client, personas, perpetrator_profile_url="javascript:alert(1)")
    assert "Skriv en gyldig webadresse, der begynder med http:// eller https://." in page


def test_discovered_in_the_future_is_refused(client, personas):
    future = local_input(timezone.now() + timedelta(days=1))
    page = _bad_post(client, personas, discovered_at=future)
    assert "Tidspunktet kan ikke ligge i fremtiden." in page
    assert f'value="{future}"' in page


def test_publication_in_the_future_is_refused(client, personas):
    future = local_input(timezone.now() + timedelta(days=2))
    page = _bad_post(client, personas, publications=[{"platform": "blog", "published_at": future}])
    assert "Tidspunktet kan ikke ligge i fremtiden." in page
    assert "Offentliggørelse 1, offentliggjort" in page


def test_absence_start_in_the_future_is_refused(client, personas):
    page = _bad_post(client, personas, absence_start=(timezone.localdate() + timedelta(days=3)).isoformat())
    assert "Datoen kan ikke ligge i fremtiden." in page


def test_empty_title_is_refused_and_the_rest_kept(client, personas):
    page = _bad_post(client, personas, title="   ", publications=TWO_PUBLICATIONS)
    assert "Skriv en kort overskrift." in page
    assert "https://www.facebook.com/groups/1/posts/2" in page
    assert "Hun lyver" in page
    assert "Borgeren har skrevet et opslag om sagsbehandleren." in page


def test_missing_date_and_platform_have_danish_messages(client, personas):
    page = _bad_post(client, personas, discovered_at="", publications=[{"url": "https://example.com/a"}])
    assert "Skriv hvornår indholdet blev opdaget." in page
    assert "Vælg hvor det er offentliggjort." in page


def test_negative_absence_is_refused(client, personas):
    page = _bad_post(client, personas, absence_days="-2")
    assert "Antallet af dage kan ikke være negativt." in page


def test_files_chosen_on_a_failed_submit_must_be_chosen_again(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = _bad_post(
        client, personas, title="", evidence_files=[SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n", "image/png")]
    )
    assert "Vælg dem igen" in page


def test_html_and_script_are_stored_as_typed_and_shown_escaped(client, personas):
    client.force_login(personas.manager)
    data = form_data(
        personas,
        title=f"Opslag {SCRIPT}",
        description=f"<b>fed</b> {SCRIPT}",
        target_names=SCRIPT,
        perpetrator_name=SCRIPT,
        publications=[
            {"platform": "facebook", "title": SCRIPT, "quote": SCRIPT, "url": "https://example.com/?q=<script>"}
        ],
    )
    client.post(reverse("incidents:create"), data)
    incident = Incident.objects.get()
    assert incident.title == f"Opslag {SCRIPT}"
    assert incident.description == f"<b>fed</b> {SCRIPT}"
    for url in (
        reverse("incidents:list"),
        reverse("incidents:detail", args=[incident.reference]),
        reverse("incidents:edit", args=[incident.reference]),
    ):
        page = text(client.get(url))
        assert SCRIPT not in page, url
        assert "<b>fed</b>" not in page, url
        assert ESCAPED_SCRIPT in page, url
    # The caseworker's own view escapes too.
    client.force_login(personas.caseworker)
    page = text(client.get(reverse("incidents:detail", args=[incident.reference])))
    assert SCRIPT not in page


def test_bad_input_on_the_list_filters_does_not_break_the_page(client, personas):
    register(personas)
    client.force_login(personas.manager)
    response = client.get(
        reverse("incidents:list"),
        {"status": "nonsense", "registered_from": "i går", "page": "999", "ordering": "password"},
    )
    assert response.status_code == 200
    assert "Opslag i Facebook-gruppe" in text(response)


# --- Editing ---------------------------------------------------------------------------


def _edit_data(personas, incident, **overrides):
    publications = list(incident.publications.order_by("published_at", "id"))
    data = form_data(
        personas,
        total=len(publications) + 2,
        initial=len(publications),
        title=incident.title,
        description=incident.description,
        discovered_at=local_input(incident.discovered_at),
        perpetrator_relation=incident.perpetrator_relation,
        named="on" if incident.named else None,
        offensive_language="on" if incident.offensive_language else None,
        publications=[
            {"id": str(p.pk), "incident": str(incident.pk), "platform": p.platform, "url": p.url} for p in publications
        ],
    )
    data.update(overrides)
    return data


def test_edit_changes_facts_adds_and_deletes_publications(client, personas):
    incident = register(personas, named=True)
    old = incident.publications.get()
    client.force_login(personas.manager)
    data = _edit_data(personas, incident, threat="on")
    data["publications-0-DELETE"] = "on"
    data["publications-1-platform"] = "tiktok"
    data["publications-1-url"] = "https://www.tiktok.com/@x/video/1"
    response = client.post(reverse("incidents:edit", args=[incident.reference]), data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.threat
    assert incident.assessed_level == 4
    assert not Publication.objects.filter(pk=old.pk).exists()
    assert list(incident.publications.values_list("platform", flat=True)) == ["tiktok"]
    entry = TimelineEntry.objects.get(incident=incident, kind=TimelineEntry.Kind.EDITED)
    assert "Trusler" in entry.text and "offentliggørelser" in entry.text
    assert AuditEvent.objects.filter(action="update", incident_reference=incident.reference).exists()


def test_edit_without_changes_says_so(client, personas):
    incident = register(personas, named=True)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:edit", args=[incident.reference]), _edit_data(personas, incident), follow=True
    )
    assert "Der var ingen ændringer at gemme." in text(response)
    assert not TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.EDITED).exists()


def test_edit_with_bad_input_keeps_the_stored_facts(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:edit", args=[incident.reference]),
        _edit_data(personas, incident, title="Ny titel", discovered_at=local_input(timezone.now() + timedelta(days=5))),
    )
    assert response.status_code == 200
    assert "Tidspunktet kan ikke ligge i fremtiden." in text(response)
    assert 'value="Ny titel"' in text(response)
    incident.refresh_from_db()
    assert incident.title == "Opslag i Facebook-gruppe"


def test_edit_page_is_audited(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    client.get(reverse("incidents:edit", args=[incident.reference]))
    assert AuditEvent.objects.filter(
        action="view", incident_reference=incident.reference, actor=personas.manager
    ).exists()


# --- Workflow --------------------------------------------------------------------------


def _post_status(client, incident, to_status, reason=""):
    return client.post(
        reverse("incidents:status", args=[incident.reference]), {"status-to_status": to_status, "status-reason": reason}
    )


def test_allowed_transitions_move_the_case_and_write_the_timeline(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    for to_status in ("assessing", "in_progress", "closed"):
        assert _post_status(client, incident, to_status).status_code == 302
        incident.refresh_from_db()
        assert incident.status == to_status
    assert incident.closed_at is not None
    entries = TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.STATUS)
    assert [(e.from_status, e.to_status, e.actor_id) for e in entries] == [
        ("reported", "assessing", personas.manager.pk),
        ("assessing", "in_progress", personas.manager.pk),
        ("in_progress", "closed", personas.manager.pk),
    ]
    assert (
        AuditEvent.objects.filter(
            action="update", summary="Status ændret", incident_reference=incident.reference
        ).count()
        == 3
    )


def test_disallowed_transition_is_a_form_error_not_a_500(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    _post_status(client, incident, "in_progress")
    response = _post_status(client, incident, "reported")
    assert response.status_code == 200
    assert "Sagen kan ikke flyttes til den status." in text(response)
    incident.refresh_from_db()
    assert incident.status == "in_progress"
    response = _post_status(client, incident, "assessing")
    assert "Sagen kan ikke flyttes til den status." in text(response)


def test_reopening_needs_a_reason(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    _post_status(client, incident, "closed")
    response = _post_status(client, incident, "in_progress", reason="  ")
    assert response.status_code == 200
    assert "Skriv hvorfor sagen genåbnes." in text(response)
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert _post_status(client, incident, "in_progress", reason="Nyt opslag dukket op").status_code == 302
    incident.refresh_from_db()
    assert incident.status == "in_progress" and incident.closed_at is None
    assert TimelineEntry.objects.filter(
        incident=incident, to_status="in_progress", text="Nyt opslag dukket op"
    ).exists()


def test_transition_refused_by_the_service_is_shown_as_form_error(client, personas, monkeypatch):
    incident = register(personas)

    def refuse(**kwargs):
        raise services.TransitionNotAllowed("Sagen er lige blevet ændret af en anden.")

    monkeypatch.setattr(services, "incident_change_status", refuse)
    client.force_login(personas.manager)
    response = _post_status(client, incident, "assessing")
    assert response.status_code == 200
    assert "Sagen er lige blevet ændret af en anden." in text(response)


def test_recorded_action_appears_on_the_timeline_with_external_reference(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("incidents:action", args=[incident.reference]),
        {
            "action-action_code": "police_report",
            "action-occurred_on": yesterday.isoformat(),
            "action-note": "Anmeldt på stationen",
            "action-external_reference": "1200-80123-00042-26",
        },
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(incident=incident, kind=TimelineEntry.Kind.ACTION)
    assert (entry.action_code, entry.occurred_on, entry.actor, entry.external_reference) == (
        "police_report",
        yesterday,
        personas.manager,
        "1200-80123-00042-26",
    )
    page = text(client.get(reverse("incidents:detail", args=[incident.reference])))
    timeline = page[page.index('id="tidslinje"') : page.index("<aside")]
    assert "Politianmeldelse ved arbejdsgiveren" in timeline
    assert "1200-80123-00042-26" in timeline
    assert "Anmeldt på stationen" in timeline
    assert AuditEvent.objects.filter(summary="Handling registreret", incident_reference=incident.reference).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action-action_code": "", "action-occurred_on": "2026-01-01"}, "Vælg hvilken handling der er udført."),
        ({"action-action_code": "teleport", "action-occurred_on": "2026-01-01"}, "Vælg en handling fra listen."),
        ({"action-action_code": "police_report", "action-occurred_on": ""}, "Skriv hvornår handlingen blev udført."),
    ],
)
def test_action_with_bad_input_rerenders_the_page(client, personas, fields, message):
    incident = register(personas)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:action", args=[incident.reference]), {**fields, "action-external_reference": "J.nr. 77"}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert 'value="J.nr. 77"' in text(response)
    assert not TimelineEntry.objects.filter(incident=incident, kind="action").exists()


def test_action_in_the_future_is_refused(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("incidents:action", args=[incident.reference]),
        {"action-action_code": "police_report", "action-occurred_on": tomorrow},
    )
    assert "Datoen kan ikke ligge i fremtiden." in text(response)


def test_note_needs_a_body_and_is_escaped(client, personas):
    incident = register(personas)
    client.force_login(personas.manager)
    response = client.post(
        reverse("incidents:note", args=[incident.reference]), {"note-body": "", "note-visibility": "shared"}
    )
    assert response.status_code == 200
    assert "Skriv noten." in text(response)
    client.post(
        reverse("incidents:note", args=[incident.reference]), {"note-body": SCRIPT, "note-visibility": "internal"}
    )
    note = Note.objects.get()
    assert (note.body, note.visibility, note.author) == (SCRIPT, "internal", personas.manager)
    assert AuditEvent.objects.filter(
        action="create", summary="Note tilføjet", actor=personas.manager, incident_reference=incident.reference
    ).exists()
    page = text(client.get(reverse("incidents:detail", args=[incident.reference])))
    assert SCRIPT not in page and ESCAPED_SCRIPT in page


# --- List: filters, search, sorting, paging ---------------------------------------------


def _refs(response) -> list[str]:
    return [incident.reference for incident in response.context["incidents"]]


@pytest.fixture
def three(personas):
    a = register(personas, title="Facebook om Sara", named=True)
    b = register(
        personas,
        unit=personas.jobcenter,
        title="YouTube-video fra mødet",
        targets=[personas.other_caseworker],
        publications=[
            {"platform": "youtube", "url": "https://youtube.com/watch?v=1"},
            {"platform": "youtube", "url": "https://youtube.com/watch?v=2"},
        ],
        video_published=True,
        description="Optaget skjult på mødet",
    )
    c = register(
        personas,
        unit=personas.team,
        title="Trussel i kommentarspor",
        threat=True,
        targets=[],
        publications=[{"platform": "news_comments"}, {"platform": "facebook"}],
    )
    return a, b, c


def test_list_shows_only_the_managers_incidents(client, personas, three):
    a, b, c = three
    client.force_login(personas.other_manager)
    assert _refs(client.get(reverse("incidents:list"))) == [b.reference]
    client.force_login(personas.manager)
    assert _refs(client.get(reverse("incidents:list"))) == [c.reference, b.reference, a.reference]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "in_progress"}, ["b"]),
        ({"level": "4"}, ["c"]),
        ({"level": "1"}, ["a"]),
        ({"platform": "facebook"}, ["c", "a"]),
        ({"platform": "youtube"}, ["b"]),  # two YouTube publications, listed once
        ({"q": "sara"}, ["a"]),
        ({"q": "skjult"}, ["b"]),
        ({"q": "0002"}, ["b"]),
        ({"q": "ingenting"}, []),
        ({"ordering": "reference"}, ["a", "b", "c"]),
        ({"ordering": "-level"}, ["c", "b", "a"]),
        ({"ordering": "status"}, ["b", "c", "a"]),
    ],
)
def test_filters_search_and_sorting(client, personas, three, params, expected):
    a, b, c = three
    services.incident_change_status(actor=personas.manager, incident=b, to_status="in_progress")
    client.force_login(personas.manager)
    by_name = {"a": a.reference, "b": b.reference, "c": c.reference}
    assert _refs(client.get(reverse("incidents:list"), params)) == [by_name[n] for n in expected]


def test_unit_filter_includes_units_below(client, personas, three):
    a, b, c = three
    client.force_login(personas.manager)
    assert _refs(client.get(reverse("incidents:list"), {"unit": personas.family.pk})) == [c.reference, a.reference]
    assert _refs(client.get(reverse("incidents:list"), {"unit": personas.team.pk})) == [c.reference]


def test_unit_and_target_filters_offer_only_the_managers_own(client, personas, three):
    client.force_login(personas.other_manager)
    response = client.get(reverse("incidents:list"), {"unit": personas.family.pk})
    assert "Børn og Familie" not in text(response)
    assert response.context["filter"].form.errors["unit"]


def test_target_filter(client, personas, three):
    a, b, c = three
    client.force_login(personas.manager)
    assert _refs(client.get(reverse("incidents:list"), {"target": personas.caseworker.pk})) == [a.reference]


def test_period_filter(client, personas, three):
    a, b, c = three
    Incident.objects.filter(pk=a.pk).update(registered_at=timezone.now() - timedelta(days=40))
    client.force_login(personas.manager)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert _refs(client.get(reverse("incidents:list"), {"registered_from": since})) == [c.reference, b.reference]
    assert _refs(client.get(reverse("incidents:list"), {"registered_to": until})) == [a.reference]


def test_pagination_keeps_filters(client, personas):
    for number in range(30):
        register(personas, title=f"Hændelse {number:02d}", targets=[], publications=[])
    client.force_login(personas.manager)
    first = client.get(reverse("incidents:list"), {"q": "Hændelse"})
    assert len(first.context["incidents"]) == 25
    page = text(first)
    assert "30 hændelser" in page and "side 1 af 2" in page
    assert "?q=H%C3%A6ndelse&amp;page=2" in page
    second = client.get(reverse("incidents:list"), {"q": "Hændelse", "page": 2})
    assert len(second.context["incidents"]) == 5
    assert not set(_refs(first)) & set(_refs(second))


def test_list_query_count_is_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas.manager)

    def make(count):
        for number in range(count):
            register(
                personas,
                title=f"Sag {number}",
                targets=[personas.caseworker],
                publications=[{"platform": "facebook"}, {"platform": "youtube"}],
            )

    make(3)
    client.get(reverse("incidents:list"))  # warm up the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("incidents:list"))
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("incidents:list"))
    assert len(response.context["incidents"]) == 25


def test_list_view_is_audited_with_the_filters(client, personas, three):
    client.force_login(personas.manager)
    client.get(reverse("incidents:list"), {"status": "reported", "q": "sara", "page": "1"})
    # Recorded without a lock, and in the organisation's chain once sealed (every minute).
    assert PendingAuditEvent.objects.filter(object_type="incidents.incident").count() == 1
    assert audit_seal_pending() == 1
    event = AuditEvent.objects.filter(action="view", object_type="incidents.incident").latest("id")
    assert event.seq is not None and event.chain == personas.manager.organisation_id
    assert event.actor == personas.manager
    assert event.details["filters"] == {"status": "reported", "q": "sara"}
    assert event.details["count"] == 1


def test_manager_dashboard_links_to_register_and_list(client, personas):
    client.force_login(personas.manager)
    page = text(client.get(reverse("dashboard:manager")))
    assert f'href="{reverse("incidents:create")}"' in page and "Registrér hændelse" in page
    assert f'href="{reverse("incidents:list")}"' in page and "Alle hændelser" in page


def test_a_list_longer_than_the_limit_is_not_counted_again_for_a_minute(client, personas, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_LIMIT", 3)
    for number in range(5):
        register(personas, title=f"Hændelse {number:02d}", targets=[], publications=[])
    client.force_login(personas.manager)
    url = reverse("incidents:list")

    def count_queries(params=None) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = text(client.get(url, params or {}))
        return sum(1 for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*) FROM (")), page

    counted, page = count_queries()
    assert counted == 1 and "Mere end 3 hændelser" in page
    counted, page = count_queries()
    assert counted == 0 and "Mere end 3 hændelser" in page and "Hændelse 04" in page
    assert count_queries({"page": "2"})[0] == 0
    # A filtered list is counted each time; so is one within the limit (a new case shows at once).
    assert count_queries({"status": "reported"})[0] == 1
    assert count_queries({"status": "reported"})[0] == 1
    monkeypatch.setattr(selectors, "LIST_COUNT_LIMIT", 10)  # another limit: a list within it
    counted, page = count_queries({"ordering": "reference"})
    assert counted == 1 and "5 hændelser" in page


def test_a_list_within_the_limit_counts_a_new_case_at_once(client, personas):
    for number in range(2):
        register(personas, title=f"Hændelse {number:02d}", targets=[], publications=[])
    client.force_login(personas.manager)
    assert "2 hændelser" in text(client.get(reverse("incidents:list")))
    register(personas, title="Hændelse 02", targets=[], publications=[])
    assert "3 hændelser" in text(client.get(reverse("incidents:list")))


def test_the_list_as_it_opens_shows_exclusions_units_and_new_cases_at_once(client, personas):
    """Its pages are kept as SQL per manager and units (incidents.selectors._OPENING_PAGES); what
    that SQL reads, and which units it names, is never older than the change."""
    from accounts.models import Membership
    from incidents.models import CaseExclusion

    family = register(personas, title="I Børn og Familie", targets=[], publications=[])
    job = register(personas, unit=personas.jobcenter, title="I Jobcenter", targets=[], publications=[])
    client.force_login(personas.manager)
    url = reverse("incidents:list")
    assert _refs(client.get(url)) == [job.reference, family.reference]

    CaseExclusion.objects.create(incident=job, manager=personas.manager, reason="Inhabil", excluded_by=personas.admin)
    assert _refs(client.get(url)) == [family.reference]
    newest = register(personas, title="Ny", targets=[], publications=[])
    assert _refs(client.get(url)) == [newest.reference, family.reference]

    # The manager now manages the job centre only: the family unit's cases leave their list.
    membership = Membership.objects.get(user=personas.manager)
    membership.unit = personas.jobcenter
    membership.save()
    assert _refs(client.get(url)) == []
    CaseExclusion.objects.filter(incident=job).delete()
    assert _refs(client.get(url)) == [job.reference]


def test_list_count_is_bounded_beyond_the_limit(client, personas, monkeypatch):
    from incidents import selectors

    monkeypatch.setattr(selectors, "LIST_COUNT_LIMIT", 10)
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 4)
    for number in range(14):
        register(personas, title=f"Hændelse {number:02d}", targets=[], publications=[])
    client.force_login(personas.manager)
    first = client.get(reverse("incidents:list"))
    page = text(first)
    assert "Mere end 10 hændelser" in page and "side 1" in page and "af" not in page.split("side 1")[1][:5]
    assert "?page=2" in page
    # Pages past the counted ten rows are still reached, one extra row telling if there is a next.
    fourth = client.get(reverse("incidents:list"), {"page": 4})
    assert len(fourth.context["incidents"]) == 2
    assert not fourth.context["page"].has_next
    assert set(_refs(fourth)).isdisjoint(_refs(client.get(reverse("incidents:list"), {"page": 3})))
    # A page beyond the end gives the last counted page, not an error.
    assert client.get(reverse("incidents:list"), {"page": 99}).status_code == 200


def test_list_queries_are_pinned(client, personas, django_assert_max_num_queries):
    """The list page, signed in, costs a fixed number of queries whatever the data: the
    session, the user with the unread count, the bounded count, the page, its employees and
    platforms, the audit row (memberships, tree, two-factor rule, the filter's choices and the
    top bar come from the shared cache after the first request)."""
    for number in range(30):
        register(
            personas,
            title=f"Sag {number}",
            targets=[personas.caseworker],
            publications=[{"platform": "facebook"}, {"platform": "youtube"}],
        )
    client.force_login(personas.manager)
    client.get(reverse("incidents:list"))
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse("incidents:list"))
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse("incidents:list"), {"status": "reported", "platform": "facebook", "page": "2"})


LIST_QUERIES = 6
