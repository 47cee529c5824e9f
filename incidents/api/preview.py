"""The assessment preview's request (DOMAIN.md section 9): its schema and the strict reader
`preview_facts` that turns the JSON into `incidents.assessment.Facts` (PreviewError for an
unknown code, a wrong type or an impossible date). Split from incidents.api.serializers,
which re-exports these names."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from incidents.assessment import (
    ALL_FEATURES,
    PERPETRATOR_RELATIONS,
    PLATFORMS,
    REACHES,
    RELATED_PHENOMENA,
    Facts,
    InvalidFacts,
)
from incidents.models import (
    RELATION_CHOICES,
)

# Dates outside these years are refused as "bad dates": they are typing errors, and the
# deadline arithmetic must stay inside what Python's datetime can represent.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
# A client clock a little ahead of ours is not "the future".
FUTURE_LEEWAY = timedelta(minutes=5)
MAX_PUBLICATIONS = 100


# --- Assessment preview (DOMAIN.md section 9) ------------------------------------------------------


class AssessmentFactsSerializer(serializers.Serializer):
    """The request of POST /api/v1/assessment/preview/ — for the schema only; see `preview_facts`.

    Types are strict: lists are JSON arrays of strings, counts are JSON integers (not
    strings, not 1.0), flags are JSON true/false. A key left out or given as null takes its
    default; keys not listed here are ignored. Dates without a UTC offset are read as
    Danish time (Europe/Copenhagen), and the deadlines then come back with +01:00/+02:00.
    """

    features = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_FEATURES),
        help_text="Påkrævet (gerne tom): kendetegn fra DOMAIN.md 3.1 og 3.2.",
    )
    perpetrator_relation = serializers.ChoiceField(
        choices=RELATION_CHOICES, required=False, help_text="Standard: unknown."
    )
    related_phenomena = serializers.ListField(child=serializers.ChoiceField(choices=RELATED_PHENOMENA), required=False)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=PLATFORMS),
        required=False,
        help_text="Platformene for offentliggørelserne (som mængde). Uden platforme regnes indholdet for spredt.",
    )
    reaches = serializers.ListField(
        child=serializers.ChoiceField(choices=REACHES),
        required=False,
        help_text="Rækkevidderne for offentliggørelserne (som mængde). Uden rækkevidde regnes indholdet for spredt.",
    )
    first_published_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Den første offentliggørelse (forbrydelsens tidspunkt); uden den regnes 72 timer fra discovered_at.",
    )
    last_published_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Den seneste offentliggørelse; ikke før "
        "first_published_at. Over 5 døgn efter den første = langvarigt.",
    )
    publication_count = serializers.IntegerField(min_value=0, required=False, help_text="3 eller flere = repeated.")
    absence_days = serializers.IntegerField(min_value=0, required=False)
    absence_start = serializers.DateField(required=False, allow_null=True)
    psychological_harm = serializers.BooleanField(required=False)
    discovered_at = serializers.DateTimeField(required=False, help_text="Standard: nu.")
    registered_at = serializers.DateTimeField(required=False, help_text="Standard: nu.")
    self_report = serializers.BooleanField(required=False, help_text="Standard: false. true tilføjer assessment_due.")


class PreviewErrorSerializer(serializers.Serializer):
    """The 400 body of the preview: which field, which value, and why (in Danish)."""

    field = serializers.CharField(
        allow_null=True,
        help_text="Nøglen i forespørgslen; null når hele "
        "forespørgslen er forkert (ikke et JSON-objekt eller ikke gyldig JSON).",
    )
    value = serializers.JSONField(allow_null=True, help_text="Den forkerte værdi; i en liste det forkerte element.")
    code = serializers.ChoiceField(
        choices=["required", "wrong_type", "unknown_code", "bad_date", "bad_value", "parse_error"]
    )
    detail = serializers.CharField(help_text="Forklaring på dansk.")


class PreviewError(Exception):
    """A request the preview refuses (400): an unknown code, a wrong type or a bad date."""

    def __init__(self, field: str | None, value: object, code: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.value, self.code, self.detail = field, value, code, detail

    def as_dict(self) -> dict:
        return {"field": self.field, "value": jsonable(self.value), "code": self.code, "detail": jsonable(self.detail)}


_CODE_FIELDS = {
    "features": ALL_FEATURES,
    "related_phenomena": RELATED_PHENOMENA,
    "platforms": PLATFORMS,
    "reaches": REACHES,
    "perpetrator_relation": PERPETRATOR_RELATIONS,
}
_COUNT_FIELDS = ("publication_count", "absence_days")
_FLAG_FIELDS = ("psychological_harm", "self_report")
_MOMENT_FIELDS = ("discovered_at", "registered_at")
_PUBLISHED_FIELDS = ("first_published_at", "last_published_at")
_LAST_BEFORE_FIRST = gettext_lazy(
    "«last_published_at» ligger før «first_published_at». Den seneste offentliggørelse kan ikke være før den første."
)
_MAX_DATE_TEXT = 64


def jsonable(value: object) -> object:
    """A value echoed from the request, made safe to render as JSON.

    NaN and infinities become text, and lone surrogates (valid in JSON escapes, not in
    UTF-8) become "?"; either would otherwise make the renderer fail with a 500.
    """
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {jsonable(str(key)): jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, int | float | bool):
        return value
    return jsonable(str(value))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _code_list(field: str, value: object) -> frozenset[str]:
    if not isinstance(value, list):
        raise PreviewError(
            field,
            value,
            "wrong_type",
            _('«%(field)s» skal være en liste af koder, fx ["%(code)s"].')
            % {"field": field, "code": _CODE_FIELDS[field][0]},
        )
    for item in value:
        if not isinstance(item, str):
            raise PreviewError(
                field, item, "wrong_type", _("«%(field)s» må kun indeholde koder skrevet som tekst.") % {"field": field}
            )
    return frozenset(value)


def _integer(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PreviewError(
            field, value, "wrong_type", _("«%(field)s» skal være et helt tal (0 eller mere).") % {"field": field}
        )
    return value


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise PreviewError(field, value, "wrong_type", _("«%(field)s» skal være true eller false.") % {"field": field})
    return value


def _in_range(field: str, raw: object, year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PreviewError(
            field,
            raw,
            "bad_date",
            _("«%(field)s» skal ligge mellem år %(first)s og %(last)s.")
            % {"field": field, "first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


def _date(field: str, value: object) -> date:
    message = _("«%(field)s» skal være en dato på formen ÅÅÅÅ-MM-DD, fx 2026-11-20, eller null.") % {"field": field}
    if not isinstance(value, str):
        raise PreviewError(field, value, "wrong_type", message)
    try:
        parsed = parse_date(value) if len(value) <= _MAX_DATE_TEXT else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise PreviewError(field, value, "bad_date", message)
    _in_range(field, value, parsed.year)
    return parsed


def _moment(field: str, value: object) -> datetime:
    message = _("«%(field)s» skal være et tidspunkt i ISO 8601, fx 2026-11-20T10:00:00+01:00.") % {"field": field}
    if not isinstance(value, str):
        raise PreviewError(field, value, "wrong_type", message)
    try:
        parsed = parse_datetime(value) if len(value) <= _MAX_DATE_TEXT else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise PreviewError(field, value, "bad_date", message)
    _in_range(field, value, parsed.year)
    if timezone.is_naive(parsed):
        # Decision: a time without offset is Danish local time, as in the app's forms.
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    try:
        parsed.astimezone(timezone.get_default_timezone())
    except (ValueError, OverflowError):
        raise PreviewError(field, value, "bad_date", message) from None
    return parsed


def preview_facts(data: object, *, now: datetime | None = None) -> Facts:
    """Translate the preview request (parsed JSON) into Facts, or raise PreviewError."""
    if not isinstance(data, dict):
        raise PreviewError(
            None, data, "wrong_type", _("Forespørgslen skal være et JSON-objekt med mindst nøglen «features».")
        )
    if data.get("features") is None:
        raise PreviewError(
            "features",
            None,
            "required",
            _("«features» skal angives: en liste af kendetegn (koder). Listen må gerne være tom."),
        )
    now = timezone.localtime(now or timezone.now())
    kwargs: dict = {}
    for field in ("features", "related_phenomena", "platforms", "reaches"):
        if data.get(field) is not None:
            kwargs[field] = _code_list(field, data[field])
    relation = data.get("perpetrator_relation")
    if relation is not None:
        if not isinstance(relation, str):
            raise PreviewError(
                "perpetrator_relation",
                relation,
                "wrong_type",
                _('«perpetrator_relation» skal være en kode skrevet som tekst, fx "unknown".'),
            )
        kwargs["perpetrator_relation"] = relation
    for field in _COUNT_FIELDS:
        if data.get(field) is not None:
            kwargs[field] = _integer(field, data[field])
    for field in _FLAG_FIELDS:
        if data.get(field) is not None:
            kwargs[field] = _flag(field, data[field])
    if data.get("absence_start") is not None:
        kwargs["absence_start"] = _date("absence_start", data["absence_start"])
    for field in _MOMENT_FIELDS:
        kwargs[field] = _moment(field, data[field]) if data.get(field) is not None else now
    for field in _PUBLISHED_FIELDS:
        if data.get(field) is not None:
            kwargs[field] = _moment(field, data[field])
    if (
        "first_published_at" in kwargs
        and "last_published_at" in kwargs
        and (kwargs["last_published_at"] < kwargs["first_published_at"])
    ):
        raise PreviewError("last_published_at", data["last_published_at"], "bad_value", _LAST_BEFORE_FIRST)
    try:
        return Facts(**kwargs)
    except InvalidFacts as exc:
        raise _from_engine(exc) from None


def _from_engine(exc: InvalidFacts) -> PreviewError:
    """The engine's refusal (codes and ranges; the types are checked above) in Danish."""
    if exc.field in _CODE_FIELDS and isinstance(exc.value, str):
        return PreviewError(
            exc.field,
            exc.value,
            "unknown_code",
            _("«%(value)s» er ikke en kendt kode i «%(field)s». Kendte koder: %(codes)s.")
            % {"value": exc.value, "field": exc.field, "codes": ", ".join(_CODE_FIELDS[exc.field])},
        )
    if exc.field in _COUNT_FIELDS:
        return PreviewError(
            exc.field, exc.value, "bad_value", _("«%(field)s» skal være 0 eller mere.") % {"field": exc.field}
        )
    if exc.field == "last_published_at":
        return PreviewError(exc.field, str(exc.value), "bad_value", _LAST_BEFORE_FIRST)
    return PreviewError(
        exc.field, exc.value, "bad_value", _("Værdien i «%(field)s» kan ikke bruges.") % {"field": exc.field}
    )
