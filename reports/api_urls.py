"""The reports API under /api/v1/ (namespace "reports-api"); included with

path("api/v1/", include("reports.api_urls")),
"""

from django.urls import path

from . import api

app_name = "reports-api"

urlpatterns = [
    path("incidents/<str:reference>/reports/", api.ReportListView.as_view(), name="report-list"),
    path("incidents/<str:reference>/reports/<int:report_id>/", api.ReportDetailView.as_view(), name="report-detail"),
    path(
        "incidents/<str:reference>/reports/<int:report_id>/download/",
        api.ReportDownloadView.as_view(),
        name="report-download",
    ),
]
