"""Factories for object graphs. Personas built from them live in tests/conftest.py."""

import factory

from accounts.models import Membership, Organisation, Role, Unit, User

TEST_PASSWORD = "test-password-123"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    cvr = factory.Sequence(lambda n: f"{29000000 + n:08d}")
    address = "Torvet 1\n8000 Aarhus C"
    contact_name = "Lone Leder"
    contact_email = "kontakt@testkommune.invalid"
    # The product requires two factors for managers and admins by default; test organisations
    # relax it (with the reason the rule demands) so that tests of other features need no
    # TOTP. tests/accounts/test_mfa_default.py and tests/e2e/test_signin.py test the default.
    require_mfa_for_managers = False
    mfa_relaxed_reason = "Testorganisation"
    police_district = "Østjyllands Politi"
    dpo_name = "Dorte Databeskytter"
    dpo_email = "dpo@testkommune.invalid"
    dpo_phone = "+45 87 65 43 21"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhed {n}")
    kind = Unit.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    job_title = "Socialrådgiver"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.CASEWORKER


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
