"""The address check every capture request passes: public addresses only, after DNS."""

from __future__ import annotations

import pytest

from incidents.capture import ssrf

REFUSED = [
    ("http://127.0.0.1/", "intern adresse"),
    ("http://localhost:8000/admin/", "intern adresse"),
    ("http://169.254.169.254/latest/meta-data/", "intern adresse"),
    ("http://[::1]/", "intern adresse"),
    ("http://[::ffff:127.0.0.1]/", "intern adresse"),
    ("http://10.0.0.5/", "intern adresse"),
    ("http://192.168.1.1/", "intern adresse"),
    ("http://100.64.0.1/", "intern adresse"),  # carrier-grade NAT
    ("http://0.0.0.0/", "intern adresse"),
    ("ftp://example.org/file", "http://"),
    ("file:///etc/passwd", "http://"),
    ("http://user:secret@example.org/", "brugernavn"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_internal_and_odd_addresses_are_refused(settings, url, reason):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    with pytest.raises(ssrf.Refused, match=reason):
        ssrf.check_url(url)


def test_a_name_that_resolves_to_a_private_address_is_refused(settings, fake_dns):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    fake_dns["intranet.kommune.test"] = "10.1.2.3"
    with pytest.raises(ssrf.Refused) as refused:
        ssrf.check_url("https://intranet.kommune.test/personale")
    assert "10.1.2.3" in str(refused.value)


def test_a_public_name_is_pinned_to_the_address_that_was_checked(settings, fake_dns):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    fake_dns["opslag.example"] = "93.184.216.34"
    target = ssrf.check_url("https://opslag.example:8443/side?x=1")
    assert (target.host, target.port, target.address, target.scheme) == (
        "opslag.example",
        8443,
        "93.184.216.34",
        "https",
    )


def test_the_allow_list_opens_only_the_networks_it_names(settings):
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert ssrf.check_url("http://127.0.0.1:9/").address == "127.0.0.1"
    with pytest.raises(ssrf.Refused):
        ssrf.check_url("http://127.0.0.2:9/")
    with pytest.raises(ssrf.Refused):
        ssrf.check_url("http://169.254.169.254/")


def test_an_unknown_host_is_refused_with_a_danish_reason(settings):
    with pytest.raises(ssrf.Refused, match="findes ikke"):
        ssrf.check_url("http://no-such-host.invalid/")


def test_production_settings_refuse_the_allow_list(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    for name, value in {
        "SECRET_KEY": "x" * 60,
        "AUDIT_HMAC_KEY": "capture-test-audit-key-0123456789-abcdefghij",
        "DATABASE_URL": "postgres://u@127.0.0.1/db",
        "ALLOWED_HOSTS": "a.dk",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "CACHE_URL": "redis://127.0.0.1:6379/2",
        "CAPTURE_ALLOWED_NETWORKS": "127.0.0.1/32",
    }.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("udhaengning.settings.prod", None)
    monkeypatch.delitem(sys.modules, "udhaengning.settings.base")  # read the environment afresh
    with pytest.raises(ImproperlyConfigured, match="CAPTURE_ALLOWED_NETWORKS"):
        importlib.import_module("udhaengning.settings.prod")
    sys.modules.pop("udhaengning.settings.prod", None)
