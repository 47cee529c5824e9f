"""Form building blocks every app may use.

    HttpUrlField          a form field for a web address that starts with http:// or https://
    http_url_validator()  the same rule as a validator (for the API serializers)

Only http and https: no javascript:, data:, file:, ftp: … A missing scheme becomes https.
"""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

HTTP_SCHEMES = ("http", "https")
URL_MESSAGE = _("Skriv en gyldig webadresse, der begynder med http:// eller https://.")


def http_url_validator(message=None) -> URLValidator:
    return URLValidator(schemes=list(HTTP_SCHEMES), message=message or URL_MESSAGE)


class HttpUrlField(forms.URLField):
    """A link that starts with http:// or https://; `error_messages={"invalid": …}` words the refusal."""

    default_validators = [http_url_validator()]
    default_error_messages = {"invalid": URL_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)
