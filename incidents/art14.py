"""Information to the perpetrator (GDPR art. 14): recorded per incident, needed to close it.

The employer collects data about the person who published something (the perpetrator)
from others than that person, so art. 14 applies: the person is to be told, unless an
exception applies. On each incident with a perpetrator (a name or a profile link) the
manager records either the date the person was informed, or the exception relied on with
a reason (DOMAIN.md section 10; LEGAL-REVIEW.md E 29). `incidents.services.incident_change_status`
refuses to close such an incident until one of the two is recorded.

The exceptions offered (checked 2 December 2026 against lov nr. 502 af 23. maj 2018,
databeskyttelsesloven, and forordning (EU) 2016/679):
- databeskyttelsesloven § 22, stk. 1: decisive private interests, the data subject's own included;
- § 22, stk. 2, nr. 4: prevention, investigation, detection or prosecution of criminal offences;
- § 22, stk. 2, nr. 6: protection of judicial proceedings;
- the regulation's art. 14, stk. 5, litra a (the person already has the information) and
  litra b (impossible or disproportionate effort, e.g. no known identity or address).

`art14_record` is the one way to change the record (page and API); it is audited and leaves
an internal timeline entry.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EXCEPTION_CHOICES = [
    (
        "dbl_22_1",
        gettext_lazy(
            "Databeskyttelsesloven § 22, stk. 1: afgørende hensyn til private interesser (fx medarbejderens sikkerhed)"
        ),
    ),
    (
        "dbl_22_2_4",
        gettext_lazy(
            "Databeskyttelsesloven § 22, stk. 2, nr. 4: forebyggelse, efterforskning eller "
            "retsforfølgning af strafbare handlinger (fx en politisag, der ikke må forstyrres)"
        ),
    ),
    ("dbl_22_2_6", gettext_lazy("Databeskyttelsesloven § 22, stk. 2, nr. 6: beskyttelse af retssager")),
    (
        "gdpr_14_5_a",
        gettext_lazy("Databeskyttelsesforordningens art. 14, stk. 5, litra a: personen har allerede oplysningerne"),
    ),
    (
        "gdpr_14_5_b",
        gettext_lazy(
            "Databeskyttelsesforordningens art. 14, stk. 5, litra b: umuligt eller "
            "uforholdsmæssigt vanskeligt (fx ukendt identitet eller adresse)"
        ),
    ),
]
EXCEPTION_CODES = frozenset(code for code, _label in EXCEPTION_CHOICES)

FIELDS = ("art14_informed_on", "art14_exception", "art14_reason")
MIN_REASON = 10


def has_perpetrator(incident) -> bool:
    """A perpetrator is identifiable on the incident: a name or a profile link."""
    return bool((incident.perpetrator_name or "").strip() or (incident.perpetrator_profile_url or "").strip())


def is_recorded(incident) -> bool:
    return bool(incident.art14_informed_on or (incident.art14_exception and incident.art14_reason.strip()))


def blocks_closing(incident) -> bool:
    return has_perpetrator(incident) and not is_recorded(incident)


def close_refusal() -> str:
    return _(
        "Sagen kan ikke afsluttes endnu: den har en afsender (navn eller profil), og det er ikke registreret, "
        "om personen er oplyst om behandlingen (databeskyttelsesforordningens art. 14). Registrér under "
        "«Oplysning til afsenderen», hvornår personen blev oplyst, eller hvilken undtagelse der bruges og "
        "hvorfor."
    )


def validate(*, informed_on: date | None, exception: str, reason: str, today: date | None = None) -> dict[str, str]:
    """Field → Danish message for what is wrong ({} when the record may be saved)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if informed_on and exception:
        errors["art14_exception"] = _(
            "Vælg enten en dato for, hvornår personen blev oplyst, eller en undtagelse – ikke begge."
        )
    elif not informed_on and not exception:
        errors["art14_informed_on"] = _(
            "Skriv hvornår personen blev oplyst, eller vælg en undtagelse med en begrundelse."
        )
    if informed_on and informed_on > today:
        errors["art14_informed_on"] = _("Datoen kan ikke ligge i fremtiden.")
    if exception and exception not in EXCEPTION_CODES:
        errors["art14_exception"] = _("Vælg en undtagelse fra listen.")
    elif exception and len(reason) < MIN_REASON:
        errors["art14_reason"] = _("Skriv den konkrete begrundelse for undtagelsen (mindst %(n)s tegn).") % {
            "n": MIN_REASON
        }
    return errors


def describe(incident) -> str:
    """One line for pages and reports: what is recorded, or that nothing is."""
    if incident.art14_informed_on:
        return _("Oplyst den %(date)s") % {"date": incident.art14_informed_on.strftime("%d.%m.%Y")}
    if incident.art14_exception:
        return _("Undtagelse: %(exception)s. Begrundelse: %(reason)s") % {
            "exception": incident.get_art14_exception_display(),
            "reason": incident.art14_reason.strip(),
        }
    return _("Ikke registreret")


@transaction.atomic
def art14_record(
    *, actor, incident, informed_on: date | None, exception: str = "", reason: str = "", request=None
) -> bool:
    """Record the information given, or the exception; returns whether anything changed.

    The caller has validated with `validate` (the form and the serializer do); a date clears
    the exception and an exception clears the date, so the record says one thing."""
    from audit.models import AuditEvent
    from audit.services import audit_record

    from .models import Incident, TimelineEntry

    values = {
        "art14_informed_on": informed_on or None,
        "art14_exception": "" if informed_on else exception,
        "art14_reason": (reason or "").strip(),
    }
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return False
    for name, value in values.items():
        setattr(incident, name, value)
    incident.art14_recorded_by = actor
    incident.art14_recorded_at = timezone.now()
    incident.version = current.version
    incident.save(update_fields=[*values, "art14_recorded_by", "art14_recorded_at", "updated_at"])
    TimelineEntry.objects.create(
        incident=incident,
        kind=TimelineEntry.Kind.EDITED,
        actor=actor,
        text=_("Oplysning til afsenderen (art. 14): %(what)s") % {"what": describe(incident)},
        visible_to_employee=False,
        occurred_on=timezone.localdate(),
    )
    audit_record(
        request=request,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=incident,
        summary=_("Oplysning til afsenderen (art. 14) registreret"),
        details={
            "fields": changed,
            "informed_on": informed_on.isoformat() if informed_on else None,
            "exception": values["art14_exception"],
        },
    )
    return True
