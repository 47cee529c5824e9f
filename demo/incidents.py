"""Made-up incidents for the demo and the benchmarks, inserted in bulk.

`demo_incidents_seed(organisation=..., count=N)` adds N realistic incidents to an
organisation: spread over its units and the last three years, with publications on the
usual platforms, feature combinations at plausible frequencies, the caseworkers of the
unit as targets, a workflow history that fits the incident's age, and the assessment
(with its deadline rows) computed by the same rules engine and facts as
`incidents.services` (the rows are written by demo.writer). Every name, handle, link and
text is invented; none describes a real person.

Speed: rows are built as plain dicts in batches of `BATCH_SIZE` and written with COPY on
PostgreSQL (`bulk_create` elsewhere); references are reserved per year with one upsert on
`ReferenceCounter`, so registrations made afterwards continue the sequence; the whole
seed is one transaction. See bench/README.md for the time 100,000 incidents take.

The same `seed` gives the same incidents (counts, facts, texts) for the same
organisation and `now`; references depend on what the counter already holds.
"""

from __future__ import annotations

import itertools
import random
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, Role, Unit
from accounts.tree import UnitTree
from audit.models import AuditEvent
from audit.services import audit_record
from incidents.assessment import LEVEL_LABELS, PLATFORM_LABELS, REPEATED_PUBLICATION_COUNT, Facts, assess
from incidents.models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    Incident,
    ReferenceCounter,
    TimelineEntry,
)
from incidents.services import facts_hash_of

from .writer import _historical_timestamps, _Writer

BATCH_SIZE = 5000
HISTORY_DAYS = 3 * 365

# --- Frequencies ----------------------------------------------------------------------
# Rough shares from the DS guidance's examples and what municipalities report: most cases
# name the employee on Facebook with insulting or accusing words; threats, private
# details and recordings are rarer.

FEATURE_RATES: dict[str, float] = {
    "named": 0.85,
    "photo": 0.18,
    "offensive_language": 0.45,
    "insulting_description": 0.40,
    "abuse_of_power_accusation": 0.35,
    "lawbreaking_accusation": 0.14,
    "workplace_details": 0.14,
    "private_details": 0.06,
    "threat": 0.05,
    "incitement": 0.06,
    "repeated": 0.06,
}
RECORDING_RATE = 0.12  # an audio or video recording is part of the incident
RELATION_WEIGHTS = {"citizen_own_case": 60, "relative": 15, "other_citizen": 8, "unknown": 12, "other": 5}
PLATFORM_WEIGHTS = {
    "facebook": 45, "instagram": 7, "x": 4, "tiktok": 6, "youtube": 7, "linkedin": 2, "reddit": 2,
    "blog": 5, "website": 4, "book": 0.5, "news_comments": 5, "forum": 3, "closed_group": 5,
    "messaging": 2, "email": 1.5, "other": 1,
}
PUBLICATION_COUNT_WEIGHTS = {1: 55, 2: 25, 3: 12, 4: 8}
SELF_REPORT_SHARE = 0.35
# Status by age: most older cases are closed, recent ones still open.
STATUS_WEIGHTS_OLD = {"closed": 80, "in_progress": 15, "assessing": 3, "reported": 2}  # > 180 days
STATUS_WEIGHTS_MONTHS = {"closed": 40, "in_progress": 40, "assessing": 10, "reported": 10}  # 31–180 days
STATUS_WEIGHTS_RECENT = {"reported": 35, "assessing": 25, "in_progress": 35, "closed": 5}  # ≤ 30 days

# --- Phrase bank (invented) ------------------------------------------------------------

GROUP_SLUGS = (
    "foraeldreikampmodkommunen", "retfaerdighedforfamilier", "stopsystemsvigtet", "borgereisocialsager",
    "kommunalomsorgssvigtdk", "faedreforbarnet", "handicapfamilierstaarsammen", "jobcentersvigt",
)
GROUP_NAMES = (
    "Forældre i kamp mod kommunen", "Retfærdighed for familier", "Stop systemsvigtet", "Borgere i sociale sager",
    "Kommunalt omsorgssvigt DK", "Fædre for barnet", "Handicapfamilier står sammen", "Svigtet af jobcentret",
)
HANDLES = (
    "retfaerdighed_nu", "mor.til.tre.drenge", "stopkommunen", "far_i_kamp", "borgerstemmen_dk",
    "sandheden_om_systemet", "kommunewatch", "familie_mod_forvaltningen", "ukendt_profil_77", "dk_sagsbehandling",
)
SITES = ("kommunesvigt", "borgerensside", "sagsbehandlerfejl", "familieretten-nu", "systemetsofre")
NEWS_SITES = ("demoby-avis", "lokalnyt-demoby", "egnsbladet-demo")
PERPETRATOR_NAMES = (
    "Profilen «Retfærdighed Nu»", "Gruppen «Stop systemsvigtet»", "Bruger «far_i_kamp»", "Ukendt profil",
    "Bloggen «Borgerens side»", "Kanalen «Sandheden om systemet»",
)
TARGET_FIRST_NAMES = ("Lene", "Mads", "Pia", "Søren", "Hanne", "Jesper", "Camilla", "Bo", "Trine", "Kasper")
TARGET_LAST_INITIALS = "ABDFHJKLMNPRST"

OPENINGS = {
    "citizen_own_case": "En borger med en aktuel sag i {unit} har skrevet om sin sagsbehandler.",
    "relative": "En pårørende til en borger med en sag i {unit} har lagt indhold ud om medarbejderen.",
    "other_citizen": "En borger uden egen sag hos {unit} har delt et opslag om medarbejderen.",
    "unknown": "En profil, vi ikke kender afsenderen bag, har lagt indhold ud om en medarbejder i {unit}.",
    "other": "En tidligere samarbejdspartner har omtalt medarbejderen offentligt.",
}
FEATURE_SENTENCES = {
    "named": "Medarbejderen nævnes med fulde navn og stilling.",
    "photo": "Der er lagt et billede af medarbejderen ud, hentet fra en offentlig profil.",
    "offensive_language": "Sproget er groft, og medarbejderen kaldes blandt andet inkompetent og hjerteløs.",
    "insulting_description": "Medarbejderen beskrives som kold og uegnet til at arbejde med mennesker.",
    "abuse_of_power_accusation": "Opslaget påstår, at medarbejderen træffer afgørelser for at straffe familien.",
    "lawbreaking_accusation": "Det påstås, at medarbejderen har brudt tavshedspligten og fusket med sagsakter.",
    "workplace_details": "Kontorets adresse og medarbejderens mødetider er skrevet i kommentarerne.",
    "private_details": "Medarbejderens bopæl og børnenes skole er nævnt.",
    "threat": "En kommentar siger, at medarbejderen «skal passe på, når hun går hjem».",
    "incitement": "Læserne opfordres til at ringe til medarbejderen og møde op på kontoret.",
    "repeated": "Det er ikke første gang; der er kommet nye opslag flere gange den seneste måned.",
    "audio_published": "En lydoptagelse fra et møde om sagen er lagt ud.",
    "video_published": "En video fra et møde med medarbejderen er lagt ud.",
    "third_party_confidential": "Optagelsen afslører oplysninger om andre borgere.",
    "hidden_recording": "Mødet blev optaget, uden at medarbejderen vidste det.",
    "recorder_not_party": "Optagelsen er lavet af en person, der ikke deltog i mødet.",
}
CLOSINGS = (
    "Medarbejderen har taget skærmbilleder og orienteret sin leder.",
    "En kollega så opslaget først og sagde det til medarbejderen.",
    "Medarbejderen er påvirket og har bedt om en snak med lederen.",
    "Opslaget har fået mange delinger og kommentarer.",
    "",
)
QUOTES = {
    "offensive_language": "Endnu en inkompetent sagsbehandler, der er ligeglad med børnene.",
    "insulting_description": "Hun har ikke et gram empati i kroppen og burde aldrig have fået det job.",
    "abuse_of_power_accusation": "Han bruger sin magt til at straffe os, fordi vi klagede.",
    "lawbreaking_accusation": "Hun har løjet i sagen og sendt fortrolige papirer videre. Det er ulovligt.",
    "threat": "Hun skal ikke regne med at kunne gå alene hjem fra kontoret.",
    "incitement": "Ring til hende og sig din mening. Hun sidder på kontoret hver tirsdag.",
    "named": "Kender I sagsbehandleren fra kommunen? Så del jeres historie.",
}
TITLES = {
    "threat": "Trussel i kommentarer på {platform}",
    "video_published": "Video fra møde lagt på {platform}",
    "audio_published": "Lydoptagelse fra møde delt på {platform}",
    "incitement": "Opfordring til at opsøge medarbejderen på {platform}",
    "private_details": "Private oplysninger om medarbejderen på {platform}",
    "lawbreaking_accusation": "Beskyldning om lovbrud på {platform}",
    "abuse_of_power_accusation": "Beskyldning om magtmisbrug på {platform}",
    "offensive_language": "Nedsættende kommentarer om medarbejder på {platform}",
    "insulting_description": "Krænkende beskrivelse af medarbejder på {platform}",
    "photo": "Billede af medarbejder delt på {platform}",
}
GENERIC_TITLES = ("Medarbejder navngivet på {platform}", "Opslag om sagsbehandler på {platform}")
JUSTIFICATIONS = (
    "Medarbejderen er særligt hårdt ramt, og opslaget er delt bredt i lokalområdet.",
    "Afsenderen har tidligere opsøgt medarbejderen; vi vurderer risikoen højere end beregnet.",
)
ACTION_NOTES = {
    "support_conversation": "Samtale med medarbejderen; tilbudt psykolog via kommunens ordning.",
    "secure_evidence": "Skærmbilleder med link og tidspunkt gemt i sagen.",
    "involve_amr_tr": "TR og AMR orienteret.",
    "no_engagement": "Aftalt at medarbejderen ikke svarer på opslaget.",
    "platform_takedown": "Anmodning om fjernelse sendt via platformens formular.",
    "police_report": "Politianmeldelse sendt af arbejdsgiveren.",
    "datatilsynet_report": "Klage sendt til Datatilsynet.",
    "safety_assessment": "Sikkerhedsvurdering: møder holdes med to medarbejdere.",
    "complaint_system": "Borgeren er vejledt om klageadgang.",
    "bisidder": "Borgeren er tilbudt at tage en bisidder med til næste møde.",
    "change_caseworker": "Borgeren er tilbudt en anden sagsbehandler.",
    "recording_guidelines": "Retningslinjer for optagelse gennemgået med afdelingen.",
    "occupational_injury": "Arbejdsulykke anmeldt i EASY.",
    "restraining_order": "Politiet er bedt om at overveje et tilhold.",
}
ACTION_CHANCE = {
    "support_conversation": 0.6, "secure_evidence": 0.3, "involve_amr_tr": 0.15, "no_engagement": 0.05,
    "platform_takedown": 0.7, "police_report": 0.5, "datatilsynet_report": 0.3, "safety_assessment": 0.5,
    "complaint_system": 0.3, "bisidder": 0.1, "change_caseworker": 0.2, "recording_guidelines": 0.3,
    "occupational_injury": 0.8, "restraining_order": 0.2,
}
MAX_ACTIONS = 3  # actions recorded per incident at most

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_URL_CHARS = string.ascii_letters + string.digits + "-_"


# --- The organisation -------------------------------------------------------------------

@dataclass(frozen=True)
class _UnitPeople:
    unit: Unit
    caseworkers: tuple[int, ...]
    managers: tuple[int, ...]  # managers of the unit or a unit above it


def _people_by_unit(organisation: Organisation) -> list[_UnitPeople]:
    units = list(Unit.objects.filter(organisation=organisation).order_by("pk"))
    tree = UnitTree.of_units(units)
    by_role: dict[tuple[int, str], list[int]] = {}
    for unit_id, role, user_id in (
        Membership.objects.filter(unit__organisation=organisation, user__is_active=True)
        .order_by("pk").values_list("unit_id", "role", "user_id")
    ):
        by_role.setdefault((unit_id, role), []).append(user_id)
    people = []
    for unit in units:
        managers = [user_id for node in tree.ancestors(unit.pk) for user_id in by_role.get((node, Role.MANAGER), [])]
        people.append(_UnitPeople(unit, tuple(by_role.get((unit.pk, Role.CASEWORKER), ())), tuple(managers)))
    return people


# --- Drawing one incident ---------------------------------------------------------------

@dataclass
class _Draft:
    """One incident and its rows, as dicts keyed by column."""

    incident: dict
    publications: list[dict]
    target_ids: list[int]
    timeline: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)


_CUMULATIVE: dict[int, tuple[list, list[float]]] = {}


def _pick(rng: random.Random, weights: dict) -> object:
    """One key of `weights` (a module constant), drawn in proportion to its value."""
    table = _CUMULATIVE.get(id(weights))
    if table is None:
        table = _CUMULATIVE[id(weights)] = (list(weights), list(itertools.accumulate(weights.values())))
    return rng.choices(table[0], cum_weights=table[1])[0]


def _slug(text: str, rng: random.Random) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower().translate(_ASCII)).split()
    return "-".join(words[: rng.randint(3, 6)]) or "opslag"


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_URL_CHARS, k=length))


def _publication_url(rng: random.Random, platform: str, title: str, when: datetime) -> str:
    handle = rng.choice(HANDLES)
    slug = _slug(title, rng)
    match platform:
        case "facebook":
            return f"https://www.facebook.com/groups/{rng.choice(GROUP_SLUGS)}/posts/{rng.randrange(10**15, 10**16)}"
        case "closed_group":
            return (f"https://www.facebook.com/groups/{rng.choice(GROUP_SLUGS)}/permalink/"
                    f"{rng.randrange(10**15, 10**16)}/")
        case "instagram":
            return f"https://www.instagram.com/p/{_code(rng, 11)}/"
        case "x":
            return f"https://x.com/{handle.replace('.', '_')}/status/{rng.randrange(10**18, 2 * 10**18)}"
        case "tiktok":
            return f"https://www.tiktok.com/@{handle}/video/{rng.randrange(7 * 10**18, 8 * 10**18)}"
        case "youtube":
            return f"https://www.youtube.com/watch?v={_code(rng, 11)}"
        case "linkedin":
            return (f"https://www.linkedin.com/posts/{handle.replace('.', '-')}_{slug}-activity-"
                    f"{rng.randrange(7 * 10**18, 8 * 10**18)}-{_code(rng, 4)}")
        case "reddit":
            code = "".join(rng.choices(string.ascii_lowercase + string.digits, k=6))
            return f"https://www.reddit.com/r/Denmark/comments/{code}/{slug.replace('-', '_')}/"
        case "blog":
            return f"https://{handle.replace('_', '').replace('.', '')}.blogspot.com/{when:%Y/%m}/{slug}.html"
        case "website":
            return f"https://www.{rng.choice(SITES)}.dk/{slug}"
        case "news_comments":
            return f"https://www.{rng.choice(NEWS_SITES)}.dk/lokalt/{slug}#kommentarer"
        case "forum":
            return f"https://forum.{rng.choice(SITES)}.dk/t/{slug}/{rng.randrange(1000, 99999)}"
        case "other":
            return f"https://{rng.choice(SITES)}.dk/{slug}"
        case _:  # book, messaging, email: no link, only screenshots or a page reference
            return ""


def _publication_title(rng: random.Random, platform: str) -> str:
    match platform:
        case "facebook" | "closed_group":
            return f"Opslag i gruppen «{rng.choice(GROUP_NAMES)}»"
        case "book":
            return f"Bogen «Svigtet af systemet», s. {rng.randint(20, 240)}"
        case "messaging":
            return "Besked delt i en Messenger-gruppe"
        case "email":
            return "E-mail sendt til kolleger og ledelse"
        case "youtube" | "tiktok":
            return f"Video fra kanalen «{rng.choice(HANDLES)}»"
        case "news_comments":
            return "Kommentarer under artikel om kommunens socialområde"
        case _:
            return f"Indlæg af «{rng.choice(HANDLES)}»"


def _reach(rng: random.Random, platform: str) -> tuple[str, int | None]:
    if platform in ("messaging", "email"):
        return "private_message", rng.randint(2, 40)
    if platform == "closed_group" or (platform == "facebook" and rng.random() < 0.4):
        return "closed_group", rng.choice((150, 800, 2500, 6000, 14000))
    if platform == "book":
        return "public", None
    return "public", rng.choice((None, None, 300, 1200, 5000, 25000))


def _draw_features(rng: random.Random) -> set[str]:
    features = {code for code, rate in FEATURE_RATES.items() if rng.random() < rate}
    if "threat" in features and rng.random() < 0.3:
        features.add("incitement")
    if rng.random() < RECORDING_RATE:
        features.add("audio_published" if rng.random() < 0.6 else "video_published")
        if "video_published" in features and rng.random() < 0.1:
            features.add("video_consent")
        if rng.random() < 0.6:
            features.add("hidden_recording")
        elif rng.random() < 0.15:
            features.add("recorder_not_party")
        if rng.random() < 0.2:
            features.add("third_party_confidential")
    return features


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _status_for_age(rng: random.Random, age_days: int) -> str:
    if age_days > 180:
        return _pick(rng, STATUS_WEIGHTS_OLD)
    if age_days > 30:
        return _pick(rng, STATUS_WEIGHTS_MONTHS)
    return _pick(rng, STATUS_WEIGHTS_RECENT)


def _draw(rng: random.Random, people: _UnitPeople, registered_at: datetime, now: datetime,
          labels: dict[str, str]) -> _Draft:
    unit = people.unit
    features = _draw_features(rng)
    relation = _pick(rng, RELATION_WEIGHTS)
    pub_count = _pick(rng, PUBLICATION_COUNT_WEIGHTS)
    main_platform = _pick(rng, PLATFORM_WEIGHTS)
    platforms = [main_platform] + [
        main_platform if rng.random() < 0.5 else _pick(rng, PLATFORM_WEIGHTS) for _ in range(pub_count - 1)
    ]
    if pub_count >= REPEATED_PUBLICATION_COUNT:
        features.add("repeated")
    discovered_at = registered_at - timedelta(minutes=rng.randint(30, 5 * 24 * 60))

    # Who is concerned and who registered it.
    target_ids: list[int] = []
    target_names = ""
    if people.caseworkers and rng.random() < 0.8:
        target_ids = rng.sample(people.caseworkers, min(len(people.caseworkers), 2 if rng.random() < 0.1 else 1))
    else:
        target_names = f"{rng.choice(TARGET_FIRST_NAMES)} {rng.choice(TARGET_LAST_INITIALS)}."
    if target_ids and rng.random() < SELF_REPORT_SHARE:
        channel, reporter_id = Incident.Channel.SELF_REPORT.value, target_ids[0]
    else:
        channel = Incident.Channel.MANAGER.value
        reporter_id = rng.choice(people.managers) if people.managers else None

    # Texts.
    salient = next((code for code in TITLES if code in features), None)
    title_pattern = TITLES[salient] if salient else rng.choice(GENERIC_TITLES)
    title = title_pattern.format(platform=PLATFORM_LABELS[main_platform])
    sentences = [OPENINGS[relation].format(unit=unit.name)]
    sentences += [FEATURE_SENTENCES[code] for code in FEATURE_SENTENCES if code in features]
    sentences.append(rng.choice(CLOSINGS))
    quote_codes = [code for code in QUOTES if code in features] or ["named"]

    absence_days = 0 if rng.random() < 0.85 else rng.randint(1, 20)
    incident = {
        "unit_id": unit.pk, "channel": channel, "reporter_id": reporter_id, "target_names": target_names,
        "title": title, "description": " ".join(s for s in sentences if s),
        "perpetrator_relation": relation,
        "perpetrator_name": rng.choice(PERPETRATOR_NAMES) if rng.random() < 0.5 else "",
        "perpetrator_profile_url": (f"https://www.facebook.com/{rng.choice(HANDLES).replace('_', '.')}"
                                    if main_platform == "facebook" and rng.random() < 0.4 else ""),
        "related_case_complaint": relation == "citizen_own_case" and rng.random() < 0.45,
        "related_bullying": rng.random() < 0.08,
        "related_threats": "threat" in features and rng.random() < 0.7,
        "related_stalking": rng.random() < 0.02,
        "absence_days": absence_days,
        "absence_start": (discovered_at.date() + timedelta(days=rng.randint(0, 3))) if absence_days else None,
        "psychological_harm": rng.random() < 0.15,
        "emotional_load": rng.choice((None, 1, 2, 3, 3, 4, 4, 5)),
        "discovered_at": discovered_at,
        "registered_at": registered_at,
        **{code: True for code in features},
    }

    publications = []
    for platform in platforms:
        published_at = discovered_at - timedelta(minutes=rng.randint(10, 20 * 24 * 60))
        reach, audience = _reach(rng, platform)
        publications.append({
            "platform": platform, "url": _publication_url(rng, platform, title, published_at),
            "title": _publication_title(rng, platform), "published_at": published_at,
            "captured_at": discovered_at + timedelta(minutes=rng.randint(5, 600)),
            "reach": reach, "audience_size": audience, "still_online": rng.choice((None, True, True, False)),
            "quote": QUOTES[rng.choice(quote_codes)], "created_at": registered_at,
        })

    draft = _Draft(incident, publications, target_ids)
    _workflow(rng, draft, platforms, now, labels, people)
    return draft


def _facts(incident: dict, publications: Sequence[dict]) -> Facts:
    """The facts `incidents.services.incident_facts` would read from the saved incident."""
    tz = timezone.get_current_timezone()
    takedown = incident.get("takedown_requested_at")
    published = sorted(pub["published_at"] for pub in publications if pub.get("published_at") is not None)
    return Facts(
        frozenset(code for code in FEATURE_FIELDS if incident.get(code)),
        perpetrator_relation=incident["perpetrator_relation"],
        related_phenomena=frozenset(code for code, name in PHENOMENON_FIELDS.items() if incident.get(name)),
        platforms=frozenset(pub["platform"] for pub in publications),
        reaches=frozenset(pub["reach"] for pub in publications if pub.get("reach")),
        publication_count=len(publications),
        first_published_at=published[0].astimezone(tz) if published else None,
        last_published_at=published[-1].astimezone(tz) if published else None,
        absence_days=incident["absence_days"],
        absence_start=incident["absence_start"],
        psychological_harm=incident["psychological_harm"],
        discovered_at=incident["discovered_at"].astimezone(tz),
        registered_at=incident["registered_at"].astimezone(tz),
        self_report=incident["channel"] == Incident.Channel.SELF_REPORT,
        takedown_requested_at=takedown.astimezone(tz) if takedown else None,
    )


def _workflow(rng: random.Random, draft: _Draft, platforms: Sequence[str], now: datetime,
              labels: dict[str, str], people: _UnitPeople) -> None:
    """Give the incident a history that fits its age, and its assessment.

    The moments are drawn first, so the assessment (which a takedown request changes)
    is computed once for most incidents.
    """
    incident = draft.incident
    registered_at = incident["registered_at"]
    manager = rng.choice(people.managers) if people.managers else None
    tz = timezone.get_current_timezone()
    age_days = (now - registered_at).days
    status = _status_for_age(rng, age_days)
    when = registered_at
    step = max(1, min(age_days, 120))  # later steps fall between registration and now

    def later(max_days: int) -> datetime:
        nonlocal when
        when = min(now, when + timedelta(minutes=rng.randint(60, max(61, min(step, max_days) * 24 * 60))))
        return when

    assessing_at = confirmed_at = acting_at = None
    if status != "reported":
        if rng.random() < 0.5 or status == "assessing":
            assessing_at = later(2)
        if rng.random() < 0.9:
            confirmed_at = later(3)
        if status in ("in_progress", "closed"):
            acting_at = later(14)
            if rng.random() < ACTION_CHANCE["platform_takedown"]:
                incident["takedown_requested_at"] = _at(acting_at.astimezone(tz).date(), 12, 0)

    facts = _facts(incident, draft.publications)
    result = assess(facts)
    recommended = [item.code for item in result.actions]
    if "takedown_requested_at" in incident and "platform_takedown" not in recommended:
        del incident["takedown_requested_at"]  # not a case for the platform after all
        facts = _facts(incident, draft.publications)
        result = assess(facts)
    incident["assessed_level"] = result.severity.level
    incident["assessment"] = result.to_dict()
    # As incidents.services.deadlines_sync mirrors them.
    draft.deadlines = [{"code": d.code, "title": d.title[:200], "due": d.due.replace(microsecond=0)}
                       for d in result.deadlines]
    incident["rules_version"] = result.rules_version
    incident["facts_hash"] = facts_hash_of(facts)
    incident["status"] = status

    timeline = draft.timeline

    def entry(at: datetime, kind: str, actor_id, *, visible: bool = True, action_code: str = "",
              text: str = "", external_reference: str = "", from_status: str = "", to_status: str = "") -> None:
        timeline.append({
            "kind": kind, "action_code": action_code, "occurred_on": at.astimezone(tz).date(), "created_at": at,
            "actor_id": actor_id, "text": text, "external_reference": external_reference,
            "from_status": from_status, "to_status": to_status, "visible_to_employee": visible,
        })

    status_kind = TimelineEntry.Kind.STATUS.value
    entry(registered_at, TimelineEntry.Kind.REGISTERED.value, incident["reporter_id"],
          text=labels[incident["channel"]])
    previous = "reported"
    if assessing_at:
        entry(assessing_at, status_kind, manager, from_status=previous, to_status="assessing")
        previous = "assessing"
    if confirmed_at:
        confirmed = result.severity.level
        if rng.random() < 0.05 and confirmed < 4:
            confirmed += 1
            incident["override_justification"] = rng.choice(JUSTIFICATIONS)
        incident.update(confirmed_level=confirmed, confirmed_by_id=manager, confirmed_at=confirmed_at,
                        confirmed_facts_hash=incident["facts_hash"])
        entry(confirmed_at, (TimelineEntry.Kind.ASSESSMENT if confirmed == result.severity.level
                             else TimelineEntry.Kind.ASSESSMENT_OVERRIDE).value, manager, visible=False,
              text=LEVEL_LABELS[confirmed])
    if acting_at:
        chosen = ["platform_takedown"] if "takedown_requested_at" in incident else []
        chosen += [code for code in recommended
                   if code != "platform_takedown" and rng.random() < ACTION_CHANCE.get(code, 0.3)]
        for code in chosen[:MAX_ACTIONS]:
            acted_at = acting_at or later(14)
            acting_at = None
            external = ""
            if code == "police_report":
                external = (f"{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}-"
                            f"{rng.randint(0, 99999):05d}-{acted_at:%y}")
            elif code == "platform_takedown":
                external = f"Sag #{rng.randrange(10**9, 10**10)}"
            entry(acted_at, TimelineEntry.Kind.ACTION.value, manager, action_code=code,
                  text=ACTION_NOTES.get(code, ""), external_reference=external)
            if previous != "in_progress":
                entry(acted_at, status_kind, manager, from_status=previous, to_status="in_progress")
                previous = "in_progress"
        if previous != "in_progress":
            entry(acting_at or later(7), status_kind, manager, from_status=previous, to_status="in_progress")
            previous = "in_progress"
    if status == "closed":
        incident["closed_at"] = later(60)
        if incident.get("perpetrator_name") or incident.get("perpetrator_profile_url"):
            # Closing needs the art. 14 record (incidents.art14): the manager informed the person that day.
            incident["art14_informed_on"] = incident["closed_at"].astimezone(tz).date()
            incident["art14_recorded_by_id"] = manager
            incident["art14_recorded_at"] = incident["closed_at"]
        entry(when, status_kind, manager, from_status=previous, to_status="closed")
    incident["updated_at"] = when


# --- Dates and references ---------------------------------------------------------------

def _registration_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` office-hour moments in the last HISTORY_DAYS days, oldest first; weekdays mostly."""
    today = timezone.localdate(now)
    latest = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    times = []
    while len(times) < count:
        day = today - timedelta(days=rng.randrange(HISTORY_DAYS))
        if day.weekday() >= 5 and rng.random() < 0.8:
            continue
        moment = _at(day, rng.randint(7, 16), rng.randrange(60))
        times.append(min(moment, latest))
    times.sort()
    return times


def _reserve_numbers(year: int, count: int) -> int:
    """Reserve `count` consecutive numbers of `year` on the counter; returns the first.

    The block version of `incidents.services.next_reference`: one upsert, so the counter
    row stays locked until the seed commits and later registrations continue after it.
    """
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "  # noqa: S608 - constant table name
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + excluded.last_number "
            "RETURNING last_number",
            [year, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


# --- The seed ---------------------------------------------------------------------------

def demo_incidents_seed(*, organisation: Organisation, count: int, seed: int = 1,
                        now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Add `count` made-up incidents to `organisation`; returns how many were added."""
    if count <= 0:
        return 0
    people = _people_by_unit(organisation)
    if not people:
        raise ValueError(f"{organisation} has no units to add incidents to.")
    now = now or timezone.now()
    rng = random.Random(seed)
    unit_weights = [3 if p.caseworkers else 1 for p in people]
    labels = {str(value): str(label) for value, label in Incident.Channel.choices}
    tz = timezone.get_current_timezone()

    with transaction.atomic(), _historical_timestamps():
        times = _registration_times(rng, count, now)
        years = Counter(t.astimezone(tz).year for t in times)
        next_number = {year: _reserve_numbers(year, n) for year, n in sorted(years.items())}
        writer = _Writer(count, batch_size)
        references = []
        try:
            for start in range(0, count, batch_size):
                drafts = []
                for registered_at in times[start:start + batch_size]:
                    draft = _draw(rng, rng.choices(people, weights=unit_weights)[0], registered_at, now, labels)
                    year = registered_at.astimezone(tz).year
                    number = next_number[year]
                    next_number[year] += 1
                    draft.incident.update(year=year, number=number, reference=f"UDH-{year}-{number:04d}")
                    drafts.append(draft)
                references += (drafts[0].incident["reference"], drafts[-1].incident["reference"])
                writer.write(drafts)
        finally:
            writer.finish()
        audit_record(
            actor=None, action=AuditEvent.Action.CREATE, object_type="incidents.incident",
            organisation_id=organisation.pk,
            summary=_("Demodata: %(count)d hændelser oprettet") % {"count": count},
            details={"count": count, "seed": seed, "first": references[0], "last": references[-1]},
        )
    return count
