"""Demo organisation and users for `make run` and the browser tests. Demo only: the
password below is public; never run seed_demo against a production database."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Organisation, Role, Unit

from .factories import MembershipFactory, OrganisationFactory, UnitFactory, UserFactory

DEMO_PASSWORD = "demo-udh-2026"  # noqa: S105 - public demo password, documented
DEMO_ORGANISATION = "Demo Kommune"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: str
    unit: str
    staff: bool = False


# unit name -> (parent name, kind)
DEMO_UNITS: dict[str, tuple[str | None, str]] = {
    "Socialforvaltningen": (None, Unit.Kind.ADMINISTRATION),
    "Børn og Familie": ("Socialforvaltningen", Unit.Kind.DEPARTMENT),
    "Jobcenter": ("Socialforvaltningen", Unit.Kind.DEPARTMENT),
    "Handicap og Psykiatri": ("Socialforvaltningen", Unit.Kind.DEPARTMENT),
}

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("leder", "Mette", "Holm", "Socialchef", Role.MANAGER, "Socialforvaltningen"),
    DemoUser("jobleder", "Jonas", "Berg", "Afdelingsleder", Role.MANAGER, "Jobcenter"),
    DemoUser("sara", "Sara", "Nielsen", "Socialrådgiver", Role.CASEWORKER, "Børn og Familie"),
    DemoUser("ali", "Ali", "Hassan", "Jobkonsulent", Role.CASEWORKER, "Jobcenter"),
    DemoUser("karin", "Karin", "Lund", "Socialrådgiver", Role.CASEWORKER, "Handicap og Psykiatri"),
    DemoUser("tr", "Tina", "Rasmussen", "Tillidsrepræsentant", Role.UNION_REP, "Socialforvaltningen"),
    DemoUser("admin", "Anders", "Dam", "Systemadministrator", Role.ADMIN, "Socialforvaltningen", staff=True),
)


def _existing_or_new(factory_class, lookup: dict, **values):
    """The object `lookup` finds, or a new one from the factory with the lookup and `values`."""
    existing = factory_class._meta.model.objects.filter(**lookup).first()
    return existing if existing is not None else factory_class(**lookup, **values)


@transaction.atomic
def demo_seed() -> Organisation:
    """Create the demo organisation, units and users (through demo.factories, with the demo's
    values); running it again changes nothing."""
    org = _existing_or_new(
        OrganisationFactory,
        {"name": DEMO_ORGANISATION},
        cvr="12345678",
        address="Rådhuspladsen 1\n9999 Demoby",
        contact_name="Mette Holm",
        contact_email="leder@demo-kommune.invalid",
        contact_phone="+45 11 22 33 44",
        police_district="Østjyllands Politi",
        dpo_name="Dorthe Databeskyttelse",
        dpo_email="dpo@demo-kommune.invalid",
        dpo_phone="+45 11 22 33 55",
        # The product's default, not the test factories' relaxed one: managers sign in with two factors.
        require_mfa_for_managers=True,
        mfa_relaxed_reason="",
    )
    units: dict[str, Unit] = {}
    for name, (parent_name, kind) in DEMO_UNITS.items():
        units[name] = _existing_or_new(
            UnitFactory,
            {"organisation": org, "parent": units[parent_name] if parent_name else None, "name": name},
            kind=kind,
        )
    for demo in DEMO_USERS:
        user = _existing_or_new(
            UserFactory,
            {"username": demo.username},
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@demo-kommune.invalid",
            job_title=demo.job_title,
            organisation=org,
            is_staff=demo.staff,
            password=DEMO_PASSWORD,
        )
        _existing_or_new(MembershipFactory, {"user": user, "unit": units[demo.unit], "role": demo.role})
    from .recordings import demo_guideline_seed

    demo_guideline_seed(org)
    return org
