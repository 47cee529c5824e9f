"""The stable codes of DOMAIN.md section 3 and 4, with their Danish labels.

Codes are identifiers shared by the database, the API and the tests; labels and help
texts are what people read. Tuples keep the order of the tables in DOMAIN.md, which is
also the order the UI lists them in. Labels and help texts are marked with
``gettext_noop`` (see ``i18n``): the values stay Danish, and the Django layer translates
them when it shows them.
"""

from .i18n import gettext_noop

# 3.1 Content features, in DOMAIN.md order.
CONTENT_FEATURES: tuple[str, ...] = (
    "named",
    "photo",
    "offensive_language",
    "addressed_to_employee",
    "insulting_description",
    "abuse_of_power_accusation",
    "lawbreaking_accusation",
    "workplace_details",
    "private_details",
    "family_exposed",
    "threat",
    "threat_to_expose",
    "incitement",
    "repeated",
)

# 3.2 Recording features, in DOMAIN.md order.
RECORDING_FEATURES: tuple[str, ...] = (
    "audio_published",
    "video_published",
    "video_consent",
    "third_party_confidential",
    "hidden_recording",
    "recorder_not_party",
)

ALL_FEATURES: tuple[str, ...] = CONTENT_FEATURES + RECORDING_FEATURES

# 3.3 "Hostile content": any one of these makes content hostile.
HOSTILE_FEATURES: tuple[str, ...] = (
    "offensive_language",
    "insulting_description",
    "abuse_of_power_accusation",
    "lawbreaking_accusation",
    "threat",
    "threat_to_expose",
    "incitement",
)

# 3.3 Context.
PERPETRATOR_RELATIONS: tuple[str, ...] = (
    "citizen_own_case",
    "relative",
    "other_citizen",
    "unknown",
    "other",
)
RELATED_PHENOMENA: tuple[str, ...] = ("bullying", "threats", "stalking", "case_complaint")
PLATFORMS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "x",
    "tiktok",
    "youtube",
    "linkedin",
    "reddit",
    "blog",
    "website",
    "book",
    "news_comments",
    "forum",
    "closed_group",
    "messaging",
    "email",
    "other",
)
REACHES: tuple[str, ...] = ("public", "closed_group", "private_message")

# 3.3 Derived terms: the platforms and reaches that keep content from being "spread",
# "hosted" or on an "online service".
NOT_SPREAD_PLATFORMS: frozenset[str] = frozenset({"messaging", "email"})
NOT_SPREAD_REACHES: frozenset[str] = frozenset({"private_message"})
NOT_HOSTED_PLATFORMS: frozenset[str] = frozenset({"book", "messaging", "email"})
NO_SERVICE_PLATFORMS: frozenset[str] = frozenset({"book", "email"})
LONG_RUNNING_DAYS = 5
"""Publications spanning more than this many days (5 × 24 hours) make a long-running course."""

# 4.0 Scope.
SCOPES: tuple[str, ...] = ("udhaengning", "case_complaint")

# 4.2 How the police can act, and who is the victim (forurettede) who must sign.
PROSECUTIONS: tuple[str, ...] = ("public", "request", "private")
VICTIMS: tuple[str, ...] = ("employee", "family", "third_party", "everyone_recorded")

# 4.1 Severity levels.
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
LEVEL_CODES: dict[int, str] = {1: "low", 2: "moderate", 3: "serious", 4: "critical"}
LEVEL_LABELS: dict[int, str] = {
    1: gettext_noop("Lav"),
    2: gettext_noop("Moderat"),
    3: gettext_noop("Alvorlig"),
    4: gettext_noop("Kritisk"),
}

# 4.2–4.4 Output codes, in DOMAIN.md table order.
LEGAL_REFERENCE_CODES: tuple[str, ...] = (
    "strfl_119",
    "strfl_119_2",
    "strfl_119a",
    "strfl_121",
    "strfl_136",
    "strfl_242",
    "strfl_263",
    "strfl_264a",
    "strfl_264d",
    "strfl_266",
    "strfl_267_268",
    "gdpr",
    "gdpr_breach",
)
ALWAYS_ACTIONS: tuple[str, ...] = (
    "support_conversation",
    "secure_evidence",
    "involve_amr_tr",
    "no_engagement",
)
ACTION_CODES: tuple[str, ...] = ALWAYS_ACTIONS + (
    "platform_takedown",
    "platform_report",
    "contact_publisher",
    "police_report",
    "datatilsynet_report",
    "breach_assessment",
    "safety_assessment",
    "acute_112",
    "complaint_system",
    "bisidder",
    "change_caseworker",
    "recording_guidelines",
    "occupational_injury",
    "occupational_disease",
    "restraining_order",
)
DEADLINE_CODES: tuple[str, ...] = (
    "assessment_due",
    "police_report_72h",
    "request_6_months",
    "easy_14_days",
    "breach_72h",
    "follow_up_14_days",
    "takedown_follow_up_7_days",
)

# Danish labels from DOMAIN.md 3.1 and 3.2.
FEATURE_LABELS: dict[str, str] = {
    "named": gettext_noop("Medarbejderen nævnes ved navn eller er let genkendelig"),
    "photo": gettext_noop("Billeder af medarbejderen er offentliggjort"),
    "offensive_language": gettext_noop("Grimt eller nedsættende sprog"),
    "addressed_to_employee": gettext_noop(
        "Ordene er rettet direkte til medarbejderen (en kommentar, besked eller tiltale til hende/ham, "
        "ikke kun omtale over for andre)"
    ),
    "insulting_description": gettext_noop("Fornærmende eller krænkende beskrivelser"),
    "abuse_of_power_accusation": gettext_noop("Beskyldninger om magtmisbrug"),
    "lawbreaking_accusation": gettext_noop("Beskyldninger om lovovertrædelser"),
    "workplace_details": gettext_noop("Præcise oplysninger om arbejdsplads (adresse, mødetider, kontor)"),
    "private_details": gettext_noop("Oplysninger om private forhold (bopæl, familie, børn, telefon)"),
    "family_exposed": gettext_noop("Medarbejderens børn eller familie omtales eller vises"),
    "threat": gettext_noop("Trusler om vold eller anden skade"),
    "threat_to_expose": gettext_noop(
        "Trussel om at anklage eller udstille medarbejderen, hvis hun/han ikke træffer en bestemt afgørelse"
    ),
    "incitement": gettext_noop("Opfordring til andre om at chikanere, kontakte eller opsøge medarbejderen"),
    "repeated": gettext_noop("Gentagne eller systematiske offentliggørelser"),
    "audio_published": gettext_noop("En lydoptagelse af en samtale er offentliggjort"),
    "video_published": gettext_noop("En videooptagelse af en samtale er offentliggjort"),
    "video_consent": gettext_noop("Medarbejderen har givet samtykke til offentliggørelse af videoen"),
    "third_party_confidential": gettext_noop("Indholdet afslører fortrolige oplysninger, der ikke er borgerens egne"),
    "hidden_recording": gettext_noop("Optagelsen er foretaget skjult"),
    "recorder_not_party": gettext_noop("Optagelsen er foretaget af en, der ikke selv deltog i samtalen"),
}

# Plain-Danish help shown beside each checkbox (our own words, after the DS guidance).
FEATURE_HELP: dict[str, str] = {
    "named": gettext_noop(
        "Vælg dette, hvis medarbejderens navn står i indholdet, eller hvis andre let kan "
        "regne ud, hvem det handler om, fx ud fra titel, afdeling eller et billede."
    ),
    "photo": gettext_noop(
        "Vælg dette, hvis der er lagt fotos ud, hvor medarbejderen kan genkendes, også "
        "billeder hentet fra medarbejderens egne profiler."
    ),
    "offensive_language": gettext_noop("Skældsord, hån eller en grov og nedladende tone over for medarbejderen."),
    "addressed_to_employee": gettext_noop(
        "Vælg dette, når ordene er skrevet til medarbejderen selv: en kommentar under "
        "medarbejderens eget opslag, en besked, en mail eller et tilråb som »du er en heks«. "
        "Skriver nogen om medarbejderen til andre (»hun er en heks«), er det omtale, og så "
        "skal feltet ikke vælges."
    ),
    "insulting_description": gettext_noop(
        "Beskrivelser, der udstiller eller nedgør medarbejderen som person, fx om udseende, evner eller karakter."
    ),
    "abuse_of_power_accusation": gettext_noop(
        "Påstande om, at medarbejderen misbruger sin myndighed, fx træffer afgørelser for at ramme borgeren."
    ),
    "lawbreaking_accusation": gettext_noop(
        "Påstande om, at medarbejderen har gjort noget ulovligt, fx brudt tavshedspligten "
        "eller forfalsket oplysninger i sagen."
    ),
    "workplace_details": gettext_noop(
        "Oplysninger, der gør det muligt at finde medarbejderen på jobbet, fx adresse, "
        "kontor, mødetider eller hvornår medarbejderen har fri."
    ),
    "private_details": gettext_noop(
        "Oplysninger om medarbejderens privatliv, fx hjemadresse, familie, børn eller privat telefonnummer."
    ),
    "family_exposed": gettext_noop(
        "Vælg dette, når medarbejderens børn, partner eller anden familie nævnes, vises på "
        "billeder eller kan genkendes i indholdet."
    ),
    "threat": gettext_noop(
        "Udsagn, der truer medarbejderen eller medarbejderens nærmeste med vold eller anden "
        "skade, også hvis truslen er skjult eller indirekte."
    ),
    "threat_to_expose": gettext_noop(
        "Vælg dette, når afsenderen vil have en bestemt afgørelse og truer med at anmelde, "
        "anklage eller hænge medarbejderen ud, hvis det ikke sker, fx »giv mig min bevilling, "
        "ellers lægger jeg alt om dig på Facebook«. Almindelig besked om, at borgeren vil "
        "klage, er ikke en trussel."
    ),
    "incitement": gettext_noop(
        "Indholdet opfordrer andre til at chikanere medarbejderen, skrive eller ringe til "
        "medarbejderen eller opsøge medarbejderen."
    ),
    "repeated": gettext_noop(
        "Der er flere opslag over tid, eller det ligner en kampagne mod medarbejderen. "
        "Regnes automatisk med, når hændelsen har tre eller flere offentliggørelser."
    ),
    "audio_published": gettext_noop(
        "En lydoptagelse fra et møde eller en telefonsamtale med medarbejderen er lagt ud, "
        "fx på Facebook eller YouTube."
    ),
    "video_published": gettext_noop("En videooptagelse fra et møde eller en samtale med medarbejderen er lagt ud."),
    "video_consent": gettext_noop(
        "Medarbejderen har sagt ja til, at videoen må offentliggøres. Uden samtykke kan "
        "offentliggørelsen stride mod reglerne om databeskyttelse."
    ),
    "third_party_confidential": gettext_noop(
        "Optagelsen eller teksten røber fortrolige oplysninger om andre end borgeren selv, "
        "fx andre borgere eller kolleger."
    ),
    "hidden_recording": gettext_noop(
        "Samtalen blev optaget, uden at medarbejderen vidste det. Når det er en af "
        "deltagerne, der optager, er det ikke i sig selv strafbart."
    ),
    "recorder_not_party": gettext_noop(
        "Den, der optog, var ikke selv med i samtalen, fx en der lyttede med udefra. Det kan være strafbart."
    ),
}

PERPETRATOR_RELATION_LABELS: dict[str, str] = {
    "citizen_own_case": gettext_noop("Borger i egen sag"),
    "relative": gettext_noop("Pårørende"),
    "other_citizen": gettext_noop("Anden borger"),
    "unknown": gettext_noop("Ukendt"),
    "other": gettext_noop("Andet"),
}

RELATED_PHENOMENA_LABELS: dict[str, str] = {
    "bullying": gettext_noop("Mobning"),
    "threats": gettext_noop("Trusler"),
    "stalking": gettext_noop("Stalking (forfølgelse)"),
    "case_complaint": gettext_noop("Klage over sagsbehandlingen"),
}

PLATFORM_LABELS: dict[str, str] = {
    "facebook": gettext_noop("Facebook"),
    "instagram": gettext_noop("Instagram"),
    "x": gettext_noop("X (tidligere Twitter)"),
    "tiktok": gettext_noop("TikTok"),
    "youtube": gettext_noop("YouTube"),
    "linkedin": gettext_noop("LinkedIn"),
    "reddit": gettext_noop("Reddit"),
    "blog": gettext_noop("Blog"),
    "website": gettext_noop("Hjemmeside"),
    "book": gettext_noop("Bog"),
    "news_comments": gettext_noop("Kommentarspor på nyhedsmedie"),
    "forum": gettext_noop("Debatforum"),
    "closed_group": gettext_noop("Lukket gruppe"),
    "messaging": gettext_noop("Beskedtjeneste (fx Messenger eller sms)"),
    "email": gettext_noop("E-mail"),
    "other": gettext_noop("Andet"),
}

REACH_LABELS: dict[str, str] = {
    "public": gettext_noop("Offentligt tilgængeligt"),
    "closed_group": gettext_noop("Lukket gruppe"),
    "private_message": gettext_noop("Privat besked"),
}
