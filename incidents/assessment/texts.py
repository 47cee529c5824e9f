"""Danish texts for every output code of DOMAIN.md 4.2–4.4 (rules 2026.2).

Written in our own words after the DS guidance ("DS-vejledningen", Dansk
Socialrådgiverforening: Hvad er udhængning?), the statutes and the legal review
(``guidance/LEGAL-REVIEW.md``). ``lead`` opens the item's reason; the assessment appends
the facts that fired it. ``source`` names the statute and section (or the DS guidance
section, the executive order's number, the case or FOB number); a period no source
prescribes says it is the system's default.

Legal references have two registers (DOMAIN.md 4.2):

- ``summary``: neutral, what the provision covers and how the police can act — an
  outside recipient (the police, Datatilsynet, a platform) may read it;
- ``guidance``: internal, for the manager — chances, case law, cautions. External
  documents never print it.

Every text is one whole literal in ``gettext_noop`` (see ``i18n``), so makemessages
extracts exactly the text the assessment uses and ``assess(..., translate=gettext)``
can give it in English.
"""

from dataclasses import dataclass

from .i18n import gettext_noop

DS_ACT = gettext_noop("DS-vejledningen: Hvad kan man gøre?")
DS_ADVICE = gettext_noop("DS-vejledningen: Få personlig rådgivning")
PSYCHOSOCIAL_ORDER = gettext_noop("Bekendtgørelse nr. 1406 af 27. september 2020 om psykisk arbejdsmiljø, kap. 3")
DSA_16 = gettext_noop("Forordning (EU) 2022/2065 om digitale tjenester (DSA) art. 16")
SYSTEM_DEFAULT_14 = gettext_noop(
    "Systemets standard: ingen lov eller vejledning fastsætter 14 dage (kan ændres i organisationens retningslinjer)"
)

# The knowledge-base section slugs items link to.
ANCHORS: tuple[str, ...] = (
    "straffeloven-119",
    "straffeloven-119a",
    "straffeloven-121",
    "straffeloven-136",
    "straffeloven-242",
    "straffeloven-263",
    "straffeloven-264a",
    "straffeloven-264d",
    "straffeloven-266",
    "straffeloven-267-268",
    "datatilsynet",
    "brud-paa-persondatasikkerheden",
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


@dataclass(frozen=True)
class Text:
    title: str
    lead: str
    source: str
    summary: str = ""
    guidance: str = ""
    anchor: str = ""


LEGAL_REFERENCE_TEXTS: dict[str, Text] = {
    "strfl_119": Text(
        title=gettext_noop("Straffeloven § 119, stk. 1: vold eller trusler om vold mod personer i offentlig tjeneste"),
        lead=gettext_noop("Trusler mod en ansat under eller på grund af arbejdet kan være omfattet."),
        source=gettext_noop("Straffeloven § 119, stk. 1"),
        summary=gettext_noop(
            "Det er strafbart at true en person i offentlig tjeneste med vold under udførelsen af tjenesten "
            "eller på grund af den, også når truslen fremsættes offentligt eller på nettet. Offentlig påtale: "
            "politiet kan rejse sag på en anmeldelse, også arbejdsgiverens alene."
        ),
        guidance=gettext_noop(
            "Anmeld hurtigt: offererstatning kræver anmeldelse inden 72 timer efter opslaget. Truslen skal "
            "kunne forstås som en trussel om vold; vage udsagn vurderes i sammenhængen. Skriv truslen ordret "
            "af og sikr skærmbilleder."
        ),
        anchor="straffeloven-119",
    ),
    "strfl_119_2": Text(
        title=gettext_noop("Straffeloven § 119, stk. 2: trussel om anklage for at påvirke en afgørelse"),
        lead=gettext_noop(
            "At true en ansat, der træffer afgørelser, med anklager eller udstilling for at få en bestemt "
            "afgørelse kan være omfattet."
        ),
        source=gettext_noop("Straffeloven § 119, stk. 2"),
        summary=gettext_noop(
            "Det er strafbart at true en person, der har beføjelse til at træffe afgørelser, med at anklage "
            "personen for en strafbar eller ærerørig handling for at påvirke en afgørelse. Offentlig påtale: "
            "politiet kan rejse sag på arbejdsgiverens anmeldelse."
        ),
        guidance=gettext_noop(
            "Typisk: »giv mig min bevilling, ellers hænger jeg dig ud«. Det afgørende er koblingen mellem "
            "truslen og en afgørelse; gem beskeden ordret. En borgers varsel om at klage eller gå til pressen "
            "er ikke en trussel."
        ),
        anchor="straffeloven-119",
    ),
    "strfl_119a": Text(
        title=gettext_noop("Straffeloven § 119 a: chikane af personer i offentlig tjeneste"),
        lead=gettext_noop(
            "At sprede en ansats private oplysninger, udstille familien, opfordre andre til at gå efter den "
            "ansatte eller gå efter den ansatte igen og igen kan være chikane efter § 119 a."
        ),
        source=gettext_noop("Straffeloven § 119 a"),
        summary=gettext_noop(
            "Det er strafbart at chikanere en person i offentlig tjeneste på grund af tjenesten, fx ved at "
            "offentliggøre oplysninger om personens private forhold eller billeder. Offentlig påtale: politiet "
            "kan rejse sag på en anmeldelse, også arbejdsgiverens alene."
        ),
        guidance=gettext_noop(
            "Domstolene har ikke anset alle opslag, der nævner en ansat, for chikane (Vestre Landsret frifandt "
            "i 2021 opslag i en Facebook-gruppe); systematiske opslag med billeder af ansattes børn har givet "
            "fængsel. Et lovforslag fra oktober 2025 (strafreform) foreslog ny ordlyd; tjek den gældende "
            "ordlyd på retsinformation.dk, før den citeres."
        ),
        anchor="straffeloven-119a",
    ),
    "strfl_121": Text(
        title=gettext_noop(
            "Straffeloven § 121: hån, skældsord eller fornærmelig tiltale rettet mod en offentligt ansat"
        ),
        lead=gettext_noop("Grove ord rettet direkte til en ansat i forbindelse med arbejdet kan være omfattet."),
        source=gettext_noop(
            "Straffeloven § 121; Rigsadvokatens besvarelse til Folketingets Retsudvalg, 2013-14, spm. 35"
        ),
        summary=gettext_noop(
            "Det er strafbart at overfalde en person i offentlig tjeneste med hån, skældsord eller anden "
            "fornærmelig tiltale under udførelsen af tjenesten eller på grund af den. Ordene skal være rettet "
            "til personen selv. Offentlig påtale."
        ),
        guidance=gettext_noop(
            "Gælder kun ord rettet til medarbejderen (en kommentar eller besked til hende/ham). Ord om "
            "medarbejderen over for andre hører under §§ 267–268. Straffen er normalt bøde."
        ),
        anchor="straffeloven-121",
    ),
    "strfl_136": Text(
        title=gettext_noop("Straffeloven § 136, stk. 1: offentlig tilskyndelse til forbrydelse"),
        lead=gettext_noop(
            "En offentlig opfordring til andre om at begå noget strafbart mod den ansatte kan være omfattet."
        ),
        source=gettext_noop("Straffeloven § 136, stk. 1"),
        summary=gettext_noop("Det er strafbart offentligt at tilskynde til en forbrydelse. Offentlig påtale."),
        guidance=gettext_noop(
            "Overvej bestemmelsen, når et offentligt opslag opfordrer andre til at opsøge, chikanere eller "
            "true medarbejderen. Opfordringen skal gælde noget strafbart; en opfordring til at klage er lovlig."
        ),
        anchor="straffeloven-136",
    ),
    "strfl_242": Text(
        title=gettext_noop("Straffeloven § 242: stalking (forfølgelse)"),
        lead=gettext_noop(
            "Systematisk og vedvarende kontakt, forfølgelse eller chikane af medarbejderen kan være stalking."
        ),
        source=gettext_noop("Straffeloven § 242"),
        summary=gettext_noop(
            "Det er strafbart på en måde, der er egnet til at krænke en anden persons fred, systematisk og "
            "vedvarende at kontakte, følge efter eller på anden måde chikanere personen. Offentlig påtale."
        ),
        guidance=gettext_noop(
            "Stalking kan ikke anmeldes via politiets onlineformularer; brug 114 eller mød op. Før en dateret "
            "log over hver kontakt. Opslag kan også bryde et tilhold (Højesterets dom af 3. december 2021)."
        ),
        anchor="straffeloven-242",
    ),
    "strfl_263": Text(
        title=gettext_noop("Straffeloven § 263, stk. 2: optagelse af samtaler, man ikke selv deltager i"),
        lead=gettext_noop("Det kan være strafbart at optage en samtale, man ikke selv er med i."),
        source=gettext_noop("Straffeloven § 263, stk. 2; § 275, stk. 2, nr. 1; § 96, stk. 1"),
        summary=gettext_noop(
            "Det er strafbart uberettiget at optage en samtale, som man ikke selv deltager i. Politiet kan kun "
            "rejse sag, hvis den forurettede beder om det (påtalebegæring)."
        ),
        guidance=gettext_noop(
            "En deltagers egen optagelse er ikke strafbar. Alle, hvis samtale blev optaget, er forurettede, og "
            "hver af dem skal selv underskrive en påtalebegæring inden 6 måneder efter, at de kendte til "
            "optagelsen og optageren (§ 96, stk. 1)."
        ),
        anchor="straffeloven-263",
    ),
    "strfl_264a": Text(
        title=gettext_noop("Straffeloven § 264 a: fotografering af personer på et ikke frit tilgængeligt sted"),
        lead=gettext_noop("Skjult filmoptagelse af et møde på kontoret kan være omfattet."),
        source=gettext_noop("Straffeloven § 264 a; § 275, stk. 2, nr. 1; § 96, stk. 1"),
        summary=gettext_noop(
            "Det er strafbart uberettiget at fotografere eller filme personer, der befinder sig på et ikke frit "
            "tilgængeligt sted, uden deres samtykke. Politiet kan kun rejse sag, hvis den forurettede beder om "
            "det (påtalebegæring)."
        ),
        guidance=gettext_noop(
            "Et mødelokale eller kontor i forvaltningen er normalt ikke frit tilgængeligt. Medarbejderen skal "
            "selv underskrive begæringen inden 6 måneder (§ 96, stk. 1)."
        ),
        anchor="straffeloven-264a",
    ),
    "strfl_264d": Text(
        title=gettext_noop("Straffeloven § 264 d: videregivelse af oplysninger eller billeder om private forhold"),
        lead=gettext_noop(
            "At sprede oplysninger eller billeder om nogens private forhold, som tydeligvis ikke bør ud til en "
            "større kreds, kan være omfattet."
        ),
        source=gettext_noop("Straffeloven § 264 d; § 275, stk. 2, nr. 1; § 96, stk. 1"),
        summary=gettext_noop(
            "Det er strafbart uberettiget at videregive meddelelser eller billeder vedrørende en andens private "
            "forhold. Politiet kan kun rejse sag, hvis den forurettede beder om det (påtalebegæring)."
        ),
        guidance=gettext_noop(
            "Forurettet er den, oplysningerne handler om: medarbejderen for egne forhold, familiemedlemmerne "
            "for deres (for børn: forældremyndighedens indehavere), andre borgere for deres. Kun de kan "
            "underskrive begæringen; medarbejderen kan ikke skrive under for dem. En privat besked til "
            "medarbejderen alene er ingen videregivelse, og optræden på et møde er sjældent »private forhold«."
        ),
        anchor="straffeloven-264d",
    ),
    "strfl_266": Text(
        title=gettext_noop("Straffeloven § 266: trusler"),
        lead=gettext_noop(
            "Trusler, der kan fremkalde alvorlig frygt for liv, helbred eller velfærd, kan være omfattet."
        ),
        source=gettext_noop("Straffeloven § 266"),
        summary=gettext_noop(
            "Det er strafbart at true med en strafbar handling på en måde, der er egnet til hos den truede at "
            "fremkalde alvorlig frygt for eget eller andres liv, helbred eller velfærd. Offentlig påtale."
        ),
        guidance=gettext_noop(
            "Bruges ofte sammen med § 119. Beskriv hvordan truslen opleves, og om afsenderen kender "
            "medarbejderens adresse."
        ),
        anchor="straffeloven-266",
    ),
    "strfl_267_268": Text(
        title=gettext_noop("Straffeloven §§ 267–268: ærekrænkelser"),
        lead=gettext_noop(
            "Krænkende ord, beskrivelser og beskyldninger om medarbejderen, der kan skade omdømmet, kan være "
            "ærekrænkelser."
        ),
        source=gettext_noop("Straffeloven §§ 267–268; § 275, stk. 2, nr. 1–3; § 96, stk. 1"),
        summary=gettext_noop(
            "Det er strafbart at krænke en andens ære ved fornærmelige ord eller handlinger eller ved at "
            "fremsætte eller udbrede sigtelser, der er egnede til at nedsætte personen i medborgeres agtelse. "
            "Politiet kan kun rejse sag på den forurettedes begæring ved grove eller usande sigtelser (§ 267 "
            "jf. § 268) og ved sigtelser, der kan koste en offentligt ansat stillingen; ellers må den "
            "forurettede selv anlægge privat straffesag."
        ),
        guidance=gettext_noop(
            "En almindelig fornærmelse (§ 267 alene) kan politiet slet ikke forfølge: det er en privat "
            "straffesag, som medarbejderen selv skal anlægge inden 6 måneder (§ 96, stk. 1). Afsenderen kan "
            "forsvare sig med, at udsagnet er sandt eller berettiget (§ 269), og kritik af afgørelser er "
            "stærkt beskyttet (EMRK art. 10). Mortifikation (§ 270) har en frist på 3 år (§ 96, stk. 5)."
        ),
        anchor="straffeloven-267-268",
    ),
    "gdpr": Text(
        title=gettext_noop("Databeskyttelsesforordningen og databeskyttelsesloven"),
        lead=gettext_noop(
            "Offentliggørelse af medarbejderens personoplysninger til en ubestemt kreds uden lovligt grundlag kan "
            "stride mod reglerne om databeskyttelse."
        ),
        source=gettext_noop(
            "Databeskyttelsesforordningen (EU) 2016/679 art. 5, stk. 1, litra a, art. 6, stk. 1, og art. 9–10; "
            "databeskyttelsesloven (lov nr. 502 af 23. maj 2018)"
        ),
        summary=gettext_noop(
            "Offentliggørelse af personoplysninger kræver et lovligt grundlag. Undtagelsen for rent personlige "
            "aktiviteter (art. 2, stk. 2, litra c) omfatter ikke offentliggørelse til en ubestemt kreds "
            "(EU-Domstolens domme C-101/01 Lindqvist og C-345/17 Buivids). Datatilsynet behandler klager."
        ),
        guidance=gettext_noop(
            "Datatilsynet har i 2020 anset en borgers offentliggørelse af lydoptagelser fra møder med kommunen "
            "for rent personlig aktivitet; vejen via Datatilsynet er derfor usikker for lyd. Buivids (en "
            "YouTube-video af betjente) taler imod den læsning ved offentliggørelse til alle. Bed først "
            "afsenderen om at fjerne indholdet, og notér svaret. Datatilsynet sender klagen til den anden part."
        ),
        anchor="datatilsynet",
    ),
    "gdpr_breach": Text(
        title=gettext_noop("Databeskyttelsesforordningen art. 33–34: brud på persondatasikkerheden hos arbejdsgiveren"),
        lead=gettext_noop(
            "Er andre borgeres fortrolige oplysninger røbet under en optaget samtale, kan det være kommunens "
            "eget brud på persondatasikkerheden."
        ),
        source=gettext_noop("Databeskyttelsesforordningen (EU) 2016/679 art. 4, nr. 12, art. 33 og art. 34"),
        summary=gettext_noop(
            "Den dataansvarlige skal anmelde et brud på persondatasikkerheden til Datatilsynet inden 72 timer "
            "efter at være blevet bekendt med det, medmindre bruddet sandsynligvis ikke indebærer en risiko, og "
            "underrette de registrerede ved høj risiko."
        ),
        guidance=gettext_noop(
            "Inddrag databeskyttelsesrådgiveren straks. Bruddet skal logges, også hvis det ikke anmeldes "
            "(art. 33, stk. 5). Det er ikke en klage på medarbejderens vegne: Datatilsynets klager gælder kun "
            "klagerens egne oplysninger."
        ),
        anchor="brud-paa-persondatasikkerheden",
    ),
}

ACTION_TEXTS: dict[str, Text] = {
    "support_conversation": Text(
        title=gettext_noop("Støttende samtale; tilbyd psykologhjælp"),
        lead=gettext_noop(
            "Anbefales altid: at blive hængt ud kan være en stor belastning, og ledelsen skal tage hånd om "
            "medarbejderen."
        ),
        source=gettext_noop(
            "DS-vejledningen: Hvad kan man gøre?; "
            "Bekendtgørelse nr. 1406 af 27. september 2020 om psykisk arbejdsmiljø, kap. 3"
        ),
        anchor="stoette",
    ),
    "secure_evidence": Text(
        title=gettext_noop("Sikr beviser: skærmbilleder med URL og tidspunkt, download optagelser"),
        lead=gettext_noop(
            "Anbefales altid: indhold forsvinder ofte hurtigt, så gem det straks med adresse og tidspunkt og "
            "før en dateret log."
        ),
        source=gettext_noop("Anklagemyndigheden og politiet: råd om at sikre beviser"),
        anchor="beviser",
    ),
    "involve_amr_tr": Text(
        title=gettext_noop("Tilbyd at inddrage AMR/TR, med medarbejderens samtykke"),
        lead=gettext_noop(
            "Anbefales altid: repræsentanterne kan støtte medarbejderen og følge op på arbejdspladsens "
            "retningslinjer. Sagen rummer helbredsoplysninger, så del den kun med medarbejderens samtykke."
        ),
        source=gettext_noop(
            "DS-vejledningen: Få personlig rådgivning; databeskyttelsesforordningen art. 9 (helbredsoplysninger)"
        ),
        anchor="stoette",
    ),
    "no_engagement": Text(
        title=gettext_noop("Medarbejderen går ikke i dialog; ledelsen handler uden at eskalere"),
        lead=gettext_noop(
            "Anbefales altid: medarbejderen svarer ikke på opslagene, og ledelsen håndterer sagen, så konflikten "
            "ikke vokser."
        ),
        source=DS_ACT,
        anchor="stoette",
    ),
    "platform_takedown": Text(
        title=gettext_noop("Send en anmeldelse af ulovligt indhold til platformen (DSA art. 16)"),
        lead=gettext_noop(
            "Indholdet kan være ulovligt og ligger offentligt hos en hostingtjeneste, som kan fjerne det efter "
            "en anmeldelse."
        ),
        source=DSA_16,
        anchor="platforme",
    ),
    "platform_report": Text(
        title=gettext_noop("Anmeld indholdet med platformens egen anmeldefunktion (brugervilkår)"),
        lead=gettext_noop(
            "Indholdet ligger hos en tjeneste med egen anmeldefunktion. Det bryder ofte tjenestens brugervilkår, "
            "også når det ikke er ulovligt, og vejen er ofte den hurtigste."
        ),
        source=gettext_noop("Tjenestens brugervilkår og anmeldefunktion"),
        anchor="platforme",
    ),
    "contact_publisher": Text(
        title=gettext_noop("Skriv til forfatter eller forlag og bed om tilbagetrækning eller rettelse"),
        lead=gettext_noop(
            "Indholdet står i en bog; ingen platform kan fjerne det, men forfatter og forlag kan trække det "
            "tilbage eller rette det."
        ),
        source=DS_ACT,
        anchor="platforme",
    ),
    "police_report": Text(
        title=gettext_noop("Politianmeldelse ved arbejdsgiveren"),
        lead=gettext_noop(
            "Forholdet kan være strafbart. Arbejdsgiveren bør stå for anmeldelsen sammen med medarbejderen; "
            "medarbejderen kan altid også selv anmelde."
        ),
        source=gettext_noop("DS-vejledningen: Hvad kan man gøre?; straffeloven § 275 (påtale)"),
        anchor="politianmeldelse",
    ),
    "datatilsynet_report": Text(
        title=gettext_noop("Klage til Datatilsynet på medarbejderens vegne"),
        lead=gettext_noop(
            "Offentliggørelsen af medarbejderens oplysninger kan stride mod reglerne om databeskyttelse; "
            "medarbejderen kan klage med arbejdsgiveren som fuldmægtig."
        ),
        source=gettext_noop("Databeskyttelsesforordningen (EU) 2016/679 art. 77; Datatilsynet: Sådan klager du"),
        anchor="datatilsynet",
    ),
    "breach_assessment": Text(
        title=gettext_noop(
            "Vurdér brud på persondatasikkerheden; anmeld til Datatilsynet inden 72 timer og underret de berørte "
            "ved høj risiko"
        ),
        lead=gettext_noop(
            "Andre borgeres fortrolige oplysninger er røbet; det kan være kommunens eget brud på persondatasikkerheden."
        ),
        source=gettext_noop("Databeskyttelsesforordningen (EU) 2016/679 art. 33 og art. 34"),
        anchor="brud-paa-persondatasikkerheden",
    ),
    "safety_assessment": Text(
        title=gettext_noop("Sikkerhedsvurdering (navne- og adressebeskyttelse, ledsagelse, ændrede mødeformer)"),
        lead=gettext_noop("Der er risiko for, at medarbejderen eller familien bliver opsøgt eller udsat for vold."),
        source=PSYCHOSOCIAL_ORDER,
        anchor="sikkerhed",
    ),
    "acute_112": Text(
        title=gettext_noop("Ved akut fare: ring 112"),
        lead=gettext_noop("Der er fremsat trusler; er der fare for medarbejderen lige nu, så ring 112."),
        source=gettext_noop("Politiet: alarm 112 ved akut fare"),
        anchor="sikkerhed",
    ),
    "complaint_system": Text(
        title=gettext_noop("Henvis borgeren til klagesystemet"),
        lead=gettext_noop(
            "Er borgeren utilfreds med behandlingen af sin sag, hører kritikken hjemme i klagesystemet og ikke "
            "på nettet."
        ),
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "bisidder": Text(
        title=gettext_noop("Foreslå borgeren at medbringe en bisidder"),
        lead=gettext_noop("En bisidder kan gøre møderne tryggere for både borgeren og medarbejderen."),
        source=gettext_noop("DS-vejledningen: Hvad kan man gøre?; forvaltningsloven § 8 (bisidder)"),
        anchor="klagesystem",
    ),
    "change_caseworker": Text(
        title=gettext_noop("Overvej at tilbyde borgeren en anden sagsbehandler"),
        lead=gettext_noop("Relationen er så belastet, at en anden sagsbehandler kan dæmpe konflikten."),
        source=DS_ACT,
        anchor="klagesystem",
    ),
    "recording_guidelines": Text(
        title=gettext_noop("Gennemgå kommunens retningslinjer for optagelse af samtaler"),
        lead=gettext_noop(
            "Sagen handler om optagelser af samtaler; retningslinjerne beskriver, hvornår borgere må optage, og "
            "hvad medarbejderen skal gøre."
        ),
        source=gettext_noop(
            "DS-vejledningen: Optagelser af samtaler mellem borger og sagsbehandler; "
            "Folketingets Ombudsmand, FOB 2005.578 (beretning 2005, sag 20-2)"
        ),
        anchor="optagelser",
    ),
    "occupational_injury": Text(
        title=gettext_noop("Anmeld arbejdsulykke i EASY"),
        lead=gettext_noop(
            "Sygefravær eller en psykisk skade efter en hændelse på højst 5 dage på grund af arbejdet kan være en "
            "arbejdsulykke, også når hændelsen sker uden for arbejdstiden."
        ),
        source=gettext_noop(
            "Arbejdsskadesikringsloven § 6; bekendtgørelse nr. 485 af 2024 om anmeldelse af arbejdsulykker, § 9, stk. 2"
        ),
        anchor="easy",
    ),
    "occupational_disease": Text(
        title=gettext_noop("Bed medarbejderens læge anmelde en erhvervssygdom"),
        lead=gettext_noop(
            "Skaden stammer fra et forløb over mere end 5 dage; så er den en erhvervssygdom og ikke en ulykke, "
            "og det er lægen, der anmelder den."
        ),
        source=gettext_noop("Arbejdsskadesikringsloven § 7 (erhvervssygdomme)"),
        anchor="easy",
    ),
    "restraining_order": Text(
        title=gettext_noop("Overvej at bede politiet om et tilhold"),
        lead=gettext_noop(
            "Ved vedvarende chikane eller forfølgelse kan politiet give et tilhold, der forbyder gerningspersonen "
            "at kontakte, følge efter eller på anden måde chikanere medarbejderen, også elektronisk. Opslag kan "
            "i sammenhængen bryde et tilhold; et tilhold er ikke et forbud mod at nævne medarbejderen."
        ),
        source=gettext_noop(
            "Lov om tilhold, opholdsforbud og bortvisning (tilholdsloven) § 1; Højesterets dom af 3. december 2021"
        ),
        anchor="tilhold",
    ),
}

DEADLINE_TEXTS: dict[str, Text] = {
    "assessment_due": Text(
        title=gettext_noop("Vurder indberetningen"),
        lead=gettext_noop(
            "Medarbejderen har selv indberettet hændelsen; den skal vurderes senest 2 arbejdsdage efter registreringen."
        ),
        source=gettext_noop("Systemets standard: ingen lov eller vejledning fastsætter 2 arbejdsdage"),
    ),
    "police_report_72h": Text(
        title=gettext_noop("Anmeld til politiet inden 72 timer efter forbrydelsen"),
        lead=gettext_noop(
            "Offererstatning kræver som udgangspunkt, at forbrydelsen er anmeldt inden 72 timer efter, at den "
            "blev begået; for et opslag er det offentliggørelsen. Erstatningskravet rejses i straffesagen."
        ),
        source=gettext_noop("Offererstatningsloven § 10, stk. 1 (undtagelser: stk. 2)"),
    ),
    "request_6_months": Text(
        title=gettext_noop("Frist for påtalebegæring eller privat straffesag (6 måneder)"),
        lead=gettext_noop(
            "Retten til at begære påtale eller anlægge privat straffesag bortfalder 6 måneder efter, at den "
            "forurettede kendte til forholdet og til, hvem der stod bag. Fristen er her regnet fra opdagelsen."
        ),
        source=gettext_noop("Straffeloven § 96, stk. 1"),
    ),
    "easy_14_days": Text(
        title=gettext_noop("Anmeld arbejdsulykken i EASY"),
        lead=gettext_noop(
            "Anmeld arbejdsulykken senest 14 dage efter første fraværsdag, eller 14 dage efter skaden, når "
            "der ikke er fravær, men ydelser kan komme på tale."
        ),
        source=gettext_noop("Bekendtgørelse nr. 485 af 2024 om anmeldelse af arbejdsulykker, § 9, stk. 2"),
    ),
    "breach_72h": Text(
        title=gettext_noop("Anmeld bruddet til Datatilsynet inden 72 timer"),
        lead=gettext_noop(
            "Et brud på persondatasikkerheden skal anmeldes senest 72 timer efter, at kommunen blev bekendt med "
            "det, medmindre det sandsynligvis ikke indebærer en risiko. Fristen er her regnet fra opdagelsen."
        ),
        source=gettext_noop("Databeskyttelsesforordningen (EU) 2016/679 art. 33, stk. 1"),
    ),
    "follow_up_14_days": Text(
        title=gettext_noop("Opfølgende samtale med medarbejderen"),
        lead=gettext_noop("Hold en opfølgende samtale med medarbejderen 14 dage efter registreringen."),
        source=SYSTEM_DEFAULT_14,
    ),
    "takedown_follow_up_7_days": Text(
        title=gettext_noop("Tjek om indholdet er fjernet"),
        lead=gettext_noop(
            "Der er bedt om at få indholdet fjernet; tjek 7 dage efter, om det er væk, og følg op over for "
            "platformen, hvis ikke."
        ),
        source=gettext_noop("Systemets standard: ingen lov eller vejledning fastsætter 7 dage"),
    ),
}

# Extra sentences some reasons get, depending on the facts.
POLICE_72H_PASSED = gettext_noop(
    "Fristen var allerede overskredet, da hændelsen blev opdaget: anmeld straks og bed om dispensation "
    "(offererstatningsloven § 10, stk. 2)."
)
POLICE_72H_NO_DATE = gettext_noop(
    "Tidspunktet for offentliggørelsen er ikke oplyst, så fristen er regnet fra opdagelsen."
)
EASY_NO_START = gettext_noop("Første fraværsdag er ikke oplyst, så fristen er regnet fra opdagelsen.")
EASY_NO_ABSENCE = gettext_noop("Der er ikke fravær, men psykisk skade, så fristen er regnet fra opdagelsen.")
REQUEST_DETAIL = gettext_noop(
    "Fristen løber fra, den forurettede kendte til forholdet og til, hvem der stod bag; kender man ikke "
    "gerningspersonen, løber den ikke endnu."
)
REASON_TEMPLATE = gettext_noop("%(lead)s Udløst af: %(facts)s.")
REASON_AND = gettext_noop("og")

LEGAL_REFERENCE_TITLES: dict[str, str] = {code: text.title for code, text in LEGAL_REFERENCE_TEXTS.items()}
ACTION_TITLES: dict[str, str] = {code: text.title for code, text in ACTION_TEXTS.items()}
DEADLINE_TITLES: dict[str, str] = {code: text.title for code, text in DEADLINE_TEXTS.items()}
