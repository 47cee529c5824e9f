"""«Sikr side» pages under an incident (namespace "capture"); included at the site root."""

from django.urls import path

from . import views

app_name = "capture"

BASE = "haendelser/<str:reference>/sikring/"

urlpatterns = [
    path(BASE, views.capture_list, name="list"),
    path(BASE + "upload/", views.capture_upload, name="upload"),
    path(BASE + "<int:capture_id>/", views.capture_detail, name="detail"),
    path(BASE + "<int:capture_id>/status/", views.capture_status, name="status"),
    path(BASE + "<int:capture_id>/igen/", views.capture_again, name="again"),
    path(BASE + "<int:capture_id>/tidsstempel/<int:token_id>/", views.token_download, name="token"),
]
