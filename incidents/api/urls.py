"""The REST API under /api/v1/ (namespace "api"); the schema is at /api/schema/, the docs at /api/docs/."""

from django.urls import path

from . import art14, views

app_name = "api"

urlpatterns = [
    path("incidents/", views.IncidentListCreateView.as_view(), name="incident-list"),
    path("incidents/<str:reference>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<str:reference>/evidence/", views.EvidenceListView.as_view(), name="incident-evidence"),
    path(
        "incidents/<str:reference>/evidence/<int:evidence_id>/download/",
        views.EvidenceDownloadView.as_view(),
        name="incident-evidence-download",
    ),
    path("incidents/<str:reference>/timeline/", views.TimelineView.as_view(), name="incident-timeline"),
    path("incidents/<str:reference>/art14/", art14.IncidentArt14View.as_view(), name="incident-art14"),
    path("assessment/preview/", views.AssessmentPreviewView.as_view(), name="assessment-preview"),
]
