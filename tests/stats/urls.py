"""The project's URLs plus what issue 7 adds, for the tests (until udhaengning/urls.py and
incidents/urls.py include them).

Points `dashboard:union_rep` (/statistik/) at `stats.views.dashboard` and adds `stats.urls`
(/statistik/…), `stats.api_urls` (/api/v1/statistics/) and the two sharing routes of the
incidents namespace, each only when the project does not have it yet, so the tests keep
working after they are wired in.
"""

from django.urls import URLResolver, include, path

from accounts import urls as dashboard_urls
from incidents import urls as incident_urls
from incidents.views import sharing
from stats import views as stats_views
from udhaengning.urls import urlpatterns as project_urlpatterns

SHARE_PATTERNS = [
    path("haendelser/<str:reference>/deling/", sharing.incident_share_create, name="share"),
    path("haendelser/<str:reference>/deling/<int:share_id>/tilbagekald/", sharing.incident_share_withdraw,
         name="share_withdraw"),
]


def _namespaces(patterns) -> set[str]:
    return {getattr(p, "namespace", None) for p in patterns}


def _has_share_routes() -> bool:
    return any(getattr(p, "name", None) == "share" for p in incident_urls.urlpatterns)


def _dashboard_patterns():
    return [path("statistik/", stats_views.dashboard, name="union_rep") if getattr(p, "name", None) == "union_rep"
            else p for p in dashboard_urls.urlpatterns]


urlpatterns = []
for pattern in project_urlpatterns:
    if isinstance(pattern, URLResolver) and pattern.namespace == "incidents" and not _has_share_routes():
        pattern = path("", include((incident_urls.urlpatterns + SHARE_PATTERNS, "incidents"), namespace="incidents"))
    if isinstance(pattern, URLResolver) and pattern.namespace == "dashboard":
        pattern = path("", include((_dashboard_patterns(), "dashboard"), namespace="dashboard"))
    urlpatterns.append(pattern)
if "stats" not in _namespaces(urlpatterns):
    urlpatterns.append(path("statistik/", include("stats.urls")))
if "stats-api" not in _namespaces(urlpatterns):
    urlpatterns.append(path("api/v1/", include("stats.api_urls")))
