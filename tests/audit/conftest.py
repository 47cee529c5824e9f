import pytest

from accounts import security


@pytest.fixture(autouse=True)
def _no_security_events():
    """These tests follow chains of the events they write themselves; the security events
    that creating personas records are tested in tests/security/test_security_events.py."""
    security.disconnect()
    yield
    security.connect()
