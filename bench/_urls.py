"""The project's URLs plus the floors bench.speed measures against (benchmark only).

- `/bench/echo/`: answers "ok" and does nothing else; with and without a signed-in session it
  gives the cost of the middleware (sessions, authentication, two-factor rule, CSP …).
- `/bench/floor/`: signed in, one indexed query (the newest 25 incidents of the manager's
  units, with the unit ids fixed beforehand), rendered as plain text: the least a list page
  can cost with the same session and middleware.
- `/bench/validate/`: signed in, the incident form and its publications bound to the POST and
  validated exactly as the registration does, then "ok": nothing is written. What the
  registration costs before its first write (the ratio's lower bound with these forms).
- `/bench/layout/`: signed in, an empty page in the site's layout (`base.html`: navigation,
  language form, notification badge, footer): what every page costs before its own content,
  for reading the list's ratio against the floor.
"""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

FLOOR_UNIT_IDS: list[int] = []


@csrf_exempt
def echo(request):
    return HttpResponse("ok", content_type="text/plain")


def floor(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reference, title FROM incidents_incident WHERE unit_id = ANY(%s) "
            "ORDER BY registered_at DESC LIMIT 25",
            [FLOOR_UNIT_IDS],
        )
        rows = cursor.fetchall()
    return HttpResponse("\n".join(f"{reference} {title}" for reference, title in rows), content_type="text/plain")


def validate(request):
    from incidents.forms.manager import PUBLICATION_PREFIX, IncidentForm, PublicationFormSet
    from incidents.models import Incident
    from incidents.views.manager import _valid

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    form = IncidentForm(request.POST, user=request.user)
    formset = PublicationFormSet(request.POST, instance=Incident(), prefix=PUBLICATION_PREFIX)
    if not _valid(form, formset):
        return HttpResponse(status=400)
    return HttpResponse("ok", content_type="text/plain")


def layout(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return render(request, "base.html")


urlpatterns = [
    path("bench/echo/", echo),
    path("bench/floor/", floor),
    path("bench/validate/", validate),
    path("bench/layout/", layout),
    path("", include("udhaengning.urls")),
]
