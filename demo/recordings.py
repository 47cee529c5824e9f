"""A sensible default recording guideline for the demo organisation (and a starting point
for a real one). Written in our own words after DOMAIN.md section 8, the Ombudsman's
statement (FOB 2005.578; beretning 2005, sag 20-2), DUKH Praksisnyt 54 (lydoptagelse af møder)
and Dansk Socialrådgiverforening's guidance on recordings. Conditions are ones the municipality
can lawfully agree on: the citizen may as a rule publish audio of their own meeting, so the
guideline states no unconditional ban on sharing or publishing (LEGAL-REVIEW.md F 34)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from recordings import services
from recordings.codes import (
    CONCENTRATION_PROBLEMS,
    DECISIONS,
    DISTRUST,
    GENERAL,
    HIDDEN_RECORDING,
    LANGUAGE_BARRIER,
    MEMORY_PROBLEMS,
    NOTE_TAKING_DIFFICULTY,
    OTHER,
    PUBLISH_INTENT,
    REFUSED,
    VIDEO_PASSAGE,
    WANTS_DOCUMENTATION,
)
from recordings.models import RecordingGuideline

DEFAULT_TITLE = "Retningslinje for optagelse af møder og telefonsamtaler"

DEFAULT_BODY = "\n".join(
    [
        "## Formål",
        (
            "Retningslinjen beskriver, hvad vi gør, når en borger beder om at optage et møde eller en "
            "telefonsamtale om sin egen sag, og hvad vi gør, hvis en borger optager uden at spørge. Den gælder "
            "lyd og video."
        ),
        "",
        "## Udgangspunktet",
        (
            "Kommunen bestemmer rammerne for de møder, den holder. En borger har derfor **ikke krav på** at "
            "optage møder eller telefonsamtaler med os, medmindre der er en saglig begrundelse for det "
            "(Folketingets Ombudsmand, FOB 2005.578, beretning 2005, sag 20-2; se også DUKH Praksisnyt 54 om "
            "lydoptagelse af møder). Vi vurderer hver anmodning for sig og skriver vurderingen og begrundelsen "
            "i et notat til borgerens sag (offentlighedsloven § 13)."
        ),
        "",
        "## Hvad er en saglig begrundelse?",
        "- Borgeren har svært ved at huske det, der bliver sagt.",
        "- Borgeren har svært ved at koncentrere sig gennem en hel samtale.",
        "- Borgeren har fysisk eller psykisk svært ved at tage noter undervejs.",
        "- Andre personlige forhold, der gør det til god forvaltningsskik at lade borgeren optage.",
        "",
        (
            "Et ønske om bevis, mistillid til sagsbehandleren eller et ønske om at lægge optagelsen ud på nettet "
            "er **ikke i sig selv** en saglig begrundelse."
        ),
        "",
        "## Når borgeren spørger",
        "- Spørg roligt til baggrunden for ønsket, og skriv borgerens grunde ned.",
        (
            "- Vurder anmodningen efter denne retningslinje. Systemet foreslår en afgørelse, men det er dig, der "
            "afgør den."
        ),
        "- Fortæl borgeren afgørelsen og begrundelsen, før samtalen går i gang, og aftal eventuelle vilkår.",
        "- Registrer anmodningen og afgørelsen i systemet. Skriv aldrig borgerens CPR-nummer.",
        "",
        "## Vilkår, vi kan aftale",
        "- Kun lyd, ikke video.",
        "- Borgeren fortæller, hvad optagelsen skal bruges til (fx at høre samtalen igen).",
        "- Borgeren fortæller, når optagelsen starter og stopper.",
        "",
        "## Hvad borgeren må bruge optagelsen til",
        (
            "Vi kan ikke forbyde borgeren at dele eller offentliggøre en optagelse af sin egen samtale. Borgeren "
            "må som udgangspunkt offentliggøre en lydoptagelse af sin egen samtale. Det er ulovligt, hvis "
            "optagelsen er krænkende for medarbejderen, fx ærekrænkende eller truende, eller hvis den afslører "
            "fortrolige oplysninger om andre end borgeren selv. En video, hvor medarbejderen kan genkendes, kan "
            "være i strid med databeskyttelsesreglerne, hvis medarbejderen ikke har givet samtykke; Datatilsynet "
            "vurderer det konkret. Fortæl gerne borgeren det, men skriv det ikke som et forbud."
        ),
        "",
        "## En optagelse dokumenterer ikke afgørelsen",
        (
            "En samtale er vejledning undervejs i sagen. Kommunens afgørelse kommer skriftligt og med "
            "klagevejledning. En optagelse af samtalen kan derfor ikke bruges som dokumentation for, hvad "
            "kommunen har afgjort. Tilbyd i stedet et skriftligt referat, når det giver mening."
        ),
        "",
        "## Hvis borgeren optager uden at spørge",
        (
            "Det er ikke strafbart at optage en samtale, man selv deltager i. Fortæl venligt borgeren om "
            "retningslinjen, og spørg, om borgeren vil stoppe optagelsen. Du bestemmer selv, om samtalen kan "
            "fortsætte. Registrer bagefter i systemet, at der er optaget skjult, og fortæl det til din leder."
        ),
        "",
        "## Hvis en optagelse bliver lagt på nettet",
        (
            "Kontakt din leder med det samme. Lederen registrerer det som en hændelse og vurderer sammen med dig,"
            " om indholdet skal anmeldes til politiet, platformen eller Datatilsynet. Arbejdsgiveren står for "
            "anmeldelserne. Du skal ikke selv gå i dialog med borgeren om opslaget."
        ),
        "",
    ]
)

DEFAULT_PASSAGES: dict[str, str] = {
    GENERAL: (
        "Borgeren har ikke krav på at optage uden en saglig begrundelse. Spørg til baggrunden, og vurder "
        "anmodningen konkret."
    ),
    MEMORY_PROBLEMS: (
        "Problemer med hukommelsen er en saglig begrundelse. Optagelse bør som udgangspunkt tillades, så "
        "borgeren kan høre samtalen igen."
    ),
    CONCENTRATION_PROBLEMS: (
        "Har borgeren svært ved at koncentrere sig gennem samtalen, er det en saglig begrundelse. Optagelse bør "
        "som udgangspunkt tillades."
    ),
    NOTE_TAKING_DIFFICULTY: (
        "Har borgeren fysisk eller psykisk svært ved at tage noter, er det en saglig begrundelse. Optagelse bør "
        "som udgangspunkt tillades."
    ),
    LANGUAGE_BARRIER: (
        "Ved sprogvanskeligheder tilbyder vi først tolk. En lydoptagelse til borgerens eget brug kan tillades, "
        "hvis den hjælper borgeren med at forstå samtalen bagefter."
    ),
    WANTS_DOCUMENTATION: (
        "En optagelse kan ikke dokumentere kommunens afgørelse; den kommer skriftligt. Tilbyd et skriftligt "
        "referat i stedet. Ønsket om dokumentation er ikke i sig selv en saglig begrundelse."
    ),
    DISTRUST: (
        "Har borgeren mistillid til sagsbehandleren, så foreslå en bisidder, henvis til klagesystemet, og "
        "overvej at tilbyde en anden sagsbehandler. Mistillid er ikke i sig selv en saglig begrundelse."
    ),
    PUBLISH_INTENT: (
        "Et ønske om at lægge optagelsen ud er ikke en saglig begrundelse. Har borgeren også en saglig "
        "begrundelse, så tillad optagelse. Fortæl borgeren, at en lydoptagelse ikke må offentliggøres, hvis den "
        "er krænkende eller afslører fortrolige oplysninger om andre, og at offentliggørelse af en video, hvor "
        "medarbejderen kan genkendes, uden samtykke kan være i strid med databeskyttelsesreglerne."
    ),
    OTHER: (
        "Vurder borgerens egen forklaring: er der personlige forhold, der gør det til god forvaltningsskik at "
        "lade borgeren optage?"
    ),
    VIDEO_PASSAGE: (
        "Video er mere indgribende end lyd. Tilbyd lydoptagelse, eller aftal at kun borgeren er i billedet."
    ),
    HIDDEN_RECORDING: (
        "Det er ikke strafbart at optage en samtale, man selv deltager i. Fortæl borgeren om retningslinjen, "
        "registrer den skjulte optagelse, og fortæl det til din leder."
    ),
}


@transaction.atomic
def demo_guideline_seed(organisation) -> RecordingGuideline:
    """The organisation's guideline in force; the default one (from 1 January this year) when it has none.
    Running it again changes nothing."""
    existing = RecordingGuideline.objects.filter(organisation=organisation).order_by("-effective_from").first()
    if existing is not None:
        return existing
    return services.guideline_create(
        actor=None,
        organisation=organisation,
        title=DEFAULT_TITLE,
        body=DEFAULT_BODY,
        effective_from=date(timezone.localdate().year, 1, 1),
        passages=DEFAULT_PASSAGES,
        without_legitimate_reason=REFUSED,
    )


_DEMO_JUSTIFICATION = "Afgjort efter retningslinjen og borgerens begrundelse (demodata)."


@transaction.atomic
def demo_requests_seed(organisation, *, count: int, seed: int = 1) -> int:
    """`count` made-up recording requests over the last twelve months, registered by the demo
    caseworkers in their units, each decided as the suggestion says (a few differently); created
    through demo.factories with the drawn values. Adds every time it runs; the caller decides when
    (seed_demo --sample adds them once)."""
    import random
    from datetime import timedelta

    from accounts.models import Membership, Role

    from .factories import REASON_SETS, RecordingRequestFactory

    rng = random.Random(seed)
    caseworkers = list(
        Membership.objects.filter(unit__organisation=organisation, role=Role.CASEWORKER)
        .select_related("user", "unit")
        .order_by("pk")
    )
    if not caseworkers or count <= 0:
        return 0
    guideline = demo_guideline_seed(organisation)
    today = timezone.localdate()
    for _ in range(count):
        membership = rng.choice(caseworkers)
        reasons = rng.choice(REASON_SETS)
        media = "video" if rng.random() < 0.2 else "audio"
        overridden = {} if rng.random() < 0.9 else {"decision": rng.choice(DECISIONS)}
        day = today - timedelta(days=rng.randrange(0, 365))
        decided_at = timezone.make_aware(datetime(day.year, day.month, day.day, rng.randrange(8, 16)))
        RecordingRequestFactory(
            unit=membership.unit,
            registered_by=membership.user,
            registered_at=decided_at,
            request_date=day,
            reasons=reasons,
            media=media,
            setting="phone" if rng.random() < 0.3 else "meeting",
            guideline=guideline,
            justification=_DEMO_JUSTIFICATION,
            decided_by=membership.user,
            decided_at=decided_at,
            hidden_recording_discovered=rng.random() < 0.05,
            **overridden,
        )
    return count
