"""Report pages under an incident (namespace "reports"); included at the site root:

path("", include("reports.urls")),
"""

from django.urls import path

from . import archive_views, views

app_name = "reports"

BASE = "haendelser/<str:reference>/rapporter/"
ARCHIVE = "haendelser/<str:reference>/sagsarkiv/"

urlpatterns = [
    path(BASE, views.report_list, name="list"),
    path(BASE + "ny/<str:kind>/", views.report_create, name="create"),
    path(BASE + "oplysninger/", views.report_facts, name="facts"),
    path(BASE + "udeladelser/", views.redaction_list, name="redactions"),
    path(BASE + "udeladelser/<int:redaction_id>/slet/", views.redaction_delete, name="redaction_delete"),
    path(BASE + "<int:report_id>/", views.report_detail, name="detail"),
    path(BASE + "<int:report_id>/status/", views.report_status, name="status"),
    path(BASE + "<int:report_id>/igen/", views.report_retry, name="retry"),
    path(BASE + "<int:report_id>/hent/", views.report_download, name="download"),
    path(BASE + "<int:report_id>/tekst/", views.report_text, name="text"),
    path(BASE + "<int:report_id>/sendt/", views.report_mark_sent, name="mark_sent"),
    path(BASE + "<int:report_id>/bilag/", views.datatilsynet_package, name="package"),
    path(BASE + "<int:report_id>/bilag/<int:evidence_id>/", views.datatilsynet_package_file, name="package_file"),
    path(BASE + "<int:report_id>/pakke/", views.report_bundle, name="bundle"),
    path(BASE + "<int:report_id>/pakke/<int:bundle_id>/", views.bundle_download, name="bundle_download"),
    # Journalisation (offentlighedsloven § 15): the case archive and the journal number
    path(ARCHIVE, archive_views.archive_page, name="archive"),
    path(ARCHIVE + "ny/", archive_views.archive_create, name="archive_create"),
    path(ARCHIVE + "journalnummer/", archive_views.journal_number, name="journal_number"),
    path(ARCHIVE + "<int:archive_id>/", archive_views.archive_status, name="archive_status"),
    path(ARCHIVE + "<int:archive_id>/hent/", archive_views.archive_download, name="archive_download"),
]
