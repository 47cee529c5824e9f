from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("marker-laest/", views.notification_mark_all_read, name="mark_all_read"),
    path("indstillinger/", views.notification_preferences, name="preferences"),
]
