from django.urls import path

from .views import art14, casework, caseworker, detail, evidence, manager, sharing

app_name = "incidents"

urlpatterns = [
    # Managers
    path("haendelser/", manager.incident_list, name="list"),
    path("haendelser/ny/", manager.incident_create, name="create"),
    path("haendelser/<str:reference>/rediger/", manager.incident_edit, name="edit"),
    path("haendelser/<str:reference>/status/", manager.incident_status, name="status"),
    path("haendelser/<str:reference>/handling/", manager.incident_action, name="action"),
    path("haendelser/<str:reference>/noter/", manager.incident_note, name="note"),
    path("haendelser/<str:reference>/vurdering/", manager.incident_assess, name="assess"),
    path("haendelser/<str:reference>/retligt-hold/", manager.incident_legal_hold, name="legal_hold"),
    path("haendelser/<str:reference>/frister/", manager.incident_deadline_dismiss, name="deadline_dismiss"),
    path("haendelser/<str:reference>/oplysning-til-afsender/", art14.incident_art14, name="art14"),
    path("haendelser/<str:reference>/sagsansvarlig/", casework.incident_owner, name="owner"),
    path("haendelser/<str:reference>/hold-ude/", casework.incident_exclusion, name="exclusion"),
    path("haendelser/<str:reference>/overvaag/", casework.incident_watch, name="watch"),
    # Managers and the employee concerned
    path("haendelser/<str:reference>/beskeder/", casework.incident_message, name="message"),
    path("haendelser/<str:reference>/", detail.incident_detail, name="detail"),
    path("haendelser/<str:reference>/dokumentation/", evidence.evidence_upload, name="evidence_upload"),
    path(
        "haendelser/<str:reference>/dokumentation/<int:evidence_id>/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "haendelser/<str:reference>/dokumentation/<int:evidence_id>/fjern/",
        evidence.evidence_remove,
        name="evidence_remove",
    ),
    path("haendelser/<str:reference>/deling/", sharing.incident_share_create, name="share"),
    path(
        "haendelser/<str:reference>/deling/<int:share_id>/tilbagekald/",
        sharing.incident_share_withdraw,
        name="share_withdraw",
    ),
    # Caseworkers
    path("anmeld/", caseworker.self_report, name="self_report"),
]
