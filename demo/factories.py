"""Factories for the project's objects, shared by the tests and the demo data.

The tests build their object graphs with them (tests/factories.py re-exports them, with the
test helpers; the personas are in tests/conftest.py). The demo (`seed_demo`, `make run`) creates
its organisation, units, users, sample incidents and recording requests through them, passing
its own values.

What a plausible incident and publication look like is defined once, here: the frequencies
and the phrase bank below, and `incident_row` / `publication_row`, which draw one row (a dict
keyed by column) from them. `IncidentFactory` and `PublicationFactory` take the fields nobody
passes from such a row; the bulk generator (`demo.incidents`, 100,000 incidents in about a
minute) draws the very same rows and writes them with COPY instead of creating objects.
Everything is invented; no name, handle, link or text describes a real person.

The factories draw from factory_boy's generator (`factory.random.reseed_random(n)` repeats a
run); the generator passes its own `random.Random(seed)`.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Collection
from datetime import datetime, timedelta

import factory
import factory.random
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, Unit, User
from incidents.assessment import PLATFORM_LABELS, REPEATED_PUBLICATION_COUNT
from incidents.models import FEATURE_FIELDS, Incident, IncidentDeadline, Publication, TimelineEntry
from recordings.codes import REFUSED
from recordings.models import REASON_FIELDS, RecordingRequest

# The factories' default password (the tests sign in with it); the demo passes its own.
TEST_PASSWORD = "test-password-123"  # noqa: S105 - a test password, public

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
    "facebook": 45,
    "instagram": 7,
    "x": 4,
    "tiktok": 6,
    "youtube": 7,
    "linkedin": 2,
    "reddit": 2,
    "blog": 5,
    "website": 4,
    "book": 0.5,
    "news_comments": 5,
    "forum": 3,
    "closed_group": 5,
    "messaging": 2,
    "email": 1.5,
    "other": 1,
}
PUBLICATION_COUNT_WEIGHTS = {1: 55, 2: 25, 3: 12, 4: 8}

# --- Phrase bank (invented) ------------------------------------------------------------

GROUP_SLUGS = (
    "foraeldreikampmodkommunen",
    "retfaerdighedforfamilier",
    "stopsystemsvigtet",
    "borgereisocialsager",
    "kommunalomsorgssvigtdk",
    "faedreforbarnet",
    "handicapfamilierstaarsammen",
    "jobcentersvigt",
)
GROUP_NAMES = (
    "Forældre i kamp mod kommunen",
    "Retfærdighed for familier",
    "Stop systemsvigtet",
    "Borgere i sociale sager",
    "Kommunalt omsorgssvigt DK",
    "Fædre for barnet",
    "Handicapfamilier står sammen",
    "Svigtet af jobcentret",
)
HANDLES = (
    "retfaerdighed_nu",
    "mor.til.tre.drenge",
    "stopkommunen",
    "far_i_kamp",
    "borgerstemmen_dk",
    "sandheden_om_systemet",
    "kommunewatch",
    "familie_mod_forvaltningen",
    "ukendt_profil_77",
    "dk_sagsbehandling",
)
SITES = ("kommunesvigt", "borgerensside", "sagsbehandlerfejl", "familieretten-nu", "systemetsofre")
NEWS_SITES = ("demoby-avis", "lokalnyt-demoby", "egnsbladet-demo")
PERPETRATOR_NAMES = (
    "Profilen «Retfærdighed Nu»",
    "Gruppen «Stop systemsvigtet»",
    "Bruger «far_i_kamp»",
    "Ukendt profil",
    "Bloggen «Borgerens side»",
    "Kanalen «Sandheden om systemet»",
)
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

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_URL_CHARS = string.ascii_letters + string.digits + "-_"


# --- Drawing rows -----------------------------------------------------------------------

_CUMULATIVE: dict[int, tuple[list, list[float]]] = {}


def pick(rng: random.Random, weights: dict) -> object:
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
            return (
                f"https://www.facebook.com/groups/{rng.choice(GROUP_SLUGS)}/permalink/{rng.randrange(10**15, 10**16)}/"
            )
        case "instagram":
            return f"https://www.instagram.com/p/{_code(rng, 11)}/"
        case "x":
            return f"https://x.com/{handle.replace('.', '_')}/status/{rng.randrange(10**18, 2 * 10**18)}"
        case "tiktok":
            return f"https://www.tiktok.com/@{handle}/video/{rng.randrange(7 * 10**18, 8 * 10**18)}"
        case "youtube":
            return f"https://www.youtube.com/watch?v={_code(rng, 11)}"
        case "linkedin":
            return (
                f"https://www.linkedin.com/posts/{handle.replace('.', '-')}_{slug}-activity-"
                f"{rng.randrange(7 * 10**18, 8 * 10**18)}-{_code(rng, 4)}"
            )
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


def draw_features(rng: random.Random) -> set[str]:
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


def incident_row(rng: random.Random, unit_name: str, registered_at: datetime) -> tuple[dict, list[str]]:
    """One plausible incident of a unit registered at `registered_at`: its columns (texts, features,
    perpetrator, harm, discovery) and the platforms of its publications, main platform first."""
    features = draw_features(rng)
    relation = pick(rng, RELATION_WEIGHTS)
    pub_count = pick(rng, PUBLICATION_COUNT_WEIGHTS)
    main_platform = pick(rng, PLATFORM_WEIGHTS)
    platforms = [main_platform] + [
        main_platform if rng.random() < 0.5 else pick(rng, PLATFORM_WEIGHTS) for _ in range(pub_count - 1)
    ]
    if pub_count >= REPEATED_PUBLICATION_COUNT:
        features.add("repeated")
    discovered_at = registered_at - timedelta(minutes=rng.randint(30, 5 * 24 * 60))
    salient = next((code for code in TITLES if code in features), None)
    title_pattern = TITLES[salient] if salient else rng.choice(GENERIC_TITLES)
    sentences = [OPENINGS[relation].format(unit=unit_name)]
    sentences += [FEATURE_SENTENCES[code] for code in FEATURE_SENTENCES if code in features]
    sentences.append(rng.choice(CLOSINGS))
    absence_days = 0 if rng.random() < 0.85 else rng.randint(1, 20)
    row = {
        "title": title_pattern.format(platform=PLATFORM_LABELS[main_platform]),
        "description": " ".join(s for s in sentences if s),
        "perpetrator_relation": relation,
        "perpetrator_name": rng.choice(PERPETRATOR_NAMES) if rng.random() < 0.5 else "",
        "perpetrator_profile_url": (
            f"https://www.facebook.com/{rng.choice(HANDLES).replace('_', '.')}"
            if main_platform == "facebook" and rng.random() < 0.4
            else ""
        ),
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
        **{code: code in features for code in FEATURE_FIELDS},
    }
    return row, platforms


def publication_row(
    rng: random.Random,
    platform: str,
    *,
    title: str,
    discovered_at: datetime,
    registered_at: datetime,
    features: Collection[str],
) -> dict:
    """One publication on `platform` of an incident with that title, moments and features."""
    published_at = discovered_at - timedelta(minutes=rng.randint(10, 20 * 24 * 60))
    reach, audience = _reach(rng, platform)
    quote_codes = [code for code in QUOTES if code in features] or ["named"]
    return {
        "platform": platform,
        "url": _publication_url(rng, platform, title, published_at),
        "title": _publication_title(rng, platform),
        "published_at": published_at,
        "captured_at": discovered_at + timedelta(minutes=rng.randint(5, 600)),
        "reach": reach,
        "audience_size": audience,
        "still_online": rng.choice((None, True, True, False)),
        "quote": QUOTES[rng.choice(quote_codes)],
        "created_at": registered_at,
    }


# --- Factories --------------------------------------------------------------------------


def _rng() -> random.Random:
    return factory.random.randgen


class _OnFirstUse:
    """A value computed when first read: factory_boy resolves every declaration and parameter,
    and a row (or a reference) that no field needs, because all were passed in, should cost
    nothing (and take no number from the counter)."""

    def __init__(self, compute) -> None:
        self.compute, self.value = compute, None

    def __getitem__(self, key):
        if self.value is None:
            self.value = self.compute()
        return self.value[key]


def _drawn(column: str) -> factory.LazyAttribute:
    """The column's value in the factory's drawn row (its `row` parameter)."""
    return factory.LazyAttribute(lambda o: o.row[column])


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
    # Hashed before the user is first saved (a password passed in too): set after, it cost a
    # second save of every user a test or the demo made, and with it a «password changed»
    # security event.
    password = factory.Transformer(TEST_PASSWORD, transform=make_password)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.CASEWORKER


class IncidentFactory(factory.django.DjangoModelFactory):
    """A plausible incident, registered now by a manager: every field nobody passes comes from
    one `incident_row`; the reference is the year's next (`incidents.services.next_reference`);
    without a passed `assessment` the services compute it (and its deadline rows) on create.
    `targets=[user, ...]` sets the employees concerned."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    class Params:
        rng = factory.LazyFunction(_rng)
        row = factory.LazyAttribute(lambda o: _OnFirstUse(lambda: incident_row(o.rng, o.unit.name, o.registered_at)[0]))
        numbering = factory.LazyAttribute(lambda o: _OnFirstUse(lambda: _next_reference(o.year)))

    unit = factory.SubFactory(UnitFactory)
    channel = Incident.Channel.MANAGER
    registered_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    year = factory.LazyAttribute(lambda o: timezone.localtime(o.registered_at).year)
    number = factory.LazyAttribute(lambda o: o.numbering[0])
    reference = factory.LazyAttribute(lambda o: o.numbering[1])
    title = _drawn("title")
    description = _drawn("description")
    perpetrator_relation = _drawn("perpetrator_relation")
    perpetrator_name = _drawn("perpetrator_name")
    perpetrator_profile_url = _drawn("perpetrator_profile_url")
    related_case_complaint = _drawn("related_case_complaint")
    related_bullying = _drawn("related_bullying")
    related_threats = _drawn("related_threats")
    related_stalking = _drawn("related_stalking")
    absence_days = _drawn("absence_days")
    absence_start = _drawn("absence_start")
    psychological_harm = _drawn("psychological_harm")
    emotional_load = _drawn("emotional_load")
    discovered_at = _drawn("discovered_at")
    for _feature in FEATURE_FIELDS:  # one declaration per feature field (named, photo, threat, ...)
        locals()[_feature] = _drawn(_feature)
    del _feature

    @factory.post_generation
    def targets(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.targets.set(extracted)

    @factory.post_generation
    def assessed(obj, create, extracted, **kwargs):
        if create and not obj.assessment:
            from incidents.services import incident_reassess

            incident_reassess(obj)


def _next_reference(year: int) -> tuple[int, str]:
    from incidents.services import next_reference

    return next_reference(year)


def _features_of(incident: Incident) -> set[str]:
    return {code for code in FEATURE_FIELDS if getattr(incident, code)}


class PublicationFactory(factory.django.DjangoModelFactory):
    """A plausible publication of the incident (one `publication_row`), on a platform drawn as the
    generator draws an incident's main platform."""

    class Meta:
        model = Publication

    class Params:
        rng = factory.LazyFunction(_rng)
        row = factory.LazyAttribute(
            lambda o: _OnFirstUse(
                lambda: publication_row(
                    o.rng,
                    o.platform,
                    title=o.incident.title,
                    discovered_at=o.incident.discovered_at,
                    registered_at=o.incident.registered_at,
                    features=_features_of(o.incident),
                )
            )
        )

    incident = factory.SubFactory(IncidentFactory)
    platform = factory.LazyAttribute(lambda o: pick(o.rng, PLATFORM_WEIGHTS))
    url = _drawn("url")
    title = _drawn("title")
    published_at = _drawn("published_at")
    captured_at = _drawn("captured_at")
    reach = _drawn("reach")
    audience_size = _drawn("audience_size")
    still_online = _drawn("still_online")
    quote = _drawn("quote")


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    incident = factory.SubFactory(IncidentFactory)
    kind = TimelineEntry.Kind.NOTE
    occurred_on = factory.LazyFunction(timezone.localdate)
    text = "Samtale med medarbejderen."


class IncidentDeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentDeadline

    incident = factory.SubFactory(IncidentFactory)
    code = "police_report"
    title = "Anmeld til politiet"
    due = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=7))


# --- Recording requests -------------------------------------------------------------------

# The reasons citizens give, alone or together (recordings.codes).
REASON_SETS = (
    ("memory_problems",),
    ("concentration_problems",),
    ("note_taking_difficulty",),
    ("language_barrier",),
    ("wants_documentation",),
    ("distrust",),
    ("publish_intent",),
    ("memory_problems", "publish_intent"),
    ("wants_documentation", "distrust"),
    ("other",),
)


def _suggested(o) -> str:
    from recordings.suggest import GuidelinePolicy, RequestFacts, suggest

    without = o.guideline.without_legitimate_reason if o.guideline else REFUSED
    return suggest(RequestFacts.of(o.reasons, o.media), GuidelinePolicy(without_legitimate_reason=without)).decision


class RecordingRequestFactory(factory.django.DjangoModelFactory):
    """A decided recording request of the unit: `reasons=(code, ...)` (drawn from REASON_SETS
    otherwise) sets the reason fields; the suggestion is what recordings.suggest says for them and
    the guideline's rule, and the decision follows it unless passed."""

    class Meta:
        model = RecordingRequest

    class Params:
        reasons = factory.LazyFunction(lambda: _rng().choice(REASON_SETS))

    unit = factory.SubFactory(UnitFactory)
    registered_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..unit.organisation"))
    registered_at = factory.LazyFunction(timezone.now)
    request_date = factory.LazyAttribute(lambda o: timezone.localdate(o.registered_at))
    media = "audio"
    setting = "meeting"
    guideline = None
    suggested_decision = factory.LazyAttribute(_suggested)
    decision = factory.SelfAttribute("suggested_decision")
    justification = "Afgjort efter retningslinjen og borgerens begrundelse."
    decided_by = factory.SelfAttribute("registered_by")
    decided_at = factory.SelfAttribute("registered_at")
    for _reason, _field in REASON_FIELDS.items():  # one declaration per reason field
        locals()[_field] = factory.LazyAttribute(lambda o, code=_reason: code in o.reasons)
    del _reason, _field
