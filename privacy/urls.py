from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    # Data subject requests: the organisation's admins
    path("", views.request_list, name="list"),
    path("ny/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/udtraek/", views.export_request, name="export_request"),
    path("<int:pk>/udtraek/<int:export_id>/", views.export_status, name="export_status"),
    path("<int:pk>/udtraek/<int:export_id>/hent/", views.export_download, name="export_download"),
    path("<int:pk>/identitet/", views.identity_record, name="identity"),
    path("<int:pk>/punkt/", views.item_decide, name="item"),
    path("<int:pk>/afgoerelse/", views.request_decide, name="decide"),
    path("<int:pk>/sletning/", views.request_erase, name="erase"),
    # Record of processing: admins and managers
    path("fortegnelse/", views.record, name="record"),
    path("fortegnelse/fortegnelse.md", views.record_download, name="record_download"),
]
