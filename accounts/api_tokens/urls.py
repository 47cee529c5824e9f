from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/tilbagekald/", views.token_revoke_view, name="revoke"),
]
