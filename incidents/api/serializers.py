"""Serializers of the REST API: JSON in and out, validated with Danish messages.

Two families live here:

- Incident serializers (`IncidentSummarySerializer`, `IncidentDetailSerializer` for reading,
  `IncidentWriteSerializer` for create/update, `EvidenceUploadSerializer`). Validation
  errors use DRF's usual shape: ``{"field": ["message", ...]}``.
- The assessment preview (DOMAIN.md section 9): `preview_facts` translates the request
  JSON into `incidents.assessment.Facts` and raises `PreviewError` for an unknown code, a
  wrong type or a bad date. The view answers those with one flat body
  ``{"field", "value", "code", "detail"}`` (see `PreviewErrorSerializer`). The serializers
  `AssessmentFactsSerializer` and `AssessmentSerializer` only document the contract in the
  OpenAPI schema; the rules themselves stay in `incidents.assessment`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.models import Unit, User
from common.forms import http_url_validator
from incidents.assessment import (
    ALL_FEATURES,
    DEADLINE_CODES,
    LEVEL_CODES,
    LEVEL_LABELS,
    PROSECUTIONS,
    RELATED_PHENOMENA,
    SCOPES,
    VICTIMS,
)
from incidents.assessment.texts import ACTION_TITLES
from incidents.models import (
    FEATURE_FIELDS,
    PHENOMENON_FIELDS,
    PLATFORM_CHOICES,
    REACH_CHOICES,
    RELATION_CHOICES,
    Evidence,
    Incident,
    Note,
    Publication,
    TimelineEntry,
)

# Dates outside these years are refused as "bad dates": they are typing errors, and the
# deadline arithmetic must stay inside what Python's datetime can represent.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
# A client clock a little ahead of ours is not "the future".
FUTURE_LEEWAY = timedelta(minutes=5)
MAX_PUBLICATIONS = 100


# --- Reusable fields and validators -------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class HttpUrlField(serializers.CharField):
    """A link that must start with http:// or https:// (no javascript:, data:, ftp: …)."""

    default_error_messages = {
        "invalid": gettext_lazy("Skriv et fuldt link, der begynder med http:// eller https://."),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(http_url_validator(self.error_messages["invalid"]))


def _code_choice(choices, message, **kwargs) -> serializers.ChoiceField:
    """A choice of codes whose error names the unknown code (`message` has an {input} placeholder)."""
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


def past_datetime(value: datetime) -> None:
    if value > timezone.now() + FUTURE_LEEWAY:
        raise serializers.ValidationError(_("Tidspunktet ligger i fremtiden. Angiv hvornår det skete."))
    if value.year < EARLIEST_YEAR:
        raise serializers.ValidationError(
            _("Tidspunktet ligger for langt tilbage (før år %(year)s).") % {"year": EARLIEST_YEAR}
        )


def past_date(value: date) -> None:
    if value > timezone.localdate():
        raise serializers.ValidationError(_("Datoen ligger i fremtiden. Angiv en dato, der er passeret."))
    if value.year < EARLIEST_YEAR:
        raise serializers.ValidationError(
            _("Datoen ligger for langt tilbage (før år %(year)s).") % {"year": EARLIEST_YEAR}
        )


# --- Reading ---------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True, help_text="Fulde navn eller brugernavn.")


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PublicationSerializer(serializers.ModelSerializer):
    platform_label = serializers.CharField(source="get_platform_display", read_only=True)
    reach_label = serializers.CharField(source="get_reach_display", read_only=True)

    class Meta:
        model = Publication
        fields = (
            "id",
            "platform",
            "platform_label",
            "url",
            "title",
            "published_at",
            "captured_at",
            "reach",
            "reach_label",
            "audience_size",
            "still_online",
            "quote",
            "created_at",
        )
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    """Metadata of one evidence file. A removed file keeps its row (tombstone) without download."""

    uploaded_by = PersonSerializer(read_only=True, allow_null=True)
    removed_by = PersonSerializer(read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = (
            "id",
            "original_name",
            "content_type",
            "kind",
            "kind_label",
            "size",
            "sha256",
            "description",
            "captured_at",
            "publication",
            "uploaded_by",
            "uploaded_at",
            "removed_at",
            "removed_by",
            "removal_reason",
            "download_url",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, evidence: Evidence) -> str | None:
        if evidence.is_removed:
            return None
        path = reverse("api:incident-evidence-download", args=[evidence.incident.reference, evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    action_title = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = (
            "id",
            "kind",
            "kind_label",
            "action_code",
            "action_title",
            "occurred_on",
            "created_at",
            "actor",
            "text",
            "external_reference",
            "from_status",
            "to_status",
            "visible_to_employee",
        )
        read_only_fields = fields

    def get_action_title(self, entry: TimelineEntry) -> str:
        return ACTION_TITLES.get(entry.action_code, "")


class NoteSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    visibility_label = serializers.CharField(source="get_visibility_display", read_only=True)

    class Meta:
        model = Note
        fields = ("id", "author", "body", "visibility", "visibility_label", "created_at")
        read_only_fields = fields


# Documentation of the assessment JSON (DOMAIN.md section 9, `Assessment.to_dict()`).


class SeveritySerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=4)
    code = serializers.CharField(help_text="low, moderate, serious eller critical.")
    label = serializers.CharField(help_text="Lav, Moderat, Alvorlig eller Kritisk.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Koderne på de forhold, der gav niveauet.")


class AssessmentItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField(help_text="Hvilke forhold der udløste punktet.")
    source = serializers.CharField(help_text="Lovbestemmelse (lov og paragraf) eller afsnit i DS' vejledning.")
    anchor = serializers.CharField(help_text="Afsnit i vidensbasen, punktet henviser til (tom, hvis ingen).")


class LegalReferenceSerializer(AssessmentItemSerializer):
    summary = serializers.CharField(help_text="Neutral tekst, som eksterne modtagere må læse.")
    guidance = serializers.CharField(help_text="Intern vejledning til lederen; trykkes aldrig i eksterne dokumenter.")
    prosecution = serializers.ChoiceField(
        choices=PROSECUTIONS, allow_null=True, help_text="public, request eller private; null for gdpr og gdpr_breach."
    )
    victim = serializers.ListField(
        child=serializers.ChoiceField(choices=VICTIMS),
        help_text="Hvem der er forurettet og skal underskrive en begæring.",
    )


class DeadlineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="En af: " + ", ".join(DEADLINE_CODES) + ".")
    title = serializers.CharField()
    due = serializers.DateTimeField(help_text="ISO 8601 med sekunder og UTC-forskydning.")
    reason = serializers.CharField()
    source = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    """The response of POST /api/v1/assessment/preview/ (DOMAIN.md section 9); exactly these six keys."""

    rules_version = serializers.CharField()
    scope = serializers.ChoiceField(
        choices=SCOPES, help_text="udhaengning, eller case_complaint for ren kritik af en afgørelse (DOMAIN.md 4.0)."
    )
    severity = SeveritySerializer()
    legal_references = LegalReferenceSerializer(many=True)
    actions = AssessmentItemSerializer(many=True)
    deadlines = DeadlineSerializer(many=True)


class AssessmentOverrideSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=4)
    code = serializers.CharField()
    label = serializers.CharField()
    computed_level = serializers.IntegerField(min_value=1, max_value=4)
    justification = serializers.CharField(help_text="Lederens begrundelse. Tom for medarbejderen selv.")


class StoredAssessmentSerializer(AssessmentSerializer):
    """The assessment stored on an incident: the section 9 keys plus the manager's confirmation."""

    confirmed_level = serializers.IntegerField(
        allow_null=True, help_text="Niveauet en leder har bekræftet eller sat; null indtil vurderingen er bekræftet."
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = PersonSerializer(allow_null=True)
    facts_changed_since_confirmation = serializers.BooleanField()
    override = AssessmentOverrideSerializer(
        allow_null=True, help_text="Sat, når lederen har ændret det beregnede niveau; ellers null."
    )


class IncidentSummarySerializer(serializers.ModelSerializer):
    """One row of the incident list."""

    url = serializers.SerializerMethodField()
    unit = UnitRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    level = serializers.IntegerField(read_only=True, help_text="Gældende niveau: det bekræftede, ellers det beregnede.")
    level_label = serializers.CharField(read_only=True)
    assessed_level = serializers.IntegerField(read_only=True, help_text="Det beregnede niveau (1–4).")
    confirmed_level = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Niveauet en leder har bekræftet eller sat, ellers null."
    )

    class Meta:
        model = Incident
        fields = (
            "reference",
            "url",
            "title",
            "unit",
            "status",
            "status_label",
            "channel",
            "level",
            "level_label",
            "assessed_level",
            "confirmed_level",
            "discovered_at",
            "registered_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, incident: Incident) -> str:
        path = reverse("api:incident-detail", args=[incident.reference])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class IncidentDetailSerializer(IncidentSummarySerializer):
    """The whole incident as the reader may see it.

    The view prefetches `api_timeline` and `api_notes` already filtered for the reader:
    the employee concerned gets only timeline entries shown to employees and shared notes.
    """

    reporter = PersonSerializer(read_only=True, allow_null=True)
    targets = PersonSerializer(many=True, read_only=True)
    features = serializers.SerializerMethodField()
    related_phenomena = serializers.SerializerMethodField()
    perpetrator_relation_label = serializers.CharField(source="get_perpetrator_relation_display", read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    timeline = TimelineEntrySerializer(source="api_timeline", many=True, read_only=True)
    notes = NoteSerializer(source="api_notes", many=True, read_only=True)
    assessment = serializers.SerializerMethodField()

    class Meta(IncidentSummarySerializer.Meta):
        fields = (
            *IncidentSummarySerializer.Meta.fields,
            "reporter",
            "targets",
            "target_names",
            "description",
            "features",
            "perpetrator_relation",
            "perpetrator_relation_label",
            "perpetrator_name",
            "perpetrator_profile_url",
            "related_phenomena",
            "absence_days",
            "absence_start",
            "psychological_harm",
            "emotional_load",
            "closed_at",
            "takedown_requested_at",
            "publications",
            "evidence",
            "timeline",
            "notes",
            "assessment",
            "version",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ALL_FEATURES)))
    def get_features(self, incident: Incident) -> list[str]:
        return [code for code in FEATURE_FIELDS if getattr(incident, code)]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=RELATED_PHENOMENA)))
    def get_related_phenomena(self, incident: Incident) -> list[str]:
        return [code for code, field in PHENOMENON_FIELDS.items() if getattr(incident, field)]

    @extend_schema_field(StoredAssessmentSerializer)
    def get_assessment(self, incident: Incident) -> dict:
        data = dict(incident.assessment)
        confirmed_by = incident.confirmed_by
        data["confirmed_level"] = incident.confirmed_level
        data["confirmed_at"] = (
            serializers.DateTimeField().to_representation(incident.confirmed_at) if incident.confirmed_at else None
        )
        data["confirmed_by"] = {"id": confirmed_by.pk, "name": str(confirmed_by)} if confirmed_by else None
        data["facts_changed_since_confirmation"] = incident.facts_changed_since_confirmation
        data["override"] = None
        level = incident.confirmed_level
        if level and level != incident.assessed_level:
            data["override"] = {
                "level": level,
                "code": LEVEL_CODES[level],
                "label": LEVEL_LABELS[level],
                "computed_level": incident.assessed_level,
                "justification": incident.override_justification if self.context.get("is_manager") else "",
            }
        return data


# --- Writing ---------------------------------------------------------------------------------------


class PublicationWriteSerializer(serializers.Serializer):
    """One publication in a create or update request.

    With `id` it changes that publication of the incident; without, a new one is made.
    """

    id = serializers.IntegerField(required=False, min_value=1, help_text="Udelad for en ny offentliggørelse.")
    platform = _code_choice(PLATFORM_CHOICES, gettext_lazy("«{input}» er ikke en kendt platform."))
    url = HttpUrlField(max_length=2000, allow_blank=True, default="")
    title = serializers.CharField(max_length=300, allow_blank=True, default="")
    published_at = serializers.DateTimeField(allow_null=True, default=None, validators=[past_datetime])
    captured_at = serializers.DateTimeField(allow_null=True, default=None, validators=[past_datetime])
    reach = _code_choice(REACH_CHOICES, gettext_lazy("«{input}» er ikke en kendt rækkevidde."), default="public")
    audience_size = serializers.IntegerField(min_value=0, max_value=2_000_000_000, allow_null=True, default=None)
    still_online = serializers.BooleanField(allow_null=True, default=None)
    quote = serializers.CharField(allow_blank=True, default="", max_length=20_000)

    def validate(self, attrs: dict) -> dict:
        # Under PATCH DRF skips missing fields, also "required" ones; a new publication needs its platform.
        if "id" not in attrs and "platform" not in attrs:
            raise serializers.ValidationError({"platform": [_("Angiv platformen for den nye offentliggørelse.")]})
        return attrs


class IncidentWriteSerializer(serializers.Serializer):
    """Create (POST) and update (PUT/PATCH) an incident.

    Features and related phenomena are lists of codes (DOMAIN.md 3.1–3.3), like in the
    assessment preview. PUT replaces every field: fields left out take their default.
    PATCH changes only the fields given. In both, `targets` and `publications` are left
    unchanged when left out; `publications` given replaces the list (see the view).
    """

    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        error_messages={
            "does_not_exist": gettext_lazy("Du kan kun registrere hændelser for enheder, du er leder for."),
            "incorrect_type": gettext_lazy("Angiv enheden med dens id (et tal)."),
        },
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="", max_length=50_000)
    target_names = serializers.CharField(max_length=500, allow_blank=True, default="")
    targets = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.none(),
        required=False,
        help_text="Id'er på berørte medarbejdere med bruger i organisationen.",
        error_messages={
            "does_not_exist": gettext_lazy("Medarbejder nr. {pk_value} findes ikke i din organisation."),
            "incorrect_type": gettext_lazy("Angiv medarbejderne med deres id (tal)."),
            "not_a_list": gettext_lazy("Angiv medarbejderne som en liste af id'er, fx [12, 15]."),
        },
    )
    features = serializers.ListField(
        child=_code_choice(ALL_FEATURES, gettext_lazy("«{input}» er ikke et kendt kendetegn.")),
        default=list,
        max_length=len(ALL_FEATURES) * 2,
    )
    perpetrator_relation = _code_choice(
        RELATION_CHOICES, gettext_lazy("«{input}» er ikke en kendt relation for afsenderen."), default="unknown"
    )
    perpetrator_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    perpetrator_profile_url = HttpUrlField(max_length=2000, allow_blank=True, default="")
    related_phenomena = serializers.ListField(
        child=_code_choice(RELATED_PHENOMENA, gettext_lazy("«{input}» er ikke et kendt fænomen.")),
        default=list,
        max_length=len(RELATED_PHENOMENA) * 2,
    )
    absence_days = serializers.IntegerField(min_value=0, max_value=36_500, default=0)
    absence_start = serializers.DateField(allow_null=True, default=None, validators=[past_date])
    psychological_harm = serializers.BooleanField(default=False)
    emotional_load = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, default=None)
    discovered_at = serializers.DateTimeField(validators=[past_datetime])
    publications = PublicationWriteSerializer(many=True, required=False, max_length=MAX_PUBLICATIONS)

    SCALAR_FIELDS = (
        "unit",
        "title",
        "description",
        "target_names",
        "perpetrator_relation",
        "perpetrator_name",
        "perpetrator_profile_url",
        "absence_days",
        "absence_start",
        "psychological_harm",
        "emotional_load",
        "discovered_at",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["targets"].child_relation.queryset = User.objects.filter(
                organisation_id__in=permissions.organisation_ids(request.user), is_active=True
            )

    def validate_unit(self, unit: Unit) -> Unit:
        if not permissions.may_change_unit_incidents(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Du kan kun registrere hændelser for enheder, du er leder for."))
        return unit

    def validate_publications(self, items: list[dict]) -> list[dict]:
        known = set(self.instance.publications.values_list("pk", flat=True)) if self.instance else set()
        seen: set[int] = set()
        for item in items:
            pk = item.get("id")
            if pk is None:
                continue
            if pk not in known:
                raise serializers.ValidationError(
                    _("Offentliggørelse nr. %(id)s hører ikke til denne hændelse. Udelad «id» for at oprette en ny.")
                    % {"id": pk}
                )
            if pk in seen:
                raise serializers.ValidationError(_("Offentliggørelse nr. %(id)s står to gange.") % {"id": pk})
            seen.add(pk)
        return items

    def validate(self, attrs: dict) -> dict:
        """A publication cannot go online after the discovery (DOMAIN.md 3.3)."""
        discovered = attrs.get("discovered_at") or (self.instance.discovered_at if self.instance else None)
        if discovered is not None:
            errors = []
            for item in attrs.get("publications") or ():
                published = item.get("published_at")
                if published is not None and published > discovered:
                    errors.append(
                        {
                            "published_at": [
                                _("Offentliggørelsen kan ikke ligge efter, at indholdet blev opdaget (discovered_at).")
                            ]
                        }
                    )
                else:
                    errors.append({})
            if any(errors):
                raise serializers.ValidationError({"publications": errors})
        return attrs

    def incident_fields(self) -> dict:
        """The validated data as the `fields` of incidents.services.incident_register/incident_update."""
        data = self.validated_data
        fields = {name: data[name] for name in self.SCALAR_FIELDS if name in data}
        if "features" in data:
            fields.update({code: code in data["features"] for code in FEATURE_FIELDS})
        if "related_phenomena" in data:
            fields.update({field: code in data["related_phenomena"] for code, field in PHENOMENON_FIELDS.items()})
        return fields

    def targets_or_none(self) -> list | None:
        return self.validated_data.get("targets")

    def new_publications(self) -> list[dict]:
        """Publications for incident_register (a new incident has none to refer to by id)."""
        return [{k: v for k, v in item.items() if k != "id"} for item in self.validated_data.get("publications", [])]

    def publications_saver(self):
        """`save_related` for incidents.services.incident_update: replace the publication list.

        Items with `id` update that publication (only the fields given, under PATCH), items
        without are created, and publications not in the list are deleted (their evidence
        stays, no longer linked to a publication). None when the request left the list out.
        """
        if "publications" not in self.validated_data:
            return None
        items = [dict(item) for item in self.validated_data["publications"]]

        def save(incident: Incident) -> bool:
            existing = {pub.pk: pub for pub in incident.publications.all()}
            changed = False
            kept = set()
            for item in items:
                pk = item.pop("id", None)
                if pk is None:
                    Publication.objects.create(incident=incident, **item)
                    changed = True
                    continue
                kept.add(pk)
                pub = existing[pk]
                diff = [name for name, value in item.items() if getattr(pub, name) != value]
                if diff:
                    for name in diff:
                        setattr(pub, name, item[name])
                    pub.save(update_fields=diff)
                    changed = True
            gone = [pk for pk in existing if pk not in kept]
            if gone:
                Publication.objects.filter(pk__in=gone).delete()
                changed = True
            return changed

        return save


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file in a multipart request (binary in the schema)."""


class EvidenceUploadSerializer(serializers.Serializer):
    """multipart/form-data: the file and what is known about it."""

    file = UploadField(max_length=255, allow_empty_file=False, use_url=False)
    description = serializers.CharField(max_length=500, allow_blank=True, default="")
    captured_at = serializers.DateTimeField(
        allow_null=True,
        default=None,
        validators=[past_datetime],
        help_text="Hvornår skærmbilledet eller optagelsen blev taget.",
    )
    publication = serializers.PrimaryKeyRelatedField(
        queryset=Publication.objects.none(),
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": gettext_lazy("Offentliggørelsen hører ikke til denne hændelse.")},
        help_text="Id på den offentliggørelse, filen dokumenterer.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        incident = self.context.get("incident")
        if incident is not None:
            self.fields["publication"].queryset = incident.publications.all()


# The assessment preview (request schema and reader) is in incidents.api.preview.
from .preview import (  # noqa: E402, F401
    AssessmentFactsSerializer,
    PreviewError,
    PreviewErrorSerializer,
    jsonable,
    preview_facts,
)
