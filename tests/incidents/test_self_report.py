"""The caseworker's self-report, their case list and their view of their own case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from incidents import evidence, policy
from incidents.forms.caseworker import SelfReportForm, platform_from_url
from incidents.models import Incident, Note, Publication
from incidents.services import incident_record_action, incident_register, note_add
from tests.conftest import PERSONA_NAMES
from tests.factories import MembershipFactory

URL = reverse("incidents:self_report")
LANDING = reverse("dashboard:caseworker")


def _detail(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.reference])


def _post(client, user, data=None, files=None):
    client.force_login(user)
    payload = {"platform": "", "url": "", "text": "", "discovered_at": "", **(data or {})}
    if files:
        payload["files"] = files
    return client.post(URL, payload)


def _report(client, personas, **data) -> Incident:
    response = _post(client, personas.caseworker, data or {"text": "Hun er en heks"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Incident.objects.latest("id")


def _html(response) -> str:
    return response.content.decode()


# --- Who may open the form ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_only_caseworkers_get_the_form(client, personas, name):
    client.force_login(getattr(personas, name))
    response = client.get(URL)
    if name in ("caseworker", "other_caseworker"):
        assert response.status_code == 200
        assert "Er du blevet hængt ud?" in _html(response)
        assert "Send til min leder" in _html(response)
    else:
        assert response.status_code == 404
        assert "Siden findes ikke" in _html(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["manager", "other_manager", "union_rep", "admin", "outsider"])
def test_others_cannot_post_a_self_report(client, personas, name):
    response = _post(client, getattr(personas, name), {"text": "noget"})
    assert response.status_code == 404
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, personas):
    for response in (client.get(URL), client.post(URL, {"text": "noget"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_form_opens_with_discovered_now_and_no_unit_choice_for_one_unit(client, personas):
    client.force_login(personas.caseworker)
    response = client.get(URL)
    html = _html(response)
    form = response.context["form"]
    assert not form.asks_for_unit
    assert 'name="unit"' not in html
    assert 'type="datetime-local"' in html
    assert timezone.localtime().strftime("%Y-%m-%dT") in html
    assert "Ved ikke / andet" in html
    assert "Mit navn står der" in html
    assert "Det er meget hårdt" in html
    assert "self-report.css" in html


# --- A good report ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_report_creates_reported_incident_in_caseworkers_unit(client, personas):
    discovered = timezone.localtime() - timedelta(days=1)
    response = _post(
        client,
        personas.caseworker,
        {
            "platform": "facebook",
            "url": "https://www.facebook.com/groups/123/posts/456",
            "text": "Sara Sagsbehandler stjæler børn. Find hende på Torvet 1.",
            "discovered_at": discovered.strftime("%Y-%m-%dT%H:%M"),
            "features": ["named", "threat"],
            "emotional_load": "4",
            "absence_days": "2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == LANDING

    incident = Incident.objects.get()
    assert incident.unit == personas.family
    assert incident.status == Incident.Status.REPORTED
    assert incident.channel == Incident.Channel.SELF_REPORT
    assert incident.reporter == personas.caseworker
    assert list(incident.targets.all()) == [personas.caseworker]
    assert incident.title == "Udhængning på Facebook"
    assert incident.description.startswith("Sara Sagsbehandler stjæler børn.")
    assert incident.named and incident.threat
    assert not incident.photo and not incident.private_details
    assert incident.emotional_load == 4
    assert incident.absence_days == 2
    assert abs(incident.discovered_at - discovered) < timedelta(minutes=1)
    # The assessment is computed at once: a threat is critical and needs the police within 72 hours.
    assert incident.assessed_level == 4
    assert incident.assessment["severity"]["code"] == "critical"
    assert {d["code"] for d in incident.assessment["deadlines"]} >= {"assessment_due", "police_report_72h"}
    publication = incident.publications.get()
    assert publication.platform == "facebook"
    assert publication.url == "https://www.facebook.com/groups/123/posts/456"
    assert publication.reach == "public"
    assert AuditEvent.objects.filter(action="create", incident_reference=incident.reference).exists()


@pytest.mark.django_db
def test_receipt_names_the_reference_and_lists_the_case(client, personas):
    response = _post(client, personas.caseworker, {"text": "Grimme ord om mig"})
    incident = Incident.objects.get()
    page = client.get(response["Location"])
    html = _html(page)
    assert f"Din sag har nummer {incident.reference}" in html
    assert "Din leder kan se den nu" in html
    assert f'href="{_detail(incident)}"' in html
    assert "Indberettet" in html


@pytest.mark.django_db
def test_text_only_report_has_no_publication(client, personas):
    incident = _report(client, personas, text="Der står grimme ting om mig i en gruppe")
    assert incident.publications.count() == 0
    assert incident.title == "Udhængning (egen anmeldelse)"
    assert incident.emotional_load is None
    assert incident.absence_days == 0
    assert abs(incident.discovered_at - timezone.now()) < timedelta(minutes=1)


@pytest.mark.django_db
def test_platform_without_link_gives_a_publication(client, personas):
    incident = _report(client, personas, platform="messaging", text="Sms'er hele natten")
    publication = incident.publications.get()
    assert (publication.platform, publication.url, publication.reach) == ("messaging", "", "private_message")


@pytest.mark.django_db
def test_link_without_platform_guesses_the_platform(client, personas):
    incident = _report(client, personas, url="https://youtu.be/abc123")
    assert incident.publications.get().platform == "youtube"
    incident = _report(client, personas, url="https://minblog.example.org/indlaeg")
    assert incident.publications.get().platform == "other"


def test_platform_from_url():
    assert platform_from_url("https://m.facebook.com/x") == "facebook"
    assert platform_from_url("https://x.com/someone") == "x"
    assert platform_from_url("https://notfacebook.com/") == ""


@pytest.mark.django_db
def test_link_without_scheme_is_taken_as_https(client, personas):
    incident = _report(client, personas, url="www.tiktok.com/@someone/video/1")
    assert incident.publications.get().url == "https://www.tiktok.com/@someone/video/1"


@pytest.mark.django_db
def test_caseworker_with_several_units_chooses_one_of_theirs(client, personas):
    MembershipFactory(user=personas.caseworker, unit=personas.jobcenter, role=Role.CASEWORKER)
    client.force_login(personas.caseworker)
    assert 'name="unit"' in _html(client.get(URL))

    response = _post(client, personas.caseworker, {"text": "noget"})
    assert "Vælg den enhed, sagen hører til." in _html(response)
    assert not Incident.objects.exists()

    response = _post(client, personas.caseworker, {"text": "noget", "unit": personas.root.pk})
    assert response.status_code == 200  # not one of their caseworker units
    assert not Incident.objects.exists()

    response = _post(client, personas.caseworker, {"text": "noget", "unit": personas.jobcenter.pk})
    assert response.status_code == 302
    assert Incident.objects.get().unit == personas.jobcenter


# --- Who sees the report -----------------------------------------------------------------------


@pytest.mark.django_db
def test_report_is_visible_to_the_manager_above_and_not_to_another(client, personas):
    incident = _report(client, personas)
    assert policy.may_view(personas.manager, incident)
    assert policy.may_view(personas.caseworker, incident)
    assert not policy.may_view(personas.other_manager, incident)
    assert not policy.may_view(personas.other_caseworker, incident)
    assert incident in policy.managed_incidents(personas.manager)
    assert incident not in policy.visible_incidents(personas.other_manager)

    client.force_login(personas.manager)
    response = client.get(_detail(incident))
    assert response.status_code == 200
    assert incident.reference in _html(response)

    client.force_login(personas.other_manager)
    response = client.get(_detail(incident))
    assert response.status_code == 404
    assert "Siden findes ikke" in _html(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_case_page_persona_matrix(client, personas, name):
    incident = _report(client, personas)
    client.logout()
    client.force_login(getattr(personas, name))
    response = client.get(_detail(incident))
    if name in ("manager", "caseworker"):
        assert response.status_code == 200
        assert "Hun er en heks" in _html(response)
    else:
        assert response.status_code == 404
        assert "Siden findes ikke" in _html(response)
        assert "Hun er en heks" not in _html(response)


@pytest.mark.django_db
def test_case_page_anonymous_is_sent_to_sign_in(client, personas):
    incident = _report(client, personas)
    client.logout()
    response = client.get(_detail(incident))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_empty_report_is_refused_in_danish(client, personas):
    response = _post(client, personas.caseworker, {"features": ["named"], "emotional_load": "3"})
    html = _html(response)
    assert response.status_code == 200
    assert "Vi har brug for mindst én af de tre ting" in html
    assert "Der mangler lige noget" in html
    # What was chosen is still chosen.
    assert 'value="named" class="form-check-input" id="id_features_0" checked' in html
    assert 'value="3" class="btn-check" id="id_emotional_load_2" checked' in html
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_whitespace_only_text_counts_as_empty(client, personas):
    response = _post(client, personas.caseworker, {"text": "   \n  "})
    assert "Vi har brug for mindst én af de tre ting" in _html(response)
    assert not Incident.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_url",
    [
        "ftp://example.org/fil.txt",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "mailto:a@b.dk",
        "http://",
    ],
)
def test_url_must_be_http_or_https(client, personas, bad_url):
    response = _post(
        client,
        personas.caseworker,
        {
            "url": bad_url,
            "text": "Han kalder mig en løgner",
            "platform": "blog",
        },
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Linket skal begynde med http:// eller https://" in html
    assert "Han kalder mig en løgner</textarea>" in html
    assert '<option value="blog" selected>' in html
    assert 'aria-invalid="true"' in html
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_future_date_is_refused_and_typed_values_kept(client, personas):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = _post(
        client,
        personas.caseworker,
        {
            "url": "https://www.facebook.com/p/1",
            "text": "Noget om mig",
            "discovered_at": future,
            "absence_days": "3",
        },
    )
    html = _html(response)
    assert "Tidspunktet ligger ude i fremtiden" in html
    assert f'value="{future}"' in html
    assert 'value="https://www.facebook.com/p/1"' in html
    assert "Noget om mig</textarea>" in html
    assert 'value="3"' in html
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_nonsense_date_and_negative_absence_are_refused_in_danish(client, personas):
    response = _post(
        client,
        personas.caseworker,
        {
            "text": "Noget",
            "discovered_at": "i går",
            "absence_days": "-1",
        },
    )
    html = _html(response)
    assert "Skriv dato og klokkeslæt" in html
    assert "Antallet af dage kan ikke være negativt." in html
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_files_must_be_chosen_again_after_an_error(client, personas):
    upload = SimpleUploadedFile("skaerm.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = _post(client, personas.caseworker, {"url": "ftp://x"}, files=[upload])
    assert "Vælg dem venligst igen" in _html(response)


@pytest.mark.django_db
def test_html_in_text_is_shown_escaped_when_the_form_comes_back(client, personas):
    response = _post(client, personas.caseworker, {"text": "<script>alert(1)</script>", "url": "ftp://x"})
    html = _html(response)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_html_in_text_is_shown_escaped_on_case_page_and_list(client, personas):
    incident = _report(client, personas, text='<script>alert("x")</script><b>fed</b>')
    # A manager may later type markup into the title; the employee's list escapes it too.
    incident.title = "<img src=x onerror=alert(1)>"
    incident.save(update_fields=["title"])

    client.force_login(personas.caseworker)
    page = _html(client.get(_detail(incident)))
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;fed&lt;/b&gt;" in page
    assert "<img src=x" not in page
    landing = _html(client.get(LANDING))
    assert "<img src=x" not in landing
    assert "&lt;img src=x onerror=alert(1)&gt;" in landing


# --- Files -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_file_is_stored_with_the_incident_and_its_publication(client, personas, monkeypatch):
    stored = []

    def fake_store(*, actor, incident, uploaded_file, publication=None, request=None, **kwargs):
        stored.append((actor, incident.reference, uploaded_file.name, publication))

    monkeypatch.setattr(evidence, "evidence_store", fake_store, raising=False)
    files = [SimpleUploadedFile(name, b"data", content_type="image/png") for name in ("a.png", "b.png")]
    response = _post(client, personas.caseworker, {"url": "https://facebook.com/p/9"}, files=files)
    assert response.status_code == 302
    incident = Incident.objects.get()
    publication = Publication.objects.get(incident=incident)
    assert stored == [
        (personas.caseworker, incident.reference, "a.png", publication),
        (personas.caseworker, incident.reference, "b.png", publication),
    ]


@pytest.mark.django_db
def test_file_alone_is_enough(client, personas, monkeypatch):
    monkeypatch.setattr(evidence, "evidence_store", lambda **kwargs: None, raising=False)
    upload = SimpleUploadedFile("skaerm.png", b"\x89PNG", content_type="image/png")
    response = _post(client, personas.caseworker, files=[upload])
    assert response.status_code == 302
    assert Incident.objects.get().publications.count() == 0


@pytest.mark.django_db
def test_rejected_file_keeps_the_report_and_warns_by_name(client, personas, monkeypatch):
    def reject(*, uploaded_file, **kwargs):
        if uploaded_file.name == "virus.exe":
            raise evidence.EvidenceRejected("Filtypen er ikke tilladt.")
        if uploaded_file.name == "tom.png":
            raise evidence.EvidenceRejected("«tom.png» blev afvist: filen er tom.")

    monkeypatch.setattr(evidence, "evidence_store", reject, raising=False)
    files = [
        SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream"),
        SimpleUploadedFile("tom.png", b"x", content_type="image/png"),
        SimpleUploadedFile("ok.png", b"\x89PNG", content_type="image/png"),
    ]
    response = _post(client, personas.caseworker, {"text": "Noget om mig"}, files=files)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.REPORTED
    html = _html(client.get(response["Location"]))
    assert "Filen «virus.exe» blev ikke gemt: Filtypen er ikke tilladt." in html
    assert "«tom.png» blev afvist: filen er tom. Din anmeldelse er modtaget alligevel" in html
    assert "Din anmeldelse er modtaget alligevel" in html
    assert f"Din sag har nummer {incident.reference}" in html


@pytest.mark.django_db
def test_real_evidence_store_keeps_a_good_file(client, personas):
    if not hasattr(evidence, "evidence_store"):
        pytest.skip("incidents.evidence.evidence_store is not there yet")
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
        b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00"
        b"IEND\xaeB`\x82"
    )
    upload = SimpleUploadedFile("skaermbillede.png", png, content_type="image/png")
    response = _post(client, personas.caseworker, {"text": "Se billedet"}, files=[upload])
    assert response.status_code == 302
    incident = Incident.objects.get()
    item = incident.evidence.get()
    assert item.original_name == "skaermbillede.png"
    assert item.uploaded_by == personas.caseworker


# --- The employee's case page ----------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_status_actions_and_shared_notes_but_never_internal_notes(client, personas):
    incident = _report(client, personas, text="Noget om mig")
    note_add(
        actor=personas.manager,
        incident=incident,
        body="HEMMELIG intern vurdering af borgeren",
        visibility=Note.Visibility.INTERNAL,
    )
    note_add(
        actor=personas.manager,
        incident=incident,
        body="Jeg ringer til dig i morgen kl. 10.",
        visibility=Note.Visibility.SHARED,
    )
    incident_record_action(
        actor=personas.manager,
        incident=incident,
        action_code="platform_takedown",
        occurred_on=timezone.localdate(),
        note="Sendt til Facebook",
        external_reference="FB-777",
    )

    client.force_login(personas.caseworker)
    response = client.get(_detail(incident))
    html = _html(response)
    assert response.status_code == 200
    assert "HEMMELIG" not in html
    assert "Jeg ringer til dig i morgen kl. 10." in html
    assert "Handling iværksat" in html
    assert "Der er sat handlinger i gang" in html
    assert "Send en anmeldelse af ulovligt indhold til platformen" in html
    assert "Sendt til Facebook" in html
    assert "FB-777" in html
    assert "støttende samtale" in html
    assert "arbejdsmiljørepræsentant" in html
    # The manager's tools are not on the employee's page.
    assert reverse("incidents:note", args=[incident.reference]) not in html
    assert reverse("incidents:status", args=[incident.reference]) not in html


@pytest.mark.django_db
def test_case_page_explains_reported_status(client, personas):
    incident = _report(client, personas, url="https://www.instagram.com/p/xyz", text="Et opslag")
    client.force_login(personas.caseworker)
    html = _html(client.get(_detail(incident)))
    assert "Status: Indberettet" in html
    assert "Din leder kan se din anmeldelse nu" in html
    assert 'href="https://www.instagram.com/p/xyz"' in html
    assert "Et opslag" in html


@pytest.mark.django_db
def test_case_page_shows_level_only_when_confirmed(client, personas):
    incident = _report(client, personas, text="Noget", features=["threat"])
    client.force_login(personas.caseworker)
    assert "Din leder har vurderet sagen som" not in _html(client.get(_detail(incident)))
    incident.confirmed_level = 4
    incident.confirmed_by = personas.manager
    incident.confirmed_at = timezone.now()
    incident.save()
    assert "Din leder har vurderet sagen som" in _html(client.get(_detail(incident)))


@pytest.mark.django_db
def test_case_page_is_audited(client, personas):
    incident = _report(client, personas)
    client.force_login(personas.caseworker)
    client.get(_detail(incident))
    assert AuditEvent.objects.filter(
        action="view", incident_reference=incident.reference, actor=personas.caseworker
    ).exists()


# --- The caseworker's landing page -------------------------------------------------------------


def _register(personas, *, target, unit, title):
    return incident_register(
        actor=personas.manager,
        unit=unit,
        channel=Incident.Channel.MANAGER,
        fields={"title": title, "discovered_at": timezone.now()},
        targets=[target],
    )


@pytest.mark.django_db
def test_landing_lists_own_cases_newest_first_and_no_one_elses(client, personas):
    older = _register(personas, target=personas.caseworker, unit=personas.family, title="Første sag")
    Incident.objects.filter(pk=older.pk).update(registered_at=timezone.now() - timedelta(days=3))
    _register(personas, target=personas.other_caseworker, unit=personas.jobcenter, title="Ikke min sag")
    newer = _report(client, personas)

    client.force_login(personas.caseworker)
    response = client.get(LANDING)
    html = _html(response)
    assert [case.reference for case in response.context["cases"]] == [newer.reference, older.reference]
    assert "Første sag" in html and "Ikke min sag" not in html
    assert f'href="{reverse("incidents:self_report")}"' in html
    assert "Du har ingen sager." not in html
    assert AuditEvent.objects.filter(action="view", actor=personas.caseworker, summary="Egne sager vist").exists()


@pytest.mark.django_db
def test_landing_without_cases_says_so(client, personas):
    client.force_login(personas.caseworker)
    html = _html(client.get(LANDING))
    assert "Du har ingen sager." in html
    assert "Anmeld udhængning" in html


@pytest.mark.django_db
def test_landing_queries_stay_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas.caseworker)
    for number in range(3):
        _register(personas, target=personas.caseworker, unit=personas.family, title=f"Sag {number}")
    with django_assert_max_num_queries(15) as few:
        client.get(LANDING)
    for number in range(20):
        _register(personas, target=personas.caseworker, unit=personas.family, title=f"Flere {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LANDING)
    assert len(response.context["cases"]) == 23


@pytest.mark.django_db
def test_form_requires_units():
    with pytest.raises(ValueError):
        SelfReportForm(units=[])
