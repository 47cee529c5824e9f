from django.urls import path

from . import views, views_dpia, views_notice

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
    # Impact assessment (art. 35): admins and managers, as the record
    path("konsekvensanalyse/", views_dpia.dpia_page, name="dpia"),
    path("konsekvensanalyse/pdf/", views_dpia.dpia_request, name="dpia_request"),
    path("konsekvensanalyse/pdf/<int:pk>/", views_dpia.dpia_detail, name="dpia_detail"),
    path("konsekvensanalyse/pdf/<int:pk>/status/", views_dpia.dpia_status, name="dpia_status"),
    path("konsekvensanalyse/pdf/<int:pk>/igen/", views_dpia.dpia_retry, name="dpia_retry"),
    path("konsekvensanalyse/pdf/<int:pk>/hent/", views_dpia.dpia_download, name="dpia_download"),
    # Information to employees (art. 13): everyone
    path("oplysninger-til-medarbejdere/", views_notice.notice, name="notice"),
]
