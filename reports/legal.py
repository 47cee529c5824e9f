"""The legal references of an incident as the reports need them (DOMAIN.md 4.2 and 6).

The assessment stores each reference with `prosecution` (how the police can act), `victim`
(who is the forurettede and must sign a request for prosecution), a neutral `summary` that
outside recipients may read and internal `guidance` for the manager (rules 2026.2). This
module reads those fields from the stored assessment and, where an older assessment lacks
one, falls back to the table of DOMAIN.md 4.2 (from the code and the incident's facts), so
a report never depends on which rules version computed the case.

    provisions(incident) -> list[Provision]
    criminal(provisions) -> the straffeloven provisions (no gdpr / gdpr_breach)
    requests_for_prosecution(provisions) -> one Begaering per victim, each with exactly the
        `request` provisions where that person is the victim
    private_provisions(provisions) -> the `private` provisions (no begæring: a private case)

External documents print `summary` only, never `guidance`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.assessment import Assessment
from incidents.assessment.texts import LEGAL_REFERENCE_TEXTS

PUBLIC, REQUEST, PRIVATE = "public", "request", "private"
EMPLOYEE, FAMILY, THIRD_PARTY, EVERYONE_RECORDED = "employee", "family", "third_party", "everyone_recorded"
# The other people in a recorded conversation (the employee signs her own begæring).
OTHERS_RECORDED = "others_recorded"

# DOMAIN.md 4.2: the titles of the 2026.2 provisions, for assessments stored without one.
TITLES: dict[str, str] = {
    "strfl_119": gettext_lazy(
        "Straffeloven § 119, stk. 1: vold eller trussel om vold mod personer i offentlig tjeneste"
    ),
    "strfl_119_2": gettext_lazy(
        "Straffeloven § 119, stk. 2: trussel om at anklage en myndighedsperson for at påvirke en afgørelse"
    ),
    "strfl_119a": gettext_lazy("Straffeloven § 119 a: chikane af personer i offentlig tjeneste"),
    "strfl_121": gettext_lazy("Straffeloven § 121: hån, skældsord eller fornærmelig tiltale mod en offentligt ansat"),
    "strfl_136": gettext_lazy("Straffeloven § 136, stk. 1: offentlig tilskyndelse til forbrydelse"),
    "strfl_242": gettext_lazy("Straffeloven § 242: forfølgelse (stalking)"),
    "strfl_263": gettext_lazy("Straffeloven § 263, stk. 2: optagelse af en samtale, man ikke selv deltager i"),
    "strfl_264a": gettext_lazy("Straffeloven § 264 a: fotografering af personer på et ikke frit tilgængeligt sted"),
    "strfl_264d": gettext_lazy(
        "Straffeloven § 264 d: videregivelse af meddelelser eller billeder om en andens private forhold"
    ),
    "strfl_266": gettext_lazy("Straffeloven § 266: trusler"),
    "strfl_267_268": gettext_lazy("Straffeloven §§ 267–268: ærekrænkelser"),
    "gdpr": gettext_lazy("Databeskyttelsesforordningen art. 5–6 og 9–10 og databeskyttelsesloven"),
    "gdpr_breach": gettext_lazy("Databeskyttelsesforordningen art. 33–34: brud på persondatasikkerheden"),
}

# Neutral summaries for outside recipients (what the provision is about, no chances, no caveats),
# for assessments stored before rules 2026.2 gave each reference its own `summary`.
SUMMARIES: dict[str, str] = {
    "strfl_119": gettext_lazy(
        "Bestemmelsen handler om vold og trusler om vold mod en person i offentlig tjeneste i anledning af arbejdet."
    ),
    "strfl_119_2": gettext_lazy(
        "Bestemmelsen handler om at true en person, der træffer afgørelser for en "
        "myndighed, med en anklage eller udstilling for at påvirke en afgørelse."
    ),
    "strfl_119a": gettext_lazy(
        "Bestemmelsen handler om at chikanere en person i offentlig tjeneste i anledning "
        "af arbejdet, fx ved at udbrede private oplysninger eller billeder eller opfordre "
        "andre til at opsøge personen."
    ),
    "strfl_121": gettext_lazy(
        "Bestemmelsen handler om hån, skældsord eller anden fornærmelig tiltale, der rettes "
        "direkte mod en offentligt ansat under eller i anledning af arbejdet."
    ),
    "strfl_136": gettext_lazy("Bestemmelsen handler om offentligt at tilskynde andre til at begå en forbrydelse."),
    "strfl_242": gettext_lazy(
        "Bestemmelsen handler om systematisk og vedvarende at kontakte, følge eller på "
        "anden måde chikanere en anden person på en måde, der kan krænke personens fred."
    ),
    "strfl_263": gettext_lazy("Bestemmelsen handler om hemmeligt at optage en samtale, man ikke selv deltager i."),
    "strfl_264a": gettext_lazy(
        "Bestemmelsen handler om at fotografere eller filme personer på et sted, der ikke "
        "er frit tilgængeligt, uden deres samtykke."
    ),
    "strfl_264d": gettext_lazy(
        "Bestemmelsen handler om at videregive meddelelser eller billeder om en andens private forhold."
    ),
    "strfl_266": gettext_lazy(
        "Bestemmelsen handler om trusler, der kan fremkalde alvorlig frygt for egen eller "
        "andres liv, helbred eller velfærd."
    ),
    "strfl_267_268": gettext_lazy(
        "Bestemmelserne handler om ærekrænkende udsagn og beskyldninger, der kan skade "
        "en persons omdømme, og om grove eller usande beskyldninger."
    ),
    "gdpr": gettext_lazy(
        "Reglerne handler om behandling af personoplysninger, herunder offentliggørelse af "
        "oplysninger om en person for en ubestemt kreds."
    ),
    "gdpr_breach": gettext_lazy(
        "Reglerne handler om den dataansvarliges pligt til at registrere og anmelde et "
        "brud på persondatasikkerheden og underrette de berørte."
    ),
}

PROSECUTION_LABELS = {
    PUBLIC: gettext_lazy("offentlig påtale"),
    REQUEST: gettext_lazy("kræver begæring"),
    PRIVATE: gettext_lazy("kan ikke påtales af politiet; privat straffesag"),
}

# Who signs a request for prosecution (the forurettede), DOMAIN.md 4.2 and LEGAL-REVIEW.md A 10.
SIGNATORIES = {
    EMPLOYEE: gettext_lazy("Medarbejderen"),
    FAMILY: gettext_lazy(
        "Indehaverne af forældremyndigheden over medarbejderens børn, eller de "
        "familiemedlemmer, oplysningerne handler om"
    ),
    THIRD_PARTY: gettext_lazy(
        "De personer, hvis oplysninger er videregivet (for børn: indehaverne af forældremyndigheden)"
    ),
    OTHERS_RECORDED: gettext_lazy("De øvrige deltagere i den optagne samtale"),
}
VICTIM_ORDER = (EMPLOYEE, FAMILY, THIRD_PARTY, OTHERS_RECORDED)


@dataclass
class Provision:
    code: str
    title: str
    summary: str
    guidance: str
    source: str
    prosecution: str | None
    victims: tuple[str, ...]

    @property
    def is_criminal(self) -> bool:
        return self.code.startswith("strfl_")

    @property
    def prosecution_label(self) -> str:
        return str(PROSECUTION_LABELS.get(self.prosecution, ""))


@dataclass
class Begaering:
    """One request for prosecution (straffeloven § 275, stk. 2), for one victim."""

    victim: str
    signatory: str
    name: str  # the signer's name when known (the employee); blank line otherwise
    provisions: list[Provision] = field(default_factory=list)


def _spread(incident) -> bool:
    """DOMAIN.md 3.3: some publication reaches others than the employee (none given: spread)."""
    publications = list(incident.publications.all())
    if not publications:
        return True
    return any(p.reach != "private_message" and p.platform not in ("messaging", "email") for p in publications)


def default_prosecution(code: str, incident) -> str | None:
    if code in ("strfl_263", "strfl_264a", "strfl_264d"):
        return REQUEST
    if code == "strfl_267_268":
        accusation = getattr(incident, "lawbreaking_accusation", False) or getattr(
            incident, "abuse_of_power_accusation", False
        )
        return REQUEST if accusation else PRIVATE
    if code.startswith("strfl_"):
        return PUBLIC
    return None


def default_victims(code: str, incident, *, spread: bool) -> tuple[str, ...]:
    if code == "strfl_263":
        return (EVERYONE_RECORDED,)
    if code == "gdpr_breach":
        return (THIRD_PARTY,)
    if code == "strfl_264d":
        victims = []
        if getattr(incident, "private_details", False) and spread:
            victims.append(EMPLOYEE)
        if getattr(incident, "family_exposed", False):
            victims.append(FAMILY)
        if getattr(incident, "third_party_confidential", False):
            victims.append(THIRD_PARTY)
        return tuple(victims) or (EMPLOYEE,)
    return (EMPLOYEE,)


def provisions(incident) -> list[Provision]:
    """The incident's legal references with prosecution, victims, summary and guidance."""
    items = Assessment.from_dict(incident.assessment).legal_references
    spread = _spread(incident) if items else True
    result = []
    for item in items:
        code = item.code
        text = LEGAL_REFERENCE_TEXTS.get(code)
        prosecution = item.prosecution if item.prosecution_stored else default_prosecution(code, incident)
        victims = item.victim or default_victims(code, incident, spread=spread)
        result.append(
            Provision(
                code=code,
                title=item.title or (text.title if text else str(TITLES.get(code, code))),
                summary=(
                    item.summary or (getattr(text, "summary", "") if text else "") or str(SUMMARIES.get(code, ""))
                ),
                guidance=item.guidance or (getattr(text, "guidance", "") if text else ""),
                source=item.source or (text.source if text else ""),
                prosecution=prosecution,
                victims=tuple(victims),
            )
        )
    return result


def criminal(items: list[Provision]) -> list[Provision]:
    return [p for p in items if p.is_criminal]


def private_provisions(items: list[Provision]) -> list[Provision]:
    return [p for p in items if p.is_criminal and p.prosecution == PRIVATE]


def requests_for_prosecution(items: list[Provision], *, employee_name: str = "") -> list[Begaering]:
    """One begæring per victim with exactly the `request` provisions where that person is the
    victim. "Everyone recorded" (§ 263) means the employee and the other people recorded."""
    by_victim: dict[str, list[Provision]] = {}
    for provision in items:
        if not provision.is_criminal or provision.prosecution != REQUEST:
            continue
        for victim in provision.victims:
            for person in (EMPLOYEE, OTHERS_RECORDED) if victim == EVERYONE_RECORDED else (victim,):
                bucket = by_victim.setdefault(person, [])
                if provision not in bucket:
                    bucket.append(provision)
    return [
        Begaering(
            victim=victim,
            signatory=str(SIGNATORIES[victim]),
            name=employee_name if victim == EMPLOYEE else "",
            provisions=by_victim[victim],
        )
        for victim in VICTIM_ORDER
        if victim in by_victim
    ]


def has_code(items: list[Provision], code: str) -> bool:
    return any(p.code == code for p in items)


def missing_summary_text() -> str:
    return _("Bestemmelsens indhold er ikke beskrevet.")
