from django.urls import path

from stats import views as stats_views

from . import views

app_name = "dashboard"

urlpatterns = [
    path("leder/", views.manager_dashboard, name="manager"),
    path("mine-sager/", views.caseworker_home, name="caseworker"),
    path("statistik/", stats_views.dashboard, name="union_rep"),
    path("administration/", views.admin_home, name="admin"),
    path("ingen-rolle/", views.no_role, name="no_role"),
]
