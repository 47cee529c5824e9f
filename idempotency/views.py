"""The HTML side of safe retries: a view decorator for forms with a one-time token.

A form rendered with `{% form_token %}` carries a fresh random token. The first POST with
it does the work and, when the work succeeded (a redirect to what was saved), keeps that
redirect under the token, in the same transaction. "It failed, I pressed again", the back
button and a second click send the same token: the user is taken to what was already saved,
with a message, and nothing is saved twice. A POST that was refused (the form shown again
with its errors) frees the token, so the corrected form can be sent with it.
"""

from __future__ import annotations

from functools import wraps

from .services import idempotent_run
from .templatetags.idempotency import FORM_TOKEN_FIELD


def _is_success(response) -> bool:
    return 300 <= response.status_code < 400


def idempotent_form(view):
    """Decorate a view whose POST form carries `{% form_token %}` (put it after the upload
    handlers are installed and CSRF is checked, where the view reads request.POST)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        token = request.POST.get(FORM_TOKEN_FIELD, "")
        if not token:
            return view(request, *args, **kwargs)
        return idempotent_run(
            request=request,
            user=request.user,
            key=token,
            scope="form",
            call=lambda: view(request, *args, **kwargs),
            keep=_is_success,
        )

    return wrapper
