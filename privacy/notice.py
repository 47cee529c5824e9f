"""The privacy notice for employees (GDPR art. 13), built from the access policy and the settings.

Who can see a case is not written freely: each line restates a rule of the one access policy
(`incidents.policy`, `incidents.sharing`, `privacy.policy`) and, for a signed-in employee,
names the managers who hold the manager role in the employee's units or a unit above them
(they are the ones `incidents.policy.visible_incidents` lets in). The recipients of reports
are the record of processing's (`privacy.activities.REPORT_RECIPIENTS`), the retention its
`retention_facts`, the controller and the DPO its `_controller` rows, so the notice and the
record cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Membership, Organisation, Role, Unit

from . import activities, processing


@dataclass
class UnitManagers:
    unit: str
    managers: list[str]


@dataclass
class Notice:
    organisation: Organisation | None
    controller: list[tuple[str, str]]
    dpo: str
    viewers: list[str]
    unit_managers: list[UnitManagers] = field(default_factory=list)
    purpose: str = ""
    legal_basis: str = ""
    data: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    retention: str = ""
    rights: list[str] = field(default_factory=list)


def notice_organisation(user) -> Organisation | None:
    """The user's organisation: their own, else the one of their first role."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.organisation_id:
        return user.organisation
    org_ids = sorted(permissions.organisation_ids(user))
    return Organisation.objects.filter(pk=org_ids[0]).first() if org_ids else None


def _ancestors(unit: Unit) -> list[Unit]:
    chain, node = [], unit
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def unit_managers(user) -> list[UnitManagers]:
    """For each unit where the user is a caseworker: the managers who would see their case."""
    if not getattr(user, "is_authenticated", False):
        return []
    own_units = (
        Unit.objects.filter(memberships__user=user, memberships__role=Role.CASEWORKER)
        .select_related("parent__parent__parent")
        .distinct()
        .order_by("name")
    )
    found = []
    for unit in own_units:
        chain = _ancestors(unit)
        managers = (
            Membership.objects.filter(unit__in=chain, role=Role.MANAGER, user__is_active=True)
            .select_related("user")
            .order_by("user__first_name", "user__last_name")
        )
        names = sorted({str(m.user) for m in managers})
        found.append(UnitManagers(unit=unit.name, managers=names))
    return found


def viewers() -> list[str]:
    """Who can see a case, in the words of the access policy (incidents.policy, privacy.policy)."""
    return [
        _(
            "Du selv, når du er berørt af sagen eller selv har anmeldt den: hele sagen undtagen ledernes interne "
            "noter og interne punkter på tidslinjen."
        ),
        _(
            "Lederne i den enhed, sagen er registreret i, og lederne i alle enhederne over den. De ser hele sagen, "
            "også dine helbredsoplysninger (fx sygefravær), og det er dem, der behandler den."
        ),
        _(
            "En tillidsrepræsentant kun, hvis du selv deler sagen med en bestemt tillidsrepræsentant. Vedkommende "
            "kan læse sagen, men ikke noterne, og kan ikke ændre noget. Du kan til enhver tid trække delingen "
            "tilbage. Ellers ser tillidsrepræsentanter kun anonymiseret statistik."
        ),
        _(
            "Organisationens administratorer ser ikke sagerne i det daglige. De ser kun antal (fx hvor mange "
            "afsluttede sager der snart slettes), og de læser det, der angår en person, når de besvarer personens "
            "anmodning om indsigt eller sletning."
        ),
        _(
            "Modtagerne af de rapporter, ledelsen sender (se nedenfor). Ledelsen registrerer dit samtykke til en "
            "politianmeldelse og til en anmeldelse til platformen på dine vegne, og en klage til Datatilsynet "
            "kræver din fuldmagt."
        ),
        _("Dine kolleger, også andre sagsbehandlere i din enhed, kan ikke se sagen."),
        _("Hver gang nogen åbner, ændrer eller henter noget i sagen, skrives det i en revisionslog."),
        _(
            "Personer med teknisk adgang til serverne (drift) kan i princippet tilgå databasen; organisationen "
            "regulerer den adgang (databehandleraftale, art. 28)."
        ),
    ]


def build_notice(user=None, organisation: Organisation | None = None) -> Notice:
    """The notice in Danish, for the user's organisation (or in general when there is none)."""
    if organisation is None and user is not None:
        organisation = notice_organisation(user)
    with translation.override("da"):
        activity = processing.ACTIVITIES["incidents"]
        facts = processing.retention_facts(organisation)
        return Notice(
            organisation=organisation,
            controller=[(str(k), str(v)) for k, v in processing._controller(organisation)],
            dpo=processing.dpo_contact(organisation),
            viewers=viewers(),
            unit_managers=unit_managers(user) if user is not None else [],
            purpose=str(activity.purpose),
            legal_basis=str(activity.legal_basis),
            data=[
                _(
                    "Hvad der er sket: opslag, links, citater, skærmbilleder og andre filer, og hvem der har "
                    "offentliggjort det."
                ),
                _("Dit navn, din stilling og enhed, og hvordan du har det (hvis du selv fortæller det)."),
                _("Helbredsoplysninger (art. 9), hvis de er relevante: sygefravær og psykisk belastning."),
                _("Ledelsens vurdering, handlinger, noter og rapporter i sagen."),
            ],
            sources=[
                _("Dig selv, når du anmelder eller tilføjer dokumentation."),
                _("Din leder, som kan registrere en sag, også før du selv har anmeldt den."),
                _("Det, der er offentliggjort om dig på nettet."),
            ],
            recipients=[str(text) for text in activities.REPORT_RECIPIENTS.values()],
            retention=activities.incident_retention(facts),
            rights=[
                _("Du kan få indsigt i de oplysninger, der er registreret om dig (art. 15)."),
                _(
                    "Du kan få urigtige oplysninger rettet (art. 16) og i visse tilfælde slettet (art. 17) eller "
                    "begrænset (art. 18)."
                ),
                _("Du kan gøre indsigelse mod behandlingen (art. 21)."),
                _(
                    "Du kan trække et samtykke tilbage (fx til en politianmeldelse eller til at dele sagen med en "
                    "tillidsrepræsentant); det ændrer ikke ved det, der allerede er sket."
                ),
                _(
                    "Du kan klage til Datatilsynet (art. 77), Carl Jacobsens Vej 35, 2500 Valby, dt@datatilsynet.dk, "
                    "www.datatilsynet.dk."
                ),
            ],
        )
