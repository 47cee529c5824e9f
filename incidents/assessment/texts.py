"""Danish texts for every output code of DOMAIN.md 4.2–4.4.

Written in our own words after the DS guidance ("DS-vejledningen", Dansk
Socialrådgiverforening: Hvad er udhængning?) and the legal notes. ``lead`` opens the
item's reason; the assessment appends the facts that fired it. ``source`` names the DS
guidance section or the statute; ``anchor`` is the knowledge-base section slug.

Titles, sources and notes are marked with ``gettext_noop`` (see ``i18n``) so the Django
layer can translate them on display; leads stay unmarked, since they only reach people
inside the Danish ``reason``.
"""

from dataclasses import dataclass

from .i18n import gettext_noop

# Every title, source and note is one whole literal in gettext_noop (no f-strings, no
# concatenation), so makemessages extracts exactly the text the assessment stores.
DS_ACT = gettext_noop("DS-vejledningen: Hvad kan man gøre?")
DS_PUBLISH = gettext_noop("DS-vejledningen: Må borgeren offentliggøre optagede samtaler?")
DS_RECORDINGS = gettext_noop("DS-vejledningen: Optagelser af samtaler mellem borger og sagsbehandler")
DS_ADVICE = gettext_noop("DS-vejledningen: Få personlig rådgivning")
PSYCHOSOCIAL_ORDER = gettext_noop("Bekendtgørelse om det psykiske arbejdsmiljø (nr. 1406 af 2020), kap. 3")
DSA_16 = gettext_noop("Forordningen om digitale tjenester (DSA) art. 16")

# The knowledge-base section slugs items link to.
ANCHORS: tuple[str, ...] = (
    "straffeloven-119",
    "straffeloven-119a",
    "straffeloven-121",
    "straffeloven-266",
    "straffeloven-267-268",
    "straffeloven-264d",
    "straffeloven-263",
    "straffeloven-242",
    "datatilsynet",
    "stoette",
    "beviser",
    "platforme",
    "politianmeldelse",
    "sikkerhed",
    "klagesystem",
    "optagelser",
    "easy",
    "tilhold",
)

REQUEST_ONLY = gettext_noop(
    "Politiet rejser kun sag, hvis medarbejderen selv beder om det (påtalebegæring), "
    "så politianmeldelsen skal underskrives af medarbejderen."
)
PUBLIC_PROSECUTION = gettext_noop(
    "Offentlig påtale: politiet kan rejse sag uden medarbejderens begæring, og "
    "arbejdsgiveren kan selv indgive anmeldelsen."
)


@dataclass(frozen=True)
class Text:
    title: str
    lead: str
    source: str
    note: str = ""
    anchor: str = ""


LEGAL_REFERENCE_TEXTS: dict[str, Text] = {
    "strfl_119": Text(
        title=gettext_noop("Straffeloven § 119: vold eller trusler mod personer i offentlig tjeneste"),
        lead=(
            "Trusler mod en ansat på grund af arbejdet kan være omfattet, også når de "
            "bliver fremsat offentligt på nettet."
        ),
        source=gettext_noop("Straffeloven § 119, stk. 1"),
        note=PUBLIC_PROSECUTION,
        anchor="straffeloven-119",
    ),
    "strfl_119a": Text(
        title=gettext_noop("Straffeloven § 119 a: chikane af personer i offentlig tjeneste"),
        lead=(
            "At lægge en ansats private oplysninger eller billeder ud eller at gå efter "
            "den ansatte igen og igen kan være chikane efter § 119 a."
        ),
        source=gettext_noop("Straffeloven § 119 a"),
        note=gettext_noop(
            "Offentlig påtale: politiet kan rejse sag uden medarbejderens begæring, og "
            "arbejdsgiveren kan selv indgive anmeldelsen. "
            "Domstolene har ikke anset alle opslag, der nævner en ansat, for grove nok."
        ),
        anchor="straffeloven-119a",
    ),
    "strfl_121": Text(
        title=gettext_noop("Straffeloven § 121: hån, skældsord eller fornærmelig tiltale mod offentligt ansatte"),
        lead="Grove ord rettet mod en ansat i forbindelse med arbejdet kan være omfattet.",
        source=gettext_noop("Straffeloven § 121"),
        anchor="straffeloven-121",
    ),
    "strfl_266": Text(
        title=gettext_noop("Straffeloven § 266: trusler"),
        lead="Trusler, der kan skabe alvorlig frygt for liv, helbred eller velfærd, kan være omfattet.",
        source=gettext_noop("Straffeloven § 266"),
        note=gettext_noop("Offentlig påtale: politiet kan rejse sag uden medarbejderens begæring."),
        anchor="straffeloven-266",
    ),
    "strfl_267_268": Text(
        title=gettext_noop("Straffeloven §§ 267–268: ærekrænkelser"),
        lead=(
            "Krænkende beskrivelser og beskyldninger, der kan skade medarbejderens "
            "omdømme, kan være ærekrænkelser."
        ),
        source=gettext_noop("Straffeloven §§ 267–268 og § 275"),
        note=gettext_noop(
            "Politiet rejser kun sag, hvis medarbejderen selv beder om det (påtalebegæring), "
            "så politianmeldelsen skal underskrives af medarbejderen. "
            "Vil medarbejderen selv anlægge en privat straffesag, skal det ske inden 6 måneder."
        ),
        anchor="straffeloven-267-268",
    ),
    "strfl_264d": Text(
        title=gettext_noop("Straffeloven § 264 d: videregivelse af private oplysninger eller billeder"),
        lead=(
            "At sprede oplysninger eller billeder, som tydeligvis ikke bør ud til en større "
            "kreds, kan være omfattet."
        ),
        source=gettext_noop("Straffeloven § 264 d"),
        note=REQUEST_ONLY,
        anchor="straffeloven-264d",
    ),
    "strfl_263": Text(
        title=gettext_noop("Straffeloven § 263, stk. 2: optagelse af samtaler, man ikke selv deltager i"),
        lead="Det kan være strafbart at optage en samtale, man ikke selv er med i.",
        source=gettext_noop("Straffeloven § 263, stk. 2"),
        note=gettext_noop("En deltagers egen optagelse af samtalen er ikke strafbar."),
        anchor="straffeloven-263",
    ),
    "strfl_242": Text(
        title=gettext_noop("Straffeloven § 242: forfølgelse (stalking)"),
        lead=(
            "Vedvarende forfølgelse eller chikane af medarbejderen kan være omfattet af "
            "bestemmelsen om stalking."
        ),
        source=gettext_noop("Straffeloven § 242"),
        note=gettext_noop(
            "Forfølgelse kan ikke anmeldes via politiets onlineformularer; brug 114 eller "
            "mød op. Opslag om en person kan også bryde et tilhold."
        ),
        anchor="straffeloven-242",
    ),
    "gdpr": Text(
        title=gettext_noop("Databeskyttelsesforordningen og databeskyttelsesloven"),
        lead=(
            "Offentliggørelse af personoplysninger uden lovligt grundlag kan stride mod "
            "reglerne om databeskyttelse."
        ),
        source=gettext_noop("Databeskyttelsesforordningen (GDPR) og databeskyttelsesloven"),
        note=gettext_noop(
            "Datatilsynet har siden 2020 set en borgers offentliggørelse af optagelser fra "
            "møder med kommunen som overvejende privat aktivitet uden for reglerne. "
            "Vejen via Datatilsynet er derfor den svageste."
        ),
        anchor="datatilsynet",
    ),
}

ACTION_TEXTS: dict[str, Text] = {
    "support_conversation": Text(
        title=gettext_noop("Støttende samtale; tilbyd psykologhjælp"),
        lead=(
            "Anbefales altid: at blive hængt ud kan være en stor belastning, og ledelsen "
            "skal tage hånd om medarbejderen."
        ),
        source=gettext_noop(
            "DS-vejledningen: Hvad kan man gøre?; "
            "Bekendtgørelse om det psykiske arbejdsmiljø (nr. 1406 af 2020), kap. 3"
        ),
        anchor="stoette",
    ),
    "secure_evidence": Text(
        title=gettext_noop("Sikr beviser: skærmbilleder med URL og tidspunkt, download optagelser"),
        lead=(
            "Anbefales altid: indhold forsvinder ofte hurtigt, så gem det straks med "
            "adresse og tidspunkt og før en dateret log."
        ),
        source=gettext_noop("Anklagemyndigheden og politiet: råd om at sikre beviser"),
        anchor="beviser",
    ),
    "involve_amr_tr": Text(
        title=gettext_noop("Inddrag arbejdsmiljørepræsentant og tillidsrepræsentant"),
        lead=(
            "Anbefales altid: repræsentanterne kan støtte medarbejderen og følge op på "
            "arbejdspladsens retningslinjer."
        ),
        source=DS_ADVICE,
        anchor="stoette",
    ),
    "no_engagement": Text(
        title=gettext_noop("Medarbejderen går ikke i dialog; ledelsen handler uden at eskalere"),
        lead=(
            "Anbefales altid: medarbejderen svarer ikke på opslagene, og ledelsen håndterer "
            "sagen, så konflikten ikke vokser."
        ),
        source=DS_ACT,
        anchor="stoette",
    ),
    "platform_takedown": Text(
        title=gettext_noop("Anmod platformen om at fjerne indholdet (DSA art. 16)"),
        lead=(
            "Indholdet er alvorligt nok til, at platformen bør bedes om at fjerne det, "
            "og det ligger et sted, hvor det kan fjernes."
        ),
        source=DSA_16,
        anchor="platforme",
    ),
    "police_report": Text(
        title=gettext_noop("Politianmeldelse ved arbejdsgiveren"),
        lead=(
            "Forholdet kan være strafbart. Arbejdsgiveren bør stå for anmeldelsen sammen "
            "med medarbejderen; medarbejderen kan altid også selv anmelde."
        ),
        source=DS_ACT,
        anchor="politianmeldelse",
    ),
    "datatilsynet_report": Text(
        title=gettext_noop("Anmeldelse til Datatilsynet"),
        lead=(
            "Offentliggørelsen kan stride mod reglerne om databeskyttelse og kan indbringes for Datatilsynet."
        ),
        source=gettext_noop(
            "DS-vejledningen: Hvad kan man gøre?; DS-vejledningen: Må borgeren offentliggøre optagede samtaler?"
        ),
        anchor="datatilsynet",
    ),
    "safety_assessment": Text(
        title=gettext_noop("Sikkerhedsvurdering (fx beskyttet adresse, ledsagelse, ændrede mødeformer)"),
        lead="Der er risiko for, at medarbejderen bliver opsøgt eller udsat for vold.",
        source=PSYCHOSOCIAL_ORDER,
        anchor="sikkerhed",
    ),
    "acute_112": Text(
        title=gettext_noop("Ved akut fare: ring 112"),
        lead="Der er fremsat trusler; er der fare for medarbejderen lige nu, så ring 112.",
        source=gettext_noop("Politiet: alarm 112 ved akut fare"),
        anchor="sikkerhed",
    ),
    "complaint_system": Text(
        title=gettext_noop("Henvis borgeren til klagesystemet"),
        lead=(
            "Er borgeren utilfreds med behandlingen af sin sag, hører kritikken hjemme i "
            "klagesystemet og ikke på nettet."
        ),
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "bisidder": Text(
        title=gettext_noop("Foreslå borgeren at medbringe en bisidder"),
        lead="En bisidder kan gøre møderne tryggere for både borgeren og medarbejderen.",
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "change_caseworker": Text(
        title=gettext_noop("Overvej at tilbyde borgeren en anden sagsbehandler"),
        lead="Relationen er så belastet, at en anden sagsbehandler kan dæmpe konflikten.",
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "recording_guidelines": Text(
        title=gettext_noop("Gennemgå kommunens retningslinjer for optagelse af samtaler"),
        lead=(
            "Sagen handler om optagelser af samtaler; retningslinjerne beskriver, hvornår "
            "borgere må optage, og hvad medarbejderen skal gøre."
        ),
        source=gettext_noop(
            "DS-vejledningen: Optagelser af samtaler mellem borger og sagsbehandler; "
            "Folketingets Ombudsmand, beretning 2005, sag 20-2"
        ),
        anchor="optagelser",
    ),
    "occupational_injury": Text(
        title=gettext_noop("Anmeld arbejdsulykke i EASY"),
        lead=(
            "Sygefravær eller en psykisk skade efter en kortvarig hændelse på grund af arbejdet "
            "kan være en arbejdsulykke, også når hændelsen sker uden for arbejdstiden."
        ),
        source=gettext_noop("Arbejdsskadesikringsloven; AES: anmeldelse af arbejdsulykker"),
        anchor="easy",
    ),
    "restraining_order": Text(
        title=gettext_noop("Overvej at bede politiet om et tilhold"),
        lead=(
            "Ved vedvarende chikane eller forfølgelse kan et tilhold forbyde gerningspersonen "
            "at kontakte eller omtale medarbejderen."
        ),
        source=gettext_noop("Lov om tilhold, opholdsforbud og bortvisning; Straffeloven § 242"),
        anchor="tilhold",
    ),
}

DEADLINE_TEXTS: dict[str, Text] = {
    "assessment_due": Text(
        title=gettext_noop("Vurder indberetningen"),
        lead=(
            "Medarbejderen har selv indberettet hændelsen; den skal vurderes senest 2 "
            "arbejdsdage efter registreringen."
        ),
        source=gettext_noop("Organisationens retningslinjer for udhængning (vurdering inden 2 arbejdsdage)"),
    ),
    "police_report_72h": Text(
        title=gettext_noop("Anmeld til politiet inden 72 timer"),
        lead=(
            "Anmeld senest 72 timer efter, at truslen blev opdaget, ellers kan retten til "
            "offererstatning gå tabt."
        ),
        source=gettext_noop("Offererstatningsloven (anmeldelse inden 72 timer)"),
    ),
    "easy_14_days": Text(
        title=gettext_noop("Anmeld arbejdsulykken i EASY"),
        lead="Anmeld arbejdsulykken senest 14 dage efter første fraværsdag.",
        source=gettext_noop("Arbejdsskadesikringsloven; AES: anmeldelse af arbejdsulykker"),
    ),
    "private_prosecution_6_months": Text(
        title=gettext_noop("Frist for privat straffesag om ærekrænkelse"),
        lead=(
            "En privat straffesag om ærekrænkelse skal anlægges inden 6 måneder. Fristen er "
            "her regnet fra opdagelsen; tjek den med en advokat."
        ),
        source=gettext_noop("Straffeloven §§ 267–268 og § 275"),
    ),
    "follow_up_14_days": Text(
        title=gettext_noop("Opfølgende samtale med medarbejderen"),
        lead="Hold en opfølgende samtale med medarbejderen 14 dage efter registreringen.",
        source=gettext_noop(
            "DS-vejledningen: Hvad kan man gøre?; "
            "Bekendtgørelse om det psykiske arbejdsmiljø (nr. 1406 af 2020), kap. 3"
        ),
    ),
    "takedown_follow_up_7_days": Text(
        title=gettext_noop("Tjek om indholdet er fjernet"),
        lead=(
            "Der er bedt om at få indholdet fjernet; tjek 7 dage efter, om det er væk, og "
            "følg op over for platformen, hvis ikke."
        ),
        source=DSA_16,
    ),
}

LEGAL_REFERENCE_TITLES: dict[str, str] = {code: text.title for code, text in LEGAL_REFERENCE_TEXTS.items()}
ACTION_TITLES: dict[str, str] = {code: text.title for code, text in ACTION_TEXTS.items()}
DEADLINE_TITLES: dict[str, str] = {code: text.title for code, text in DEADLINE_TEXTS.items()}
