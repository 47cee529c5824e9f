"""The statistics endpoint under /api/v1/ (namespace "stats-api"). Mount with:

path("api/v1/", include("stats.api_urls")),
"""

from django.urls import path

from . import api

app_name = "stats-api"

urlpatterns = [
    path("statistics/", api.StatisticsView.as_view(), name="statistics"),
]
