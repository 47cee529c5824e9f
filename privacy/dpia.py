"""A draft data protection impact assessment (GDPR art. 35), generated like the record of processing.

`build_dpia(organisation)` gives the draft as data: the processing described from the record
(`privacy.processing.build_record`: purposes, legal bases, data, recipients, retention), why an
assessment is required, necessity and proportionality, the risks to each group of data subjects
(employees, perpetrators, third parties including children and family, citizens in social
cases) with the measures the system takes against each, the measures derived from the settings
(two factors, encryption at rest where configured, retention, the audit chain, disclosure
control), and blanks for the DPO and the controller to complete and sign (art. 35, stk. 2 and 7;
art. 36 on prior consultation). The page renders the data; the worker renders the same data as a
PDF (`dpia_request` → `privacy.tasks.render_dpia` → `dpia_render`), with a status row the page
polls, like the reports.

Counts come from the organisation's incidents (how many have a perpetrator, how many of those
have the art. 14 record); no personal data is in the draft.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.services import audit_record
from reports.models import UNFINISHED, Status, render_deadline
from reports.services import TRANSIENT_ERRORS

from . import activities, processing
from .dpia_models import DpiaDraft

logger = logging.getLogger(__name__)

TEMPLATE = "privacy/pdf/dpia.html"
BLANK = "________________________________"


@dataclass
class Risk:
    risk: str
    measures: list[str]


@dataclass
class GroupRisks:
    code: str
    group: str
    who: str
    risks: list[Risk]


@dataclass
class Dpia:
    organisation: Organisation | None
    controller: list[tuple[str, str]]
    dpo: str
    generated_at: str
    record: processing.Record
    criteria: list[str]
    necessity: list[str]
    groups: list[GroupRisks]
    measures: list[str]
    counts: list[tuple[str, str]]
    for_dpo: list[str] = field(default_factory=list)


def _encryption_at_rest() -> str:
    storage = settings.STORAGES.get("default", {})
    backend = storage.get("BACKEND", "")
    params = storage.get("OPTIONS", {}).get("object_parameters", {}) or {}
    if backend.endswith("S3Storage"):
        sse = params.get("ServerSideEncryption")
        if sse:
            return _(
                "Dokumentation og rapporter skrives til en privat S3-bucket med kryptering på serversiden (%(sse)s)."
            ) % {"sse": sse}
        return _(
            "Dokumentation og rapporter ligger i en privat S3-bucket UDEN kryptering på serversiden "
            "(PRIVATE_STORAGE_S3_SSE=none): vurdér risikoen."
        )
    return _(
        "Dokumentation og rapporter ligger i en privat mappe på serveren; kryptering af disken er ikke "
        "konfigureret i systemet og skal oplyses af driften: %(blank)s"
    ) % {"blank": BLANK}


def settings_measures(organisation: Organisation | None) -> list[str]:
    """The measures that depend on the organisation's settings and the deployment's configuration."""
    org_field = Organisation._meta.get_field
    lines = []
    if organisation is None or organisation.require_mfa_for_managers:
        setting = org_field("require_mfa_for_managers").verbose_name
        lines.append(
            _(
                "Tofaktorlogin (TOTP) er påkrævet for ledere og administratorer, der logger ind med "
                "adgangskode («%(setting)s»)."
            )
            % {"setting": setting}
        )
    else:
        lines.append(
            _(
                "Tofaktorlogin er IKKE påkrævet for ledere og administratorer. Organisationens begrundelse: "
                "«%(reason)s». Vurdér risikoen."
            )
            % {"reason": organisation.mfa_relaxed_reason.strip()}
        )
    if organisation is not None and not organisation.allow_local_passwords:
        lines.append(_("Log ind sker kun via organisationens identitetsudbyder (SSO)."))
    lines.append(_encryption_at_rest())
    lines.append(
        _(
            "Sikkerhedskopier krypteres med gpg, når driften sætter BACKUP_GPG_RECIPIENT eller "
            "BACKUP_PASSPHRASE_FILE (docs/operations.md). Oplyst af driften: %(blank)s"
        )
        % {"blank": BLANK}
    )
    facts = processing.retention_facts(organisation)
    lines.append(
        _(
            "Afsluttede sager slettes automatisk efter %(months)s; retligt hold forhindrer sletningen, "
            "og lederne varsles 30 dage før."
        )
        % {"months": facts.months_text}
    )
    if settings.AUDIT_HMAC_KEY:
        lines.append(
            _("Revisionsloggen er en kæde pr. organisation nøglet med HMAC-SHA256; nøglen er sat uden for databasen.")
        )
    else:
        lines.append(
            _(
                "Revisionsloggens HMAC-nøgle (AUDIT_HMAC_KEY) er ikke sat i denne installation: kæden kan "
                "ikke bevise, at loggen er uændret. Skal sættes i produktion."
            )
        )
    k = organisation.statistics_threshold if organisation else org_field("statistics_threshold").default
    lag = organisation.statistics_lag_months if organisation else org_field("statistics_lag_months").default
    lines.append(
        _(
            "Diskretionskontrol i statistikken: tillidsrepræsentanter ser tal afrundet til et multiplum af "
            "k = %(k)s og kun måneder, der er mindst %(lag)s måned(er) gamle."
        )
        % {"k": k, "lag": lag}
    )
    return [str(line) for line in lines]


def _counts(organisation: Organisation | None) -> list[tuple[str, str]]:
    from incidents.models import Incident

    qs = Incident.objects.all()
    if organisation is not None:
        qs = qs.filter(unit__organisation=organisation)
    with_perpetrator = qs.filter(~Q(perpetrator_name="") | ~Q(perpetrator_profile_url=""))
    recorded = with_perpetrator.filter(Q(art14_informed_on__isnull=False) | ~Q(art14_exception=""))
    return [
        (_("Hændelser i alt"), str(qs.count())),
        (_("Heraf med en afsender (navn eller profil)"), str(with_perpetrator.count())),
        (_("Heraf med oplysning til afsenderen eller en undtagelse registreret (art. 14)"), str(recorded.count())),
        (
            _("Heraf med helbredsoplysninger (sygefravær eller psykisk belastning)"),
            str(qs.filter(Q(absence_days__gt=0) | Q(psychological_harm=True)).count()),
        ),
        (
            _("Heraf hvor afsenderen er en borger i egen sag"),
            str(qs.filter(perpetrator_relation="citizen_own_case").count()),
        ),
        (_("Heraf hvor familie eller børn er eksponeret"), str(qs.filter(family_exposed=True).count())),
    ]


def _groups() -> list[GroupRisks]:
    return [
        GroupRisks(
            code="employees",
            group=_("Medarbejdere"),
            who=_(
                "Den berørte medarbejder, der er hængt ud, og de ledere, tillidsrepræsentanter og administratorer, "
                "der bruger systemet."
            ),
            risks=[
                Risk(
                    _(
                        "Helbredsoplysninger (sygefravær, psykisk belastning) ses af flere end nødvendigt eller bruges "
                        "til andet end at beskytte medarbejderen, fx i en personalesag."
                    ),
                    [
                        _(
                            "Kun lederne over enheden ser sagen; kolleger, andre enheder og administratorer ser den "
                            "ikke (én adgangspolitik, 404 for alt andet)."
                        ),
                        _("Rapporten til arbejdsmiljøorganisationen og politiet indeholder ingen helbredsoplysninger."),
                        _("Hver læsning og ændring skrives i revisionsloggen."),
                    ],
                ),
                Risk(
                    _(
                        "Medarbejderen mister kontrollen over sin sag: den deles eller anmeldes uden, at medarbejderen "
                        "ved det."
                    ),
                    [
                        _("Deling med en tillidsrepræsentant sker kun af medarbejderen selv og kan trækkes tilbage."),
                        _(
                            "Samtykke til politianmeldelse og DSA-anmeldelse registreres; en klage til Datatilsynet "
                            "kræver fuldmagt."
                        ),
                        _("Medarbejderen får oplysninger efter art. 13 på en side, der linkes fra anmeldelsen."),
                    ],
                ),
                Risk(
                    _("Uvedkommende får adgang gennem en overtaget konto."),
                    [_("Tofaktorlogin, spærring efter mislykkede forsøg og korte sessioner (se foranstaltningerne).")],
                ),
            ],
        ),
        GroupRisks(
            code="perpetrators",
            group=_("Afsendere (gerningspersoner)"),
            who=_("Borgere, pårørende og andre, der har offentliggjort noget om en medarbejder."),
            risks=[
                Risk(
                    _(
                        "Personen registreres med påstande om strafbare forhold (databeskyttelseslovens § 8) uden en "
                        "dom, og registreringen kan følge personen i andre sager."
                    ),
                    [
                        _("Vurderingen peger kun på bestemmelser, der kan være relevante, aldrig på en afgørelse."),
                        _(
                            "Sagen slettes efter opbevaringsperioden; tidligere sager med samme afsender vises kun som "
                            "sagsnumre til lederne."
                        ),
                    ],
                ),
                Risk(
                    _(
                        "Lovlig kritik af en afgørelse (en klage over sagsbehandlingen) registreres som udhængning, i "
                        "strid med dataminimering."
                    ),
                    [
                        _(
                            "Er sagen kun en klage over sagsbehandlingen, siger vurderingen, at det ikke er udhængning "
                            "(ingen lovhenvisninger, kun støttesamtale og klagesystemet), og formularen tilbyder at "
                            "registrere sagen uden borgerens navn og profil."
                        ),
                        _("Lederen bekræfter eller ændrer niveauet med en begrundelse."),
                    ],
                ),
                Risk(
                    _(
                        "Personen ved ikke, at oplysningerne behandles (art. 14), eller får indsigt i dokumenter, der "
                        "kan skade en politisag eller medarbejderens sikkerhed."
                    ),
                    [
                        _(
                            "På hver sag med en afsender registrerer lederen, hvornår personen er oplyst, eller "
                            "hvilken undtagelse der bruges (databeskyttelseslovens § 22) og hvorfor; sagen kan ikke "
                            "afsluttes uden."
                        ),
                        _("Indsigtsanmodninger besvares af administratoren og logges."),
                    ],
                ),
                Risk(
                    _("Forkert identifikation: en anden person med samme eller lignende navn forbindes med sagen."),
                    [_("Afsenderens profillink registreres ved siden af navnet; sammenligning sker på navn og link.")],
                ),
            ],
        ),
        GroupRisks(
            code="third_parties",
            group=_("Tredjepersoner, herunder børn og familie"),
            who=_(
                "Personer, der nævnes eller vises i opslag og dokumentation: medarbejderens familie og børn, "
                "kolleger og andre borgere."
            ),
            risks=[
                Risk(
                    _(
                        "Oplysninger om børn, familie eller andre borgere (fx fortrolige oplysninger fra en sag) "
                        "spredes videre med rapporter og bevispakker."
                    ),
                    [
                        _("Rapporter til eksterne modtagere kan overstreges (redaktion) før afsendelse."),
                        _(
                            "Dokumentation ligger i et privat lager og hentes kun gennem en adgangskontrolleret og "
                            "logget visning."
                        ),
                        _(
                            "Når fortrolige oplysninger om andre er kommet ud, danner systemet en registrering af "
                            "bruddet til DPO (art. 33, stk. 5)."
                        ),
                    ],
                ),
                Risk(
                    _(
                        "Børn er særligt sårbare; en politianmeldelse kan kræve indehaverne af forældremyndighedens "
                        "underskrift."
                    ),
                    [
                        _(
                            "Politianmeldelsen har en begæring pr. forurettet med underskriftslinje til "
                            "forældremyndighedens indehavere."
                        )
                    ],
                ),
            ],
        ),
        GroupRisks(
            code="citizens",
            group=_("Borgere i sociale sager"),
            who=_("Borgere, der er afsender i egen sag, og borgere, der beder om at optage en samtale."),
            risks=[
                Risk(
                    _(
                        "At en person er afsender i egen sag afslører, at personen er klient i forvaltningen (enhedens "
                        "fagområde, fx børn og familie), dvs. oplysninger om væsentlige sociale forhold."
                    ),
                    [
                        _(
                            "Relationen «borger i egen sag» ses kun af lederne over enheden; tillidsrepræsentanter ser "
                            "kun anonymiserede tal med diskretionskontrol."
                        ),
                        _("Borgerens sociale sag registreres ikke i systemet; kun relationen."),
                    ],
                ),
                Risk(
                    _("Anmodninger om optagelse bliver et register over borgere."),
                    [
                        _("Borgerens navn og CPR-nummer registreres ikke; CPR-numre afvises i fritekst."),
                        _("Hver afgørelse giver et notat til borgerens egen sag (offentlighedslovens § 13)."),
                    ],
                ),
            ],
        ),
    ]


def build_dpia(organisation: Organisation | None = None) -> Dpia:
    """The draft in Danish, for one organisation (its settings and counts) or in general."""
    with translation.override("da"):
        record = processing.build_record(organisation)
        return Dpia(
            organisation=organisation,
            controller=record.controller,
            dpo=processing.dpo_contact(organisation),
            generated_at=timezone.localtime().strftime("%d.%m.%Y %H:%M"),
            record=record,
            criteria=[
                _("Særlige kategorier: helbredsoplysninger om medarbejderen (art. 9; databeskyttelseslovens § 12)."),
                _("Oplysninger om mulige strafbare forhold begået af afsenderen (databeskyttelseslovens § 8)."),
                _("Sårbare registrerede: medarbejdere i et ansættelsesforhold, borgere i sociale sager og børn."),
                _(
                    "En systematisk vurdering af hver sag (alvorlighed, mulige lovbrud) som grundlag for "
                    "beslutninger om anmeldelse."
                ),
                _("Oplysninger om personer, der ikke selv har givet dem (afsendere og tredjepersoner, art. 14)."),
            ],
            necessity=[
                _(
                    "Formålet er fastlagt og begrænset: at beskytte medarbejdere mod udhængning (arbejdsmiljøloven, "
                    "bekendtgørelse nr. 1406/2020 om psykisk arbejdsmiljø) og at handle på det."
                ),
                _(
                    "Dataminimering: alt i medarbejderens anmeldelse er frivilligt bortset fra én ting at se på; "
                    "rapporterne indeholder kun det, modtageren skal bruge (DOMAIN afsnit 6)."
                ),
                _("Tillidsrepræsentanter og MED-udvalg får anonymiseret statistik i stedet for sager."),
                _("Opbevaring: %(retention)s")
                % {"retention": activities.incident_retention(processing.retention_facts(organisation))},
                _(
                    "De registreredes rettigheder: oplysning til medarbejdere (art. 13) og til afsendere (art. 14) "
                    "med registrerede undtagelser; indsigt og sletning håndteres af administratoren (art. 15 og 17)."
                ),
                _("Alternativer uden it (mapper, e-mail) giver ringere adgangskontrol og ingen revisionslog."),
            ],
            groups=_groups(),
            measures=[*settings_measures(organisation), *processing.security_measures()],
            counts=_counts(organisation),
            for_dpo=[
                _("Sandsynlighed og konsekvens for hver risiko (lav / middel / høj)"),
                _("Databeskyttelsesrådgiverens råd (art. 35, stk. 2)"),
                _("Synspunkter fra de registrerede eller deres repræsentanter, fx MED-udvalget (art. 35, stk. 9)"),
                _("Restrisiko, og om Datatilsynet skal høres forud (art. 36)"),
                _("Yderligere foranstaltninger, ansvarlig og frist"),
                _("Godkendt af den dataansvarlige: navn, dato og underskrift"),
                _("Næste gennemgang (fx efter ændringer i systemet eller senest om et år)"),
            ],
        )


# --- The PDF, made by the worker -----------------------------------------------------------------


def dpia_request(*, actor, organisation: Organisation, request=None) -> DpiaDraft:
    """A new version of the organisation's draft as PDF; the worker renders it after the commit."""
    from .tasks import render_dpia

    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        last = DpiaDraft.objects.filter(organisation=organisation).aggregate(v=Max("version"))["v"] or 0
        draft = DpiaDraft.objects.create(organisation=organisation, version=last + 1, requested_by=actor)
        audit_record(
            request=request,
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=draft,
            summary=_("Udkast til konsekvensanalyse (DPIA) bestilt"),
            details={"version": draft.version},
        )
        transaction.on_commit(lambda: _enqueue(render_dpia, draft.pk))
    return draft


def _enqueue(task, draft_id: int) -> None:
    try:
        task.delay(draft_id)
    except Exception:  # noqa: BLE001 - a broker that is down must not lose the row
        logger.exception("DPIA draft %s could not be queued", draft_id)
        dpia_fail(draft_id, _("Opgaven kunne ikke sættes i kø. Prøv igen om lidt."))


def _claim(draft_id: int) -> DpiaDraft | None:
    with transaction.atomic():
        row = DpiaDraft.objects.select_for_update().filter(pk=draft_id).first()
        if row is None or row.status not in UNFINISHED:
            return None
        if row.status == Status.RENDERING and row.started_at and row.started_at > timezone.now() - render_deadline():
            return None
        row.status = Status.RENDERING
        row.started_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["status", "started_at", "attempts"])
    return DpiaDraft.objects.select_related("organisation").get(pk=draft_id)


def dpia_html(organisation: Organisation, *, draft: DpiaDraft | None = None) -> str:
    from reports import pdf

    return pdf.render_html(TEMPLATE, {"dpia": build_dpia(organisation), "draft": draft})


def dpia_render(draft_id: int) -> DpiaDraft | None:
    """Render the draft's PDF (PDF/A, like the reports) and mark it ready, or failed with a reason."""
    from incidents.evidence import delete_quietly
    from reports import pdf

    draft = _claim(draft_id)
    if draft is None:
        return DpiaDraft.objects.filter(pk=draft_id).first()
    try:
        rendered = pdf.html_to_pdf(dpia_html(draft.organisation, draft=draft))
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("DPIA draft %s could not be rendered", draft_id)
        return dpia_fail(
            draft_id,
            _(
                "Udkastet kunne ikke dannes på grund af en fejl i systemet (DPIA %(id)s). "
                "Prøv igen, eller kontakt driften."
            )
            % {"id": draft_id},
        )
    digest = hashlib.sha256(rendered.content).hexdigest()
    name = DpiaDraft._meta.get_field("file").generate_filename(draft, "dpia.pdf")
    stored = default_storage.save(name, ContentFile(rendered.content))
    try:
        with transaction.atomic():
            row = DpiaDraft.objects.select_for_update().get(pk=draft_id)
            row.status, row.error, row.file.name = Status.READY, "", stored
            row.sha256, row.size, row.page_count = digest, len(rendered.content), rendered.pages
            row.finished_at = timezone.now()
            row.save(update_fields=["status", "error", "file", "sha256", "size", "page_count", "finished_at"])
            audit_record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                obj=row,
                summary=_("Udkast til konsekvensanalyse (DPIA) dannet"),
                details={"version": row.version, "sha256": digest, "pages": row.page_count},
                organisation_id=row.organisation_id,
            )
    except DpiaDraft.DoesNotExist:
        delete_quietly(stored)
        return None
    except Exception:
        delete_quietly(stored)
        raise
    return row


def dpia_fail(draft_id: int, reason: str) -> DpiaDraft | None:
    with transaction.atomic():
        row = DpiaDraft.objects.select_for_update().filter(pk=draft_id).first()
        if row is None or row.status == Status.READY:
            return row
        row.status, row.error, row.finished_at = Status.FAILED, reason, timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
    return row


def dpia_retry(*, actor, draft: DpiaDraft, request=None) -> DpiaDraft:
    from .tasks import render_dpia

    with transaction.atomic():
        DpiaDraft.objects.filter(pk=draft.pk, status=Status.FAILED).update(
            status=Status.PENDING, error="", finished_at=None
        )
        audit_record(
            request=request,
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=draft,
            summary=_("Udkast til konsekvensanalyse (DPIA) sendt til dannelse igen"),
        )
        transaction.on_commit(lambda: _enqueue(render_dpia, draft.pk))
    draft.refresh_from_db()
    return draft
