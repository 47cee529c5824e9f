"""What the record of processing activities says about each activity and each model (GDPR art. 30).

The data behind `privacy.processing`: `ACTIVITIES` (purpose, legal basis, categories of data
subjects, recipients and retention of each processing activity), `REGISTRY` (every model: its
activity, or that it holds no personal data and why), the recipients of each report kind and
the labels for fields and models without a Danish name of their own. Whoever adds a model or
a report kind classifies it here (`tests/privacy/test_processing.py` fails otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The apps whose every model must be classified.
PROJECT_APPS = (
    "accounts",
    "incidents",
    "reports",
    "notifications",
    "recordings",
    "audit",
    "stats",
    "privacy",
    "capture",
    "idempotency",
)

HEALTH = gettext_lazy("helbredsoplysning, art. 9")


@dataclass(frozen=True)
class Activity:
    code: str
    title: Promise
    purpose: Promise
    legal_basis: Promise
    subjects: tuple[str, ...]
    recipients: Callable[[], list[str]]
    retention: Callable[[RetentionFacts], str]
    special: Promise | str = ""


@dataclass(frozen=True)
class Classification:
    activity: str | None  # None: the model holds no personal data (say why in `note`)
    note: Promise | str = ""
    special_fields: dict[str, Promise] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionFacts:
    months: int
    months_text: str
    session_minutes: int
    recording_text: str = ""
    audit_text: str = ""


SUBJECTS = {
    "employees": gettext_lazy("Medarbejdere, ledere, tillidsrepræsentanter og administratorer med en bruger"),
    "targets": gettext_lazy("Medarbejdere, der er hængt ud (berørte)"),
    "perpetrators": gettext_lazy(
        "Afsendere: borgere, pårørende og andre, der har offentliggjort noget om en medarbejder"
    ),
    "third_parties": gettext_lazy("Andre personer, der nævnes i opslag, citater og dokumentation"),
    "contacts": gettext_lazy("Organisationens kontaktperson til rapporter"),
    "requesters": gettext_lazy("Registrerede, der beder om indsigt eller sletning, og deres repræsentanter"),
    "citizens": gettext_lazy("Borgere, der beder om at optage en samtale (uden navn og CPR-nummer)"),
}


def _report_recipients() -> dict[str, Promise]:
    return {
        "police": gettext_lazy("Politiet: politianmeldelse, når ledelsen beslutter det sammen med medarbejderen"),
        "datatilsynet": gettext_lazy("Datatilsynet: klage på medarbejderens vegne (med fuldmagt)"),
        "dsa_notice": gettext_lazy("Platformen, hvor indholdet er offentliggjort: anmeldelse efter DSA art. 16"),
        "internal_hr": gettext_lazy("HR og ledelsen: den samlede interne sagsrapport"),
        "internal_amo": gettext_lazy(
            "Arbejdsmiljøorganisationen (AMO): en minimeret, forebyggende rapport uden "
            "helbredsoplysninger og uden gerningspersonens identitet"
        ),
        "breach_record": gettext_lazy(
            "Organisationens databeskyttelsesrådgiver (DPO): registrering af et brud på "
            "persondatasikkerheden (art. 33, stk. 5) og grundlag for anmeldelsen til "
            "Datatilsynet"
        ),
        "statistics": gettext_lazy(
            "MED-udvalget og tillidsrepræsentanter: statistik, for tillidsrepræsentanter kun anonymiserede tal"
        ),
    }


REPORT_RECIPIENTS = _report_recipients()


def report_kinds() -> list[tuple[str, str]]:
    from reports.models import Report

    return [(value, str(label)) for value, label in Report.Kind.choices]


def report_recipients() -> list[str]:
    """One line per report kind (reports.models.Report.Kind), plus the statistics for MED and union reps."""
    lines = [f"{label} → {REPORT_RECIPIENTS.get(kind, _('modtager ikke beskrevet'))}" for kind, label in report_kinds()]
    if "statistics" not in dict(report_kinds()):
        lines.append(str(REPORT_RECIPIENTS["statistics"]))
    return lines


def incident_retention(facts: RetentionFacts) -> str:
    from incidents.models import Incident

    hold = Incident._meta.get_field("legal_hold").verbose_name
    return _(
        "Åbne hændelser beholdes, mens de behandles. En afsluttet hændelse slettes %(months)s efter afslutningen "
        "sammen med dokumentation, rapporter og notifikationer; en hændelse med «%(hold)s» beholdes, til holdet "
        "ophæves. Revisionsloggen beholder en gravsten (sagsnummer, datoer, antal), og statistikken beholder "
        "anonymiserede tal."
    ) % {"months": facts.months_text, "hold": hold}


ACTIVITIES: dict[str, Activity] = {
    a.code: a
    for a in (
        Activity(
            code="incidents",
            title=gettext_lazy("Registrering og håndtering af udhængning"),
            purpose=gettext_lazy(
                "At beskytte medarbejdere, der er hængt ud: registrere hændelser, sikre dokumentation, vurdere "
                "alvorlighed og mulige lovbrud, handle (støtte, sikkerhed, fjernelse, anmeldelse) og følge op."
            ),
            legal_basis=gettext_lazy(
                "Art. 6, stk. 1, litra c og e: arbejdsgiverens pligt til et sikkert psykisk arbejdsmiljø "
                "(arbejdsmiljøloven og bekendtgørelse nr. 1406/2020 om psykisk arbejdsmiljø, kap. 3) og kommunens "
                "opgaver som offentlig myndighed. Helbredsoplysninger: art. 9, stk. 2, litra b og f, og "
                "databeskyttelseslovens § 12. Oplysninger om strafbare forhold: databeskyttelseslovens § 8."
            ),
            subjects=("targets", "perpetrators", "third_parties", "employees"),
            recipients=lambda: [
                _("Ledere i hændelsens enhed og enhederne over den"),
                _("Den berørte medarbejder (ikke interne noter)"),
                _("En tillidsrepræsentant, som medarbejderen selv har delt sagen med (kun læsning, ingen noter)"),
                _("Eksterne modtagere gennem rapporterne (se «Rapporter og videregivelse»)"),
            ],
            retention=incident_retention,
            special=gettext_lazy(
                "Helbredsoplysninger (sygefravær, psykisk belastning) om medarbejderen og oplysninger om mulige "
                "strafbare forhold begået af afsenderen (trusler, chikane, ærekrænkelse)."
            ),
        ),
        Activity(
            code="reports",
            title=gettext_lazy("Rapporter og videregivelse"),
            purpose=gettext_lazy(
                "At anmelde til politiet, klage til Datatilsynet, anmode platformen om at fjerne indholdet og "
                "dokumentere sagen internt; bevispakker med uændrede filer og deres SHA-256."
            ),
            legal_basis=gettext_lazy(
                "Som registreringen. Videregivelse af oplysninger om strafbare forhold: databeskyttelseslovens § 8, "
                "stk. 2 (fx når den er nødvendig for myndighedens opgaver eller for at varetage medarbejderens klart "
                "overvejende interesser). Platformsanmeldelser: forordning (EU) 2022/2065 (DSA) art. 16."
            ),
            subjects=("targets", "perpetrators", "third_parties", "employees", "contacts"),
            recipients=report_recipients,
            retention=lambda facts: _("Som hændelsen: rapporter og bevispakker slettes sammen med den."),
            special=gettext_lazy("Som registreringen; politianmeldelsen kan indeholde helbredsoplysninger."),
        ),
        Activity(
            code="notifications",
            title=gettext_lazy("Notifikationer og påmindelser"),
            purpose=gettext_lazy("At fortælle ledere og medarbejdere om nye sager, ændringer og frister."),
            legal_basis=gettext_lazy(
                "Art. 6, stk. 1, litra c og e (som registreringen). Notifikationer indeholder "
                "aldrig fritekst fra sagerne, kun sagsnumre, enheder, niveauer og frister."
            ),
            subjects=("employees",),
            recipients=lambda: [_("Modtageren selv, i systemet og pr. e-mail gennem organisationens mailserver")],
            retention=lambda facts: _(
                "Notifikationer om en hændelse slettes med hændelsen; en medarbejders notifikationer og e-mail-valg "
                "slettes, når en anmodning om sletning gennemføres."
            ),
        ),
        Activity(
            code="recordings",
            title=gettext_lazy("Anmodninger om optagelse af samtaler"),
            purpose=gettext_lazy(
                "At registrere og afgøre borgeres anmodninger om at optage møder og telefonsamtaler efter "
                "kommunens retningslinje (Ombudsmanden 2005, sag 20-2), og at følge op på skjulte optagelser."
            ),
            legal_basis=gettext_lazy(
                "Art. 6, stk. 1, litra e: forvaltningens sagsbehandling. Borgerens navn og "
                "CPR-nummer registreres ikke; CPR-numre afvises i fritekst."
            ),
            subjects=("citizens", "employees"),
            recipients=lambda: [_("Ledere i enheden; sagsbehandleren, der registrerede anmodningen")],
            retention=lambda facts: (
                _(
                    "Anonymiseres automatisk %(months)s efter anmodningens dato: fritekst og medarbejdernes navne "
                    "fjernes, "
                    "de kodede oplysninger bliver i statistikken. En anmodning knyttet til en sag, der stadig findes, "
                    "venter, "
                    "til sagen er slettet. Notatet om afgørelsen hører til borgerens egen sag."
                )
                % {"months": facts.recording_text}
            ),
        ),
        Activity(
            code="users",
            title=gettext_lazy("Brugere, roller og log ind"),
            purpose=gettext_lazy(
                "At give de rette personer adgang til de rette oplysninger (roller pr. enhed), "
                "sikkert log ind og kontakt til organisationen om rapporter."
            ),
            legal_basis=gettext_lazy("Art. 6, stk. 1, litra c og e, og art. 32 (adgangsstyring og sikkerhed)."),
            subjects=("employees", "contacts"),
            recipients=lambda: [_("Organisationens administratorer; ingen uden for organisationen")],
            retention=lambda facts: (
                _(
                    "Så længe personen skal have adgang; ved fratrædelse deaktiverer administratoren brugeren, og en "
                    "anmodning om sletning sletter kontaktoplysninger, roller, log-ind-data og notifikationer. "
                    "Sessioner "
                    "udløber efter %(minutes)s minutters inaktivitet og når browseren lukkes."
                )
                % {"minutes": facts.session_minutes}
            ),
        ),
        Activity(
            code="audit",
            title=gettext_lazy("Revisionslog"),
            purpose=gettext_lazy(
                "At dokumentere, hvem der har læst og ændret hvilke oplysninger, og at opdage "
                "misbrug (en kæde pr. organisation nøglet med HMAC-SHA256, kontrolleres med "
                "verify_audit_log mod de eksporterede kædehoveder)."
            ),
            legal_basis=gettext_lazy("Art. 6, stk. 1, litra c, art. 5, stk. 2 (ansvarlighed) og art. 32 (sikkerhed)."),
            subjects=("employees", "requesters"),
            recipients=lambda: [_("Organisationens administratorer; Datatilsynet ved tilsyn")],
            retention=lambda facts: (
                _(
                    "Revisionsloggen kan kun tilføjes og ændres ikke (på PostgreSQL afviser en trigger UPDATE, DELETE "
                    "og "
                    "TRUNCATE). Den nævner sager ved sagsnummer, ikke med indhold, og overlever derfor sletningen af "
                    "en sag "
                    "som dokumentation. Hændelser ældre end %(months)s slettes af den natlige kørsel; et kontrolpunkt "
                    "med "
                    "den sidst slettede hændelses SHA-256 (nøglet med HMAC) holder kæden verificerbar."
                )
                % {"months": facts.audit_text}
            ),
        ),
        Activity(
            code="statistics",
            title=gettext_lazy("Statistik"),
            purpose=gettext_lazy(
                "At give ledelse, MED-udvalg og tillidsrepræsentanter et overblik over omfanget "
                "af udhængning (DOMAIN afsnit 7)."
            ),
            legal_basis=gettext_lazy(
                "Tallene tælles af hændelserne (se registreringen). Tillidsrepræsentanter ser kun anonymiserede tal "
                "med diskretionskontrol; resterne af slettede hændelser er anonyme (uden person, sagsnummer, dato "
                "finere end måneden og fritekst) og dermed ikke personoplysninger (betragtning 26)."
            ),
            subjects=(),
            recipients=lambda: [
                _("Ledere (præcise tal for egne enheder)"),
                _("Tillidsrepræsentanter og MED-udvalg (anonymiserede tal)"),
            ],
            retention=lambda facts: _(
                "Anonyme tal beholdes, så tidligere perioders tal ikke ændrer sig, når hændelser slettes."
            ),
        ),
        Activity(
            code="rights",
            title=gettext_lazy("Anmodninger fra registrerede"),
            purpose=gettext_lazy(
                "At besvare anmodninger om indsigt (art. 15) og sletning (art. 17) og dokumentere svaret."
            ),
            legal_basis=gettext_lazy("Art. 6, stk. 1, litra c, sammen med art. 12, 15 og 17 og art. 5, stk. 2."),
            subjects=("requesters",),
            recipients=lambda: [_("Den registrerede eller dennes repræsentant (udtræk som JSON eller PDF)")],
            retention=lambda facts: _(
                "Beholdes som dokumentation for, at anmodningen er besvaret (art. 5, stk. 2); slettes ikke automatisk."
            ),
        ),
    )
}


REGISTRY: dict[str, Classification] = {
    # accounts
    "accounts.organisation": Classification("users", gettext_lazy("Kontaktpersonen til rapporter.")),
    "accounts.unit": Classification(None, gettext_lazy("Organisationens enheder (navn og placering i træet).")),
    "accounts.user": Classification("users"),
    "accounts.membership": Classification("users"),
    "accounts.apitoken": Classification("users", gettext_lazy("Kun en hash (SHA-256) af nøglen gemmes.")),
    "accounts.ssoprovider": Classification(
        None, gettext_lazy("Organisationens identitetsudbydere: adresser, klient-id og tilladte e-maildomæner.")
    ),
    "accounts.ssogroupmapping": Classification(
        None, gettext_lazy("Hvilke grupper giver hvilke roller i hvilke enheder.")
    ),
    "accounts.ssogrant": Classification("users"),
    # incidents
    "incidents.referencecounter": Classification(None, gettext_lazy("Sidste løbenummer pr. år.")),
    "incidents.incident": Classification(
        "incidents",
        special_fields={
            "absence_days": HEALTH,
            "absence_start": HEALTH,
            "psychological_harm": HEALTH,
            "emotional_load": HEALTH,
        },
    ),
    "incidents.publication": Classification("incidents"),
    "incidents.evidence": Classification("incidents"),
    "incidents.timelineentry": Classification("incidents"),
    "incidents.note": Classification("incidents"),
    "incidents.incidentdeadline": Classification("incidents"),
    "incidents.deadlinedismissal": Classification("incidents"),
    "incidents.redaction": Classification("incidents"),
    "incidents.incidentshare": Classification("incidents"),
    "incidents.caseexclusion": Classification("incidents"),
    "incidents.casemessage": Classification("incidents"),
    "incidents.watchlistentry": Classification("incidents"),
    "incidents.pendingfiledeletion": Classification(
        None, gettext_lazy("Navne (tilfældige) på filer i det private lager, der venter på at blive slettet.")
    ),
    "incidents.retentionrun": Classification(
        None, gettext_lazy("Tidspunkt, varighed og antal for hver kørsel af sletningen; ingen personoplysninger.")
    ),
    # page captures (incidents.capture): the captured page's files are evidence rows (above)
    "capture.capture": Classification("incidents", gettext_lazy("Sikring af en webside: adresse, status og svar.")),
    "capture.capturefile": Classification("incidents"),
    "capture.timestamptoken": Classification(
        None, gettext_lazy("Tidsstempler (RFC 3161) over et manifests SHA-256; kun kontrolsummer og tidspunkt.")
    ),
    "capture.watch": Classification("incidents", gettext_lazy("Overvågning af en sikret adresse.")),
    "capture.watchcheck": Classification("incidents"),
    # reports
    "reports.report": Classification("reports"),
    "reports.evidencebundle": Classification("reports"),
    "reports.casearchive": Classification(
        "reports",
        gettext_lazy(
            "Sagsarkiv til journalisering i kommunens eget dokumenthåndteringssystem (offentlighedsloven § 15): "
            "de sendte rapporter, dokumentationen og metadata med parternes roller."
        ),
    ),
    # notifications
    "notifications.notification": Classification("notifications"),
    "notifications.preference": Classification("notifications"),
    # recordings
    "recordings.recordingguideline": Classification(
        "recordings", gettext_lazy("Retningslinjens tekst; kun «oprettet af» peger på en person.")
    ),
    "recordings.guidelinepassage": Classification(None, gettext_lazy("Afsnit af retningslinjens tekst.")),
    "recordings.recordingrequest": Classification("recordings"),
    # audit
    "audit.auditevent": Classification("audit"),
    "audit.pendingauditevent": Classification("audit"),
    "audit.auditchainhead": Classification(
        None, gettext_lazy("Den nyeste hash i hver organisations revisionslogkæde og antallet af hændelser.")
    ),
    # stats
    "stats.incidentresidue": Classification("statistics"),
    "stats.incidentresidueplatform": Classification("statistics"),
    "stats.monthlycount": Classification(
        None,
        gettext_lazy(
            "Antal sager pr. enhed og måned (statistikkens sammentælling) uden personer, navne eller "
            "sagsnumre; vises kun gennem statistikkens diskretionskontrol."
        ),
    ),
    "stats.monthlytarget": Classification(
        "incidents",
        gettext_lazy(
            "Hvilke medarbejdere en enheds hændelser har ramt pr. måned (statistikkens sammentælling af "
            "andelen hængt ud): tælles af de levende hændelsers berørte og forsvinder med dem; vises kun "
            "som antal gennem statistikkens diskretionskontrol."
        ),
    ),
    # privacy
    "privacy.datasubjectrequest": Classification("rights"),
    "privacy.dpiadraft": Classification(
        "users",
        gettext_lazy(
            "Udkast til konsekvensanalysen (DPIA) som PDF, dannet af modeller, indstillinger og tal; kun «bestilt af» "
            "peger på en person."
        ),
    ),
    "audit.auditcheckpoint": Classification(
        None,
        gettext_lazy(
            "Kontrolpunkt i revisionsloggen efter sletning: position og SHA-256 af den sidst slettede hændelse; "
            "ingen personoplysninger."
        ),
    ),
    "privacy.accessitem": Classification(
        "rights",
        gettext_lazy(
            "Administratorens vurdering af et punkt i en indsigt: et nært navnematch medtaget eller udeladt, eller "
            "et punkt undtaget efter databeskyttelseslovens § 22 med begrundelse."
        ),
    ),
    "privacy.accessexport": Classification(
        "rights",
        gettext_lazy("Et udtræk (JSON eller PDF) af svaret på en anmodning, dannet i baggrunden og gemt privat."),
    ),
    # idempotency
    "idempotency.idempotencyrecord": Classification(
        "incidents",
        gettext_lazy(
            "Det første svar på en ændring (kan rumme sagens oplysninger), gemt i 24 timer under forespørgslens nøgle, "
            "så en gentaget forespørgsel ikke gemmer noget to gange."
        ),
    ),
    # Installed third-party apps that hold personal data (not required by the test, but part of the record).
    "sessions.session": Classification("users"),
    "account.emailaddress": Classification("users"),
    "mfa.authenticator": Classification("users"),
    "authtoken.token": Classification("users"),
    "socialaccount.socialaccount": Classification(
        "users", gettext_lazy("Brugerens id hos identitetsudbyderen og de oplysninger, den sendte ved seneste log ind.")
    ),
    "admin.logentry": Classification("audit", gettext_lazy("Administrationssidernes egen ændringslog.")),
}

# Labels for fields that have no verbose name of their own.
FALLBACK_LABELS = {
    "user": gettext_lazy("bruger"),
    "unit": gettext_lazy("enhed"),
    "organisation": gettext_lazy("organisation"),
    "incident": gettext_lazy("hændelse"),
    "guideline": gettext_lazy("retningslinje"),
    "residue": gettext_lazy("anonymiseret rest"),
    "created_at": gettext_lazy("oprettet"),
    "year": gettext_lazy("år"),
    "number": gettext_lazy("løbenummer"),
    "rules_version": gettext_lazy("regelversion"),
    "facts_hash": gettext_lazy("kontrolsum af fakta"),
    "confirmed_facts_hash": gettext_lazy("kontrolsum af de bekræftede fakta"),
    "confirmed_by": gettext_lazy("bekræftet af"),
    "confirmed_at": gettext_lazy("bekræftet"),
    "file": gettext_lazy("fil (i privat lager)"),
    "uploaded_by": gettext_lazy("uploadet af"),
    "removed_by": gettext_lazy("fjernet af"),
    "actor": gettext_lazy("udført af"),
    "author": gettext_lazy("skrevet af"),
    "from_status": gettext_lazy("fra status"),
    "to_status": gettext_lazy("til status"),
    "code": gettext_lazy("kode"),
    "title": gettext_lazy("titel"),
    "due": gettext_lazy("frist"),
    "evidence_ids": gettext_lazy("dokumentation i rapporten"),
    "prev_hash": gettext_lazy("forrige hash"),
    "hash": gettext_lazy("hash"),
    "last_hash": gettext_lazy("seneste hash"),
    "count": gettext_lazy("antal"),
    "related_bullying": gettext_lazy("mobning"),
    "related_threats": gettext_lazy("trusler"),
    "related_stalking": gettext_lazy("stalking"),
    "related_case_complaint": gettext_lazy("klage over sagsbehandlingen"),
    "type": gettext_lazy("type"),
    "data": gettext_lazy("nøgledata"),
    "last_used_at": gettext_lazy("senest brugt"),
}

# Names for models that have no Danish verbose name of their own.
FALLBACK_MODEL_NAMES = {
    "incidents.referencecounter": gettext_lazy("Løbenumre"),
    "incidents.incidentdeadline": gettext_lazy("Frister"),
    "audit.auditchainhead": gettext_lazy("Revisionslogkædens hoved"),
    "mfa.authenticator": gettext_lazy("Tofaktornøgler (TOTP) og gendannelseskoder"),
    "authtoken.token": gettext_lazy("API-nøgler"),
}
