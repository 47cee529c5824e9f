"""Danish texts for every output code of DOMAIN.md 4.2–4.4.

Written in our own words after the DS guidance ("DS-vejledningen", Dansk
Socialrådgiverforening: Hvad er udhængning?) and the legal notes. ``lead`` opens the
item's reason; the assessment appends the facts that fired it. ``source`` names the DS
guidance section or the statute; ``anchor`` is the knowledge-base section slug.
"""

from dataclasses import dataclass

DS = "DS-vejledningen"
DS_ACT = f"{DS}: Hvad kan man gøre?"
DS_PUBLISH = f"{DS}: Må borgeren offentliggøre optagede samtaler?"
DS_RECORDINGS = f"{DS}: Optagelser af samtaler mellem borger og sagsbehandler"
DS_ADVICE = f"{DS}: Få personlig rådgivning"
PSYCHOSOCIAL_ORDER = "Bekendtgørelse om det psykiske arbejdsmiljø (nr. 1406 af 2020), kap. 3"
DSA_16 = "Forordningen om digitale tjenester (DSA) art. 16"

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

REQUEST_ONLY = (
    "Politiet rejser kun sag, hvis medarbejderen selv beder om det (påtalebegæring), "
    "så politianmeldelsen skal underskrives af medarbejderen."
)
PUBLIC_PROSECUTION = (
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
        title="Straffeloven § 119: vold eller trusler mod personer i offentlig tjeneste",
        lead=(
            "Trusler mod en ansat på grund af arbejdet kan være omfattet, også når de "
            "bliver fremsat offentligt på nettet."
        ),
        source="Straffeloven § 119, stk. 1",
        note=PUBLIC_PROSECUTION,
        anchor="straffeloven-119",
    ),
    "strfl_119a": Text(
        title="Straffeloven § 119 a: chikane af personer i offentlig tjeneste",
        lead=(
            "At lægge en ansats private oplysninger eller billeder ud eller at gå efter "
            "den ansatte igen og igen kan være chikane efter § 119 a."
        ),
        source="Straffeloven § 119 a",
        note=(
            PUBLIC_PROSECUTION + " Domstolene har ikke anset alle opslag, der nævner en ansat, for grove nok."
        ),
        anchor="straffeloven-119a",
    ),
    "strfl_121": Text(
        title=("Straffeloven § 121: hån, skældsord eller fornærmelig tiltale mod offentligt ansatte"),
        lead="Grove ord rettet mod en ansat i forbindelse med arbejdet kan være omfattet.",
        source="Straffeloven § 121",
        anchor="straffeloven-121",
    ),
    "strfl_266": Text(
        title="Straffeloven § 266: trusler",
        lead="Trusler, der kan skabe alvorlig frygt for liv, helbred eller velfærd, kan være omfattet.",
        source="Straffeloven § 266",
        note="Offentlig påtale: politiet kan rejse sag uden medarbejderens begæring.",
        anchor="straffeloven-266",
    ),
    "strfl_267_268": Text(
        title="Straffeloven §§ 267–268: ærekrænkelser",
        lead=(
            "Krænkende beskrivelser og beskyldninger, der kan skade medarbejderens "
            "omdømme, kan være ærekrænkelser."
        ),
        source="Straffeloven §§ 267–268 og § 275",
        note=(
            REQUEST_ONLY + " Vil medarbejderen selv anlægge en privat straffesag, skal det "
            "ske inden 6 måneder."
        ),
        anchor="straffeloven-267-268",
    ),
    "strfl_264d": Text(
        title="Straffeloven § 264 d: videregivelse af private oplysninger eller billeder",
        lead=(
            "At sprede oplysninger eller billeder, som tydeligvis ikke bør ud til en større "
            "kreds, kan være omfattet."
        ),
        source="Straffeloven § 264 d",
        note=REQUEST_ONLY,
        anchor="straffeloven-264d",
    ),
    "strfl_263": Text(
        title="Straffeloven § 263, stk. 2: optagelse af samtaler, man ikke selv deltager i",
        lead="Det kan være strafbart at optage en samtale, man ikke selv er med i.",
        source="Straffeloven § 263, stk. 2",
        note="En deltagers egen optagelse af samtalen er ikke strafbar.",
        anchor="straffeloven-263",
    ),
    "strfl_242": Text(
        title="Straffeloven § 242: forfølgelse (stalking)",
        lead=(
            "Vedvarende forfølgelse eller chikane af medarbejderen kan være omfattet af "
            "bestemmelsen om stalking."
        ),
        source="Straffeloven § 242",
        note=(
            "Forfølgelse kan ikke anmeldes via politiets onlineformularer; brug 114 eller "
            "mød op. Opslag om en person kan også bryde et tilhold."
        ),
        anchor="straffeloven-242",
    ),
    "gdpr": Text(
        title="Databeskyttelsesforordningen og databeskyttelsesloven",
        lead=(
            "Offentliggørelse af personoplysninger uden lovligt grundlag kan stride mod "
            "reglerne om databeskyttelse."
        ),
        source="Databeskyttelsesforordningen (GDPR) og databeskyttelsesloven",
        note=(
            "Datatilsynet har siden 2020 set en borgers offentliggørelse af optagelser fra "
            "møder med kommunen som overvejende privat aktivitet uden for reglerne. "
            "Vejen via Datatilsynet er derfor den svageste."
        ),
        anchor="datatilsynet",
    ),
}

ACTION_TEXTS: dict[str, Text] = {
    "support_conversation": Text(
        title="Støttende samtale; tilbyd psykologhjælp",
        lead=(
            "Anbefales altid: at blive hængt ud kan være en stor belastning, og ledelsen "
            "skal tage hånd om medarbejderen."
        ),
        source=f"{DS_ACT}; {PSYCHOSOCIAL_ORDER}",
        anchor="stoette",
    ),
    "secure_evidence": Text(
        title="Sikr beviser: skærmbilleder med URL og tidspunkt, download optagelser",
        lead=(
            "Anbefales altid: indhold forsvinder ofte hurtigt, så gem det straks med "
            "adresse og tidspunkt og før en dateret log."
        ),
        source="Anklagemyndigheden og politiet: råd om at sikre beviser",
        anchor="beviser",
    ),
    "involve_amr_tr": Text(
        title="Inddrag arbejdsmiljørepræsentant og tillidsrepræsentant",
        lead=(
            "Anbefales altid: repræsentanterne kan støtte medarbejderen og følge op på "
            "arbejdspladsens retningslinjer."
        ),
        source=DS_ADVICE,
        anchor="stoette",
    ),
    "no_engagement": Text(
        title="Medarbejderen går ikke i dialog; ledelsen handler uden at eskalere",
        lead=(
            "Anbefales altid: medarbejderen svarer ikke på opslagene, og ledelsen håndterer "
            "sagen, så konflikten ikke vokser."
        ),
        source=DS_ACT,
        anchor="stoette",
    ),
    "platform_takedown": Text(
        title="Anmod platformen om at fjerne indholdet (DSA art. 16)",
        lead=(
            "Indholdet er alvorligt nok til, at platformen bør bedes om at fjerne det, "
            "og det ligger et sted, hvor det kan fjernes."
        ),
        source=DSA_16,
        anchor="platforme",
    ),
    "police_report": Text(
        title="Politianmeldelse ved arbejdsgiveren",
        lead=(
            "Forholdet kan være strafbart. Arbejdsgiveren bør stå for anmeldelsen sammen "
            "med medarbejderen; medarbejderen kan altid også selv anmelde."
        ),
        source=DS_ACT,
        anchor="politianmeldelse",
    ),
    "datatilsynet_report": Text(
        title="Anmeldelse til Datatilsynet",
        lead=(
            "Offentliggørelsen kan stride mod reglerne om databeskyttelse og kan indbringes for Datatilsynet."
        ),
        source=f"{DS_ACT}; {DS_PUBLISH}",
        anchor="datatilsynet",
    ),
    "safety_assessment": Text(
        title="Sikkerhedsvurdering (fx beskyttet adresse, ledsagelse, ændrede mødeformer)",
        lead="Der er risiko for, at medarbejderen bliver opsøgt eller udsat for vold.",
        source=PSYCHOSOCIAL_ORDER,
        anchor="sikkerhed",
    ),
    "acute_112": Text(
        title="Ved akut fare: ring 112",
        lead="Der er fremsat trusler; er der fare for medarbejderen lige nu, så ring 112.",
        source="Politiet: alarm 112 ved akut fare",
        anchor="sikkerhed",
    ),
    "complaint_system": Text(
        title="Henvis borgeren til klagesystemet",
        lead=(
            "Er borgeren utilfreds med behandlingen af sin sag, hører kritikken hjemme i "
            "klagesystemet og ikke på nettet."
        ),
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "bisidder": Text(
        title="Foreslå borgeren at medbringe en bisidder",
        lead="En bisidder kan gøre møderne tryggere for både borgeren og medarbejderen.",
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "change_caseworker": Text(
        title="Overvej at tilbyde borgeren en anden sagsbehandler",
        lead="Relationen er så belastet, at en anden sagsbehandler kan dæmpe konflikten.",
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "recording_guidelines": Text(
        title="Gennemgå kommunens retningslinjer for optagelse af samtaler",
        lead=(
            "Sagen handler om optagelser af samtaler; retningslinjerne beskriver, hvornår "
            "borgere må optage, og hvad medarbejderen skal gøre."
        ),
        source=f"{DS_RECORDINGS}; Folketingets Ombudsmand, beretning 2005, sag 20-2",
        anchor="optagelser",
    ),
    "occupational_injury": Text(
        title="Anmeld arbejdsulykke i EASY",
        lead=(
            "Sygefravær eller en psykisk skade efter en kortvarig hændelse på grund af arbejdet "
            "kan være en arbejdsulykke, også når hændelsen sker uden for arbejdstiden."
        ),
        source="Arbejdsskadesikringsloven; AES: anmeldelse af arbejdsulykker",
        anchor="easy",
    ),
    "restraining_order": Text(
        title="Overvej at bede politiet om et tilhold",
        lead=(
            "Ved vedvarende chikane eller forfølgelse kan et tilhold forbyde gerningspersonen "
            "at kontakte eller omtale medarbejderen."
        ),
        source="Lov om tilhold, opholdsforbud og bortvisning; Straffeloven § 242",
        anchor="tilhold",
    ),
}

DEADLINE_TEXTS: dict[str, Text] = {
    "assessment_due": Text(
        title="Vurder indberetningen",
        lead=(
            "Medarbejderen har selv indberettet hændelsen; den skal vurderes senest 2 "
            "arbejdsdage efter registreringen."
        ),
        source="Organisationens retningslinjer for udhængning (vurdering inden 2 arbejdsdage)",
    ),
    "police_report_72h": Text(
        title="Anmeld til politiet inden 72 timer",
        lead=(
            "Anmeld senest 72 timer efter, at truslen blev opdaget, ellers kan retten til "
            "offererstatning gå tabt."
        ),
        source="Offererstatningsloven (anmeldelse inden 72 timer)",
    ),
    "easy_14_days": Text(
        title="Anmeld arbejdsulykken i EASY",
        lead="Anmeld arbejdsulykken senest 14 dage efter første fraværsdag.",
        source="Arbejdsskadesikringsloven; AES: anmeldelse af arbejdsulykker",
    ),
    "private_prosecution_6_months": Text(
        title="Frist for privat straffesag om ærekrænkelse",
        lead=(
            "En privat straffesag om ærekrænkelse skal anlægges inden 6 måneder. Fristen er "
            "her regnet fra opdagelsen; tjek den med en advokat."
        ),
        source="Straffeloven §§ 267–268 og § 275",
    ),
    "follow_up_14_days": Text(
        title="Opfølgende samtale med medarbejderen",
        lead="Hold en opfølgende samtale med medarbejderen 14 dage efter registreringen.",
        source=f"{DS_ACT}; {PSYCHOSOCIAL_ORDER}",
    ),
    "takedown_follow_up_7_days": Text(
        title="Tjek om indholdet er fjernet",
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
