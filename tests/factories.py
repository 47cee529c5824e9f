"""Factories for object graphs (defined in demo/factories.py, which the demo data shares) and the
tests' helpers. Personas built from them live in tests/conftest.py."""

from accounts.models import Unit, User
from demo.factories import (  # noqa: F401 - re-exported for the tests
    TEST_PASSWORD,
    IncidentDeadlineFactory,
    IncidentFactory,
    MembershipFactory,
    OrganisationFactory,
    PublicationFactory,
    RecordingRequestFactory,
    TimelineEntryFactory,
    UnitFactory,
    UserFactory,
)


def member(unit: Unit, role: str, **user_fields) -> User:
    """A user of the unit's organisation holding `role` in `unit`."""
    user = UserFactory(organisation=unit.organisation, **user_fields)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def api_token(user, scopes=None, days: int = 30) -> str:
    """A new API token for the user (all the scopes their roles allow unless given); the key."""
    from accounts.api_tokens.services import allowed_scopes, token_create

    key = token_create(user=user, name="Test", scopes=scopes or allowed_scopes(user), expires_in_days=days)[1]
    return key
