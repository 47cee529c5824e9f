from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    # Data subject requests: the organisation's admins
    path("", views.request_list, name="list"),
    path("ny/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/json/", views.export_json, name="export_json"),
    path("<int:pk>/pdf/", views.export_pdf, name="export_pdf"),
    path("<int:pk>/afgoerelse/", views.request_decide, name="decide"),
    path("<int:pk>/sletning/", views.request_erase, name="erase"),
    # Record of processing: admins and managers
    path("fortegnelse/", views.record, name="record"),
    path("fortegnelse/fortegnelse.md", views.record_download, name="record_download"),
]
