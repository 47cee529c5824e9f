"""Checks before a report is generated: whether a kind applies, what is missing, what blocks it.

    unavailable_reasons(kind, incident)    why the incident's facts do not call for this kind
                                           (DOMAIN.md 6), empty when they do
    missing_information(kind, incident, targets=, publications=, evidence=)
                                           what the report will show as "ikke oplyst" (the
                                           manager may generate anyway)
    blocking_problems(kind, options, publications, incident)
                                           why this kind cannot be made with these choices

The form, the API and the worker all ask these, so they agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from incidents.assessment import Assessment
from incidents.models import Evidence, Incident

from . import legal
from .models import Report

if TYPE_CHECKING:
    from .content import Options

Kind = Report.Kind

# Datatilsynet takes screenshots, PDFs and transcripts, not audio, video or links.
DATATILSYNET_ATTACHABLE = frozenset({Evidence.Kind.IMAGE, Evidence.Kind.PDF, Evidence.Kind.TEXT})


def unavailable_reasons(kind: str, incident: Incident) -> list[str]:
    """Why the incident's facts do not call for this kind at all (DOMAIN.md 6), empty when they do."""
    references = legal.provisions(incident)
    actions = Assessment.from_dict(incident.assessment).action_codes
    if kind == Kind.DATATILSYNET:
        gdpr = next((p for p in references if p.code == "gdpr"), None)
        if gdpr is None or legal.EMPLOYEE not in gdpr.victims:
            return [
                _(
                    "En klage til Datatilsynet er kun for medarbejderens egne personoplysninger, og vurderingen "
                    "har ikke peget på databeskyttelsesreglerne for medarbejderen. Er andres oplysninger "
                    "videregivet, så brug registreringen af brud på persondatasikkerheden."
                )
            ]
    if kind == Kind.DSA_NOTICE:
        if "platform_takedown" not in actions:
            return [
                _(
                    "En DSA-anmeldelse er kun for ulovligt indhold, der ligger offentligt hos en platform, og "
                    "vurderingen anbefaler den ikke her. Brug platformens egen anmeldefunktion."
                )
            ]
        if not incident.consent_dsa_notice:
            return [
                _(
                    "Medarbejderens samtykke til, at arbejdsgiveren anmelder indholdet på medarbejderens vegne, "
                    "er ikke registreret. Registrér det under «Oplysninger til rapporter»."
                )
            ]
    if kind == Kind.BREACH_RECORD and not legal.has_code(references, "gdpr_breach"):
        return [
            _(
                "Registreringen af et brud på persondatasikkerheden laves, når fortrolige oplysninger om andre "
                "end borgeren selv er kommet ud (vurderingen har ikke peget på det her)."
            )
        ]
    return []


def missing_information(
    kind: str, incident: Incident, *, targets: list, publications: list, evidence: list
) -> list[str]:
    """What the report will show as "ikke oplyst": the manager may generate anyway."""
    organisation = incident.unit.organisation
    missing: list[str] = []
    if kind in (Kind.POLICE, Kind.DATATILSYNET):
        if not organisation.address.strip():
            missing.append(
                _(
                    "Organisationens adresse mangler; den står som «ikke oplyst». "
                    "En administrator kan udfylde den under organisationens indstillinger."
                )
            )
        if not organisation.cvr:
            missing.append(_("Organisationens CVR-nummer mangler; det står som «ikke oplyst»."))
    if kind == Kind.POLICE:
        if not organisation.police_district:
            missing.append(_("Politikredsen mangler i organisationens indstillinger; anmeldelsen står til «Politiet»."))
        if not incident.consent_police_report:
            missing.append(
                _(
                    "Medarbejderens samtykke til anmeldelsen er ikke registreret; anmeldelsen har en "
                    "linje, medarbejderen kan skrive under på."
                )
            )
    if kind in (Kind.BREACH_RECORD, Kind.DATATILSYNET) and not organisation.dpo_name:
        missing.append(_("Databeskyttelsesrådgiveren (DPO) mangler i organisationens indstillinger."))
    if kind == Kind.DATATILSYNET and incident.publisher_contacted_at is None:
        missing.append(
            _(
                "Det er ikke registreret, om udgiveren er bedt om at fjerne oplysningerne. Registrér det "
                "under «Oplysninger til rapporter»; en anmeldelse til platformen tæller ikke som det."
            )
        )
    if (
        kind not in (Kind.INTERNAL_HR, Kind.INTERNAL_AMO, Kind.BREACH_RECORD)
        and not targets
        and not incident.target_names.strip()
    ):
        missing.append(_("Der er ingen berørt medarbejder på sagen; navnet står som «ikke oplyst»."))
    if not publications:
        missing.append(_("Der er ikke registreret nogen offentliggørelser på sagen."))
    active = [e for e in evidence if not e.is_removed]
    if kind in (Kind.POLICE, Kind.DATATILSYNET) and not active:
        missing.append(_("Der er ingen dokumentation (skærmbilleder, filer) på sagen."))
    elif kind == Kind.DATATILSYNET and not any(e.kind in DATATILSYNET_ATTACHABLE for e in active):
        missing.append(
            _(
                "Der er ingen skærmbilleder, PDF- eller tekstfiler at vedlægge. Datatilsynet modtager "
                "ikke lyd, video eller links, så læg et skærmbillede eller en udskrift på sagen."
            )
        )
    return missing


def blocking_problems(kind: str, options: Options, publications: list, incident: Incident | None = None) -> list[str]:
    """Why this kind cannot be made with these choices (empty when it can)."""
    problems: list[str] = list(unavailable_reasons(kind, incident)) if incident is not None else []
    if kind == Kind.DSA_NOTICE:
        chosen = [p for p in chosen_publications(publications, options) if p.url and p.platform == options.platform]
        if not chosen:
            problems.append(
                _(
                    "En DSA-anmeldelse skal pege på det præcise indhold: vælg mindst én "
                    "offentliggørelse på platformen, der har et link."
                )
            )
        for publication in chosen:
            if not options.explanations.get(str(publication.pk)):
                problems.append(
                    _("Skriv for %(url)s, hvilke ord eller billeder der overtræder hvilken bestemmelse, og hvorfor.")
                    % {"url": publication.url}
                )
        if not options.sender_name:
            problems.append(_("En DSA-anmeldelse skal have afsenderens navn."))
        if not options.sender_email:
            problems.append(_("En DSA-anmeldelse skal have afsenderens e-mailadresse."))
    return problems


def chosen_publications(publications: list, options: Options) -> list:
    """The publications the manager picked (all of them when no choice was made)."""
    if options.publication_ids is None:
        return list(publications)
    return [p for p in publications if p.pk in options.publication_ids]
