"""The municipality's recording guideline: the version in force, older and coming versions,
and a printable PDF to hand to a citizen. Anyone with a role in the organisation may read
it; the admin writes it in the admin site (recordings/admin.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import permissions

from .. import pdf, policy, selectors
from ..models import RecordingGuideline


def _reader_org_or_404(user) -> int:
    organisation_id = policy.reader_organisation_id(user)
    if organisation_id is None:
        raise Http404
    return organisation_id


def _versions_with_state(organisation_id: int, current: RecordingGuideline | None) -> list[RecordingGuideline]:
    today = timezone.localdate()
    versions = selectors.guideline_versions(organisation_id)
    newer_start = None
    for version in versions:  # newest first
        if current is not None and version.pk == current.pk:
            version.state = "current"
        elif version.effective_from > today:
            version.state = "coming"
        else:
            version.state = "earlier"
        version.effective_to = newer_start if version.state == "earlier" else None
        newer_start = version.effective_from
    return versions


def _page(request, guideline: RecordingGuideline | None, organisation_id: int, *, current=None):
    current = current if current is not None else selectors.current_guideline(organisation_id)
    versions = _versions_with_state(organisation_id, current)
    shown = next((v for v in versions if guideline and v.pk == guideline.pk), None)
    return render(
        request,
        "recordings/guideline.html",
        {
            "guideline": guideline,
            "state": shown.state if shown else "",
            "effective_to": shown.effective_to if shown else None,
            "passages": selectors.guideline_passages(guideline),
            "versions": versions,
            "is_current": guideline is not None and current is not None and guideline.pk == current.pk,
            "may_administer": permissions.may_administer(request.user, organisation_id),
            "may_register": policy.may_register(request.user),
        },
    )


@login_required
@require_safe
def guideline_current(request):
    organisation_id = _reader_org_or_404(request.user)
    current = selectors.current_guideline(organisation_id)
    return _page(request, current, organisation_id, current=current)


@login_required
@require_safe
def guideline_version(request, pk: int):
    guideline = selectors.get_guideline_or_404(request.user, pk)
    return _page(request, guideline, guideline.organisation_id)


@login_required
@require_safe
def guideline_pdf(request, pk: int):
    guideline = selectors.get_guideline_or_404(request.user, pk)
    content = pdf.guideline_pdf(
        guideline, selectors.guideline_passages(guideline), organisation_name=guideline.organisation.name
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"retningslinje-optagelse-{guideline.effective_from:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
