"""The knowledge base: an index of sections and one page per section.

Any signed-in user may read it. It holds no incident data, so nothing is audited. The
text of a section is chosen by the active language and falls back to Danish.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import sections


def _language(request) -> str:
    return sections.language_of(getattr(request, "LANGUAGE_CODE", None))


@login_required
@require_GET
def index(request):
    language = _language(request)
    return render(
        request,
        "knowledge/index.html",
        {
            "language": language,
            "groups": sections.grouped(language),
            "note_templates": sections.localised_templates("_legal_note", language),
            "intro_templates": sections.localised_templates("_intro", language),
        },
    )


@login_required
@require_GET
def section(request, slug):
    current = sections.get_section(slug)
    if current is None:
        raise Http404
    language = _language(request)
    previous, following = sections.neighbours(slug)
    return render(
        request,
        "knowledge/section.html",
        {
            "language": language,
            "section": current,
            "title": current.title(language),
            "group_title": current.group.title(language),
            "content_templates": current.template_names(language),
            "note_templates": sections.localised_templates("_legal_note", language),
            "groups": sections.grouped(language, current=slug),
            "previous": {"url": previous.url, "title": previous.title(language)} if previous else None,
            "following": {"url": following.url, "title": following.title(language)} if following else None,
        },
    )
