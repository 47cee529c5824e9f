"""The privacy notice for employees (art. 13): a page anyone may read, linked from the
self-report form and the footer. Signed in, it names the user's organisation, its DPO and the
managers who would see the user's case; signed out, it says the same in general terms."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .notice import build_notice


@require_safe
def notice(request):
    user = request.user if request.user.is_authenticated else None
    return render(request, "privacy/notice.html", {"notice": build_notice(user)})
