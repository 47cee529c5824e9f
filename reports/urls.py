"""Report pages under an incident (namespace "reports"); included at the site root:

    path("", include("reports.urls")),
"""

from django.urls import path

from . import views

app_name = "reports"

BASE = "haendelser/<str:reference>/rapporter/"

urlpatterns = [
    path(BASE, views.report_list, name="list"),
    path(BASE + "ny/<str:kind>/", views.report_create, name="create"),
    path(BASE + "<int:report_id>/", views.report_detail, name="detail"),
    path(BASE + "<int:report_id>/status/", views.report_status, name="status"),
    path(BASE + "<int:report_id>/igen/", views.report_retry, name="retry"),
    path(BASE + "<int:report_id>/hent/", views.report_download, name="download"),
    path(BASE + "<int:report_id>/tekst/", views.report_text, name="text"),
    path(BASE + "<int:report_id>/pakke/", views.report_bundle, name="bundle"),
    path(BASE + "<int:report_id>/pakke/<int:bundle_id>/", views.bundle_download, name="bundle_download"),
]
