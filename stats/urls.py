"""Downloads and PDF reports of the statistics, under /statistik/ (namespace "stats").

The page itself is the role landing page `dashboard:union_rep` (/statistik/), routed in
accounts/urls.py to `stats.views.dashboard`. Mount with:

    path("statistik/", include("stats.urls")),
"""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("statistik.csv", views.export_csv, name="export_csv"),
    path("statistik.json", views.export_json, name="export_json"),
    path("rapporter/", views.report_request, name="report_request"),
    path("rapporter/<int:report_id>/", views.report_detail, name="report_detail"),
    path("rapporter/<int:report_id>/status/", views.report_status, name="report_status"),
    path("rapporter/<int:report_id>/igen/", views.report_retry, name="report_retry"),
    path("rapporter/<int:report_id>/hent/", views.report_download, name="report_download"),
]
