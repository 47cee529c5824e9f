"""Forms for evidence: upload one or more files, and remove one with a reason.

The upload form checks only what the person typed (description, when it was secured,
which publication). Each file is checked by `incidents.evidence.evidence_store`, from its
content, so one refused file does not stop the others.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..evidence import ACCEPT_ATTRIBUTE, max_upload_bytes, max_upload_label

# Clock difference between the browser and the server that we accept for "now".
CLOCK_TOLERANCE = timedelta(minutes=5)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list of UploadedFile.

    Empty or oddly named files are not refused here: the service refuses them one by one
    with a message that names the file.
    """

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [f for f in files if isinstance(f, UploadedFile)]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files

    def bound_data(self, data, initial):
        return initial  # a browser cannot be given files back; never echo them


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Filer"),
        error_messages={"required": _("Vælg mindst én fil.")},
    )
    description = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=500,
        help_text=_("Fx «Skærmbillede af opslaget med kommentarer». Gælder alle de valgte filer."),
        error_messages={"max_length": _("Beskrivelsen må højst være %(limit_value)d tegn (den er %(show_value)d).")},
    )
    captured_at = forms.DateTimeField(
        label=_("Sikret (tidspunkt)"),
        required=False,
        help_text=_("Hvornår skærmbilledet blev taget eller siden gemt. Kan udelades."),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M"],
        error_messages={"invalid": _("Skriv dato og klokkeslæt, fx 24-11-2026 14:30.")},
    )
    publication = forms.TypedChoiceField(
        label=_("Hører til offentliggørelse"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Vælg en af sagens offentliggørelser.")},
    )

    def __init__(self, *args, incident, publications=None, **kwargs):
        """`publications`: the incident's publications when the page already has them (saves a query)."""
        kwargs.setdefault("auto_id", "evidence_%s")  # unique ids beside the other forms of the page
        super().__init__(*args, **kwargs)
        self.incident = incident
        if publications is None:
            publications = incident.publications.all()
        self.publications = {p.pk: p for p in publications if p.incident_id == incident.pk}
        self.fields["publication"].choices = [
            ("", _("Ingen bestemt")),
            *((pk, str(p)) for pk, p in self.publications.items()),
        ]
        self.fields["files"].widget.attrs.update({"accept": ACCEPT_ATTRIBUTE, "class": "form-control"})
        self.fields["files"].help_text = _(
            "Tilladt: billeder (JPEG, PNG, GIF, WebP, HEIC, TIFF), PDF, lyd (MP3, M4A, WAV, OGG, FLAC), "
            "video (MP4, MOV, WebM, MKV, AVI), tekst (UTF-8) og gemte websider (HTML, MHTML). "
            "Højst %(limit)s pr. fil. Filerne gemmes uændret."
        ) % {"limit": max_upload_label()}
        self.fields["captured_at"].widget = forms.DateTimeInput(
            attrs={"type": "datetime-local", "max": self.captured_at_max, "class": "form-control"},
            format=DATETIME_FORMAT,
        )
        self.fields["description"].widget.attrs.update({"class": "form-control", "maxlength": 500})
        self.fields["publication"].widget.attrs.setdefault("class", "form-select")

    @property
    def max_upload_label(self) -> str:
        return max_upload_label()

    @property
    def max_upload_bytes(self) -> int:
        return max_upload_bytes()

    @property
    def accept(self) -> str:
        return ACCEPT_ATTRIBUTE

    @property
    def captured_at_max(self) -> str:
        """End of today, the browser's limit; the exact "not in the future" check is on the server."""
        return timezone.localdate().isoformat() + "T23:59"

    def clean_captured_at(self):
        value = self.cleaned_data.get("captured_at")
        if value and value > timezone.now() + CLOCK_TOLERANCE:
            raise forms.ValidationError(_("Tidspunktet kan ikke ligge i fremtiden."), code="future")
        return value

    def clean_publication(self):
        pk = self.cleaned_data.get("publication")
        return self.publications.get(pk) if pk is not None else None


class EvidenceRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000, "class": "form-control"}),
        error_messages={
            "required": _("Skriv hvorfor dokumentationen fjernes."),
            "max_length": _("Begrundelsen må højst være %(limit_value)d tegn."),
        },
    )
