from django.urls import path

from .views import guideline, note, overview, requests

app_name = "recordings"

urlpatterns = [
    # Caseworkers and managers
    path("", requests.request_list, name="list"),
    path("ny/", requests.request_create, name="create"),
    path("forslag/", requests.request_suggest, name="suggest"),
    path("<int:pk>/", requests.request_detail, name="detail"),
    path("<int:pk>/skjult-optagelse/", requests.request_hidden, name="hidden"),
    path("<int:pk>/haendelse/", requests.request_link_incident, name="link_incident"),
    path("<int:pk>/notat.txt", note.note_text, name="note_text"),
    path("<int:pk>/notat.pdf", note.note_pdf, name="note_pdf"),
    # Managers
    path("<int:pk>/gennemgang/", requests.request_review, name="review"),
    path("overblik/", overview.overview, name="overview"),
    # Everyone with a role in the organisation
    path("retningslinje/", guideline.guideline_current, name="guideline"),
    path("retningslinje/<int:pk>/", guideline.guideline_version, name="guideline_version"),
    path("retningslinje/<int:pk>/pdf/", guideline.guideline_pdf, name="guideline_pdf"),
]
