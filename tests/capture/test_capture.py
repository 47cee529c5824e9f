"""Captures run directly (the task's body, no worker): safety, login walls, uploads, the watch."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents.capture import services, watch
from incidents.capture.models import Capture, Watch, WatchCheck
from tests.capture.site import running_site
from tests.reports.conftest import png
from tests.security.world import private_storage

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    private_storage(settings, tmp_path / "storage")


def _run(personas, case, url, limits, **kwargs) -> Capture:
    capture = services.capture_request(actor=personas.manager, incident=case, url=url, **kwargs)
    services.capture_run(capture.pk, limits=limits)
    capture.refresh_from_db()
    return capture


@pytest.mark.browser
def test_a_normal_page_without_a_tsa_says_it_has_no_timestamp(personas, case, site, limits, settings):
    settings.CAPTURE_TSA_URLS = []
    capture = _run(personas, case, site.url("/normal"), limits)
    assert capture.status == Capture.Status.DONE, capture.error
    assert not capture.tokens.exists()
    assert services.timestamp_label(capture, []) == "Intet betroet tidsstempel"
    assert capture.files.count() == 7


# --- Safety --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://intranet.kommune.test/personale",
    ],
)
def test_internal_addresses_are_refused_before_anything_is_fetched(personas, case, settings, fake_dns, url):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    fake_dns["intranet.kommune.test"] = "10.1.2.3"
    with pytest.raises(services.CaptureRefused, match="intern adresse"):
        services.capture_request(actor=personas.manager, incident=case, url=url)
    assert not Capture.objects.exists()


@pytest.mark.browser
def test_a_redirect_to_loopback_is_refused(personas, case, settings, limits):
    # Only 127.0.0.2 is opened; the page there redirects to 127.0.0.1, which stays closed.
    with running_site("127.0.0.2") as outside, running_site("127.0.0.1") as inside:
        settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.2/32"]
        outside.state["other"] = inside.url("/normal")
        capture = _run(personas, case, outside.url("/to-loopback"), limits)
    assert capture.status == Capture.Status.FAILED
    assert "intern adresse (127.0.0.1)" in capture.error
    assert inside.hits == [] and outside.hits == ["/to-loopback"]


@pytest.mark.browser
def test_sub_requests_to_internal_addresses_are_refused_and_noted(personas, case, settings, limits, fake_dns):
    fake_dns["intranet.kommune.test"] = "10.1.2.3"
    with running_site("127.0.0.2") as outside, running_site("127.0.0.1") as inside:
        settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.2/32"]
        outside.state["other"] = inside.url("/pixel.png")
        leaky = _run(personas, case, outside.url("/leaky"), limits)
        outside.state["other"] = "http://intranet.kommune.test/pixel.png"
        rebinding = _run(personas, case, outside.url("/leaky?igen"), limits)
    for capture, address in ((leaky, "127.0.0.1"), (rebinding, "10.1.2.3")):
        assert capture.status == Capture.Status.DONE, capture.error
        manifest = json.loads(services.manifest_bytes_of(capture))
        assert any("Ikke hentet" in note and address in note for note in manifest["notes"]), manifest["notes"]
    assert inside.hits == []


@pytest.mark.browser
def test_a_login_wall_is_recognised_and_the_page_offers_an_upload(client, personas, case, site, limits):
    capture = _run(personas, case, site.url("/wall"), limits)
    assert capture.status == Capture.Status.DONE and capture.login_required
    assert capture.final_url == site.url("/login?next=/wall")
    client.force_login(personas.manager)
    page = client.get(capture.get_absolute_url()).content.decode()
    assert "Siden kræver login." in page and "Upload din egen sikring" in page and 'name="file"' in page


# --- The manager's own capture -----------------------------------------------------------------


def _wacz() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"profile": "data-package", "resources": []}))
        archive.writestr("archive/data.warc", b"WARC/1.1\r\n\r\n")
    return buffer.getvalue()


def test_an_uploaded_capture_is_hashed_listed_and_time_stamped(personas, case, tsa):
    publication = case.publications.get()
    capture = services.capture_upload(
        actor=personas.manager,
        incident=case,
        url=publication.url,
        publication=publication,
        uploaded_file=SimpleUploadedFile("facebook.png", png(40, 30)),
    )
    assert capture.source == Capture.Source.UPLOAD and capture.status == Capture.Status.DONE
    roles = {f.role: f.evidence for f in capture.files.select_related("evidence")}
    assert set(roles) == {"upload", "manifest"}
    manifest = json.loads(services.manifest_bytes_of(capture))
    assert manifest["files"] == [
        {
            "role": "upload",
            "name": "facebook.png",
            "content_type": "image/png",
            "size": roles["upload"].size,
            "sha256": roles["upload"].sha256,
        }
    ]
    assert capture.tokens.get().ok and len(tsa["requests"]) == 1
    assert not Watch.objects.exists()  # the system cannot open it, so it cannot watch it


def test_a_wacz_from_archiveweb_page_is_accepted_and_a_false_one_refused(personas, case, settings):
    settings.CAPTURE_TSA_URLS = []
    url = "https://www.facebook.com/groups/1/posts/2"
    capture = services.capture_upload(
        actor=personas.manager, incident=case, url=url, uploaded_file=SimpleUploadedFile("opslag.wacz", _wacz())
    )
    assert capture.files.get(role="upload").evidence.content_type == "application/wacz"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("noget.txt", "ikke en WACZ")
    with pytest.raises(services.CaptureRefused, match="datapackage.json"):
        services.capture_upload(
            actor=personas.manager,
            incident=case,
            url=url,
            uploaded_file=SimpleUploadedFile("falsk.wacz", buffer.getvalue()),
        )
    with pytest.raises(services.CaptureRefused, match="komprimerede arkiver"):
        services.capture_upload(
            actor=personas.manager,
            incident=case,
            url=url,
            uploaded_file=SimpleUploadedFile("arkiv.zip", buffer.getvalue()),
        )
    assert Capture.objects.count() == 1


# --- Watching ----------------------------------------------------------------------------------


def _watched(case, url="https://opslag.example/1", **fields) -> Watch:
    capture = Capture.objects.create(
        incident=case, url=url, status=Capture.Status.DONE, http_status=200, text_sha256="a" * 64
    )
    return Watch.objects.create(
        incident=case,
        url=url,
        capture=capture,
        next_check_at=timezone.now(),
        interval_minutes=60,
        last_text_sha256="a" * 64,
        last_http_status=200,
        **fields,
    )


def test_the_daily_cap_per_organisation_and_closed_incidents_limit_the_checks(personas, case, settings):
    from incidents import services as incident_services

    settings.CAPTURE_WATCH_DAILY_CAP = 2
    watches = [_watched(case, f"https://opslag.example/{n}") for n in range(3)]
    now = timezone.now()
    first = watch.watch_due(now)
    assert first == [w.pk for w in watches[:2]]  # the cap: two of the three today
    for watch_id in first:
        WatchCheck.objects.create(
            watch_id=watch_id, organisation_id=personas.org.pk, outcome="unchanged", checked_at=now
        )
    assert watch.watch_due(now) == []  # two checks today = the cap; the third waits
    assert watch.watch_due(now + timedelta(days=1))[0] == watches[2].pk  # a new day: the one that waited goes first
    incident_services.incident_change_status(
        actor=personas.manager, incident=case, to_status="closed", reason="Afsluttet"
    )
    Watch.objects.update(next_check_at=now)
    assert watch.watch_due(now + timedelta(days=2)) == []
    assert set(Watch.objects.values_list("active", "stopped_reason")) == {(False, "incident_closed")}


def test_back_off_doubles_until_a_change_and_removal_meets_the_takedown_check(personas, case, settings):
    from incidents import services as incident_services
    from incidents.reminders import deadlines_due
    from incidents.selectors import assessment_summary

    settings.CAPTURE_WATCH_MIN_MINUTES, settings.CAPTURE_WATCH_MAX_MINUTES = 60, 240
    incident_services.incident_record_action(
        actor=personas.manager, incident=case, action_code="platform_takedown", occurred_on=timezone.localdate()
    )
    case.refresh_from_db()
    item = _watched(case)
    now = timezone.now()

    def check(**seen):
        item.refresh_from_db()
        return watch._record(item, now=now, error="", **seen)

    unchanged = {"status": 200, "final_url": "", "text_sha": "a" * 64}
    assert (
        check(
            outcome=watch._outcome(item, gone=False, status=200, final_url="", text_sha256="a" * 64), **unchanged
        ).outcome
        == "unchanged"
    )
    check(outcome="unchanged", **unchanged)
    check(outcome="unchanged", **unchanged)
    item.refresh_from_db()
    assert item.interval_minutes == 240  # 60 → 120 → 240, capped
    due = timezone.now() + timedelta(days=8)  # past the takedown check's deadline
    assert any(d.code == "takedown_follow_up_7_days" for d in deadlines_due(due))
    check(outcome="removed", status=404, final_url="", text_sha="b" * 64)
    item.refresh_from_db()
    assert item.interval_minutes == 60 and item.state == Watch.State.REMOVED
    timeline = list(case.timeline.all())
    deadlines = {d.code: d for d in assessment_summary(case, timeline)["deadlines"]}
    assert deadlines["takedown_follow_up_7_days"].met
    assert not any(d.code == "takedown_follow_up_7_days" for d in deadlines_due(due))
    # The page comes back: the takedown check is open again.
    back = check(
        outcome=watch._outcome(item, gone=False, status=200, final_url="", text_sha256="a" * 64),
        status=200,
        final_url="",
        text_sha="a" * 64,
    )
    assert back.outcome == "back"
    assert any(d.code == "takedown_follow_up_7_days" for d in deadlines_due(due))
    assert [e.kind for e in case.timeline.filter(kind__startswith="page_")] == ["page_removed", "page_back"]


@pytest.mark.browser
def test_a_watch_check_opens_the_page_and_sees_it_disappear_and_return(personas, case, site, limits):
    capture = _run(personas, case, site.url("/disappearing"), limits)
    item = Watch.objects.get(url=capture.url)
    site.state["gone"] = True
    assert watch.watch_check(item.pk, limits=limits).outcome == "removed"
    assert watch.watch_check(item.pk, limits=limits).outcome == "still_removed"
    site.state["gone"] = False
    assert watch.watch_check(item.pk, limits=limits).outcome == "back"
    assert [e.text.split(":")[0] for e in case.timeline.filter(kind__startswith="page_")] == [
        "Fjernet",
        "Tilgængelig igen",
    ]
