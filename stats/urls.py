"""Downloads of the statistics, under /statistik/ (namespace "stats").

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
    path("statistik.pdf", views.export_pdf, name="export_pdf"),
]
