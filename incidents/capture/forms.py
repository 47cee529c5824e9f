"""Forms of the "Sikr side" pages: the address to capture, and the upload of one's own capture."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import HttpUrlField

UPLOAD_ACCEPT = "image/png,image/jpeg,image/webp,application/pdf,text/html,.html,.htm,.mhtml,.mht,.wacz"


class _PublicationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_platform_display()} {obj.url}".strip()


class CaptureForm(forms.Form):
    url = HttpUrlField(
        label=_("Webadresse"),
        help_text=_("Adressen på opslaget, fx https://www.facebook.com/…"),
        error_messages={
            "invalid": _("Skriv en hel webadresse, der begynder med https://."),
            "required": _("Skriv adressen på siden, der skal sikres."),
        },
    )
    publication = _PublicationChoice(
        label=_("Hører til offentliggørelse"), queryset=None, required=False, empty_label=_("Ingen bestemt")
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publication"].queryset = incident.publications.all()

    def clean(self):
        data = super().clean()
        publication = data.get("publication")
        if publication is not None and not data.get("url") and publication.url:
            data["url"] = publication.url
        return data


class CaptureUploadForm(forms.Form):
    url = HttpUrlField(
        label=_("Webadresse på siden"),
        error_messages={
            "invalid": _("Skriv en hel webadresse, der begynder med https://."),
            "required": _("Skriv adressen på siden, du har sikret."),
        },
    )
    file = forms.FileField(
        label=_("Din egen sikring"),
        help_text=_("Et skærmbillede, en SingleFile-HTML-fil eller en WACZ-fil fra ArchiveWeb.page."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        error_messages={"required": _("Vælg filen med din sikring.")},
    )
    publication = _PublicationChoice(
        label=_("Hører til offentliggørelse"), queryset=None, required=False, empty_label=_("Ingen bestemt")
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publication"].queryset = incident.publications.all()
