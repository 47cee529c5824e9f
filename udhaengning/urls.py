from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import permissions
from udhaengning import views

# The admin site uses the app's sign-in (throttling, two factors) and lets in admins only.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: permissions.may_administer(request.user)
admin.site.site_header = "Udhængning – administration"
admin.site.site_title = "Udhængning"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("dashboards.urls")),
    path("konto/api-noegler/", include("accounts.api_tokens.urls")),
    path("", include("incidents.urls")),
    path("", include("reports.urls")),
    path("", include("incidents.capture.urls")),
    path("viden/", include("knowledge.urls")),
    path("statistik/", include("stats.urls")),
    path("optagelser/", include("recordings.urls")),
    path("notifikationer/", include("notifications.urls")),
    path("persondata/", include("privacy.urls")),
    path("api/v1/", include("incidents.api.urls")),
    path("api/v1/", include("reports.api_urls")),
    path("api/v1/", include("stats.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); a browser without a session is
    # sent to the sign-in page for the docs, an API client without credentials gets 401 for the schema.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

# Prometheus metrics (production with METRICS_ENABLED=True; deploy/nginx lets only its allow-list in).
if getattr(settings, "METRICS_ENABLED", False):
    from django_prometheus.exports import ExportToDjangoView

    urlpatterns.append(path("metrics", ExportToDjangoView, name="prometheus-django-metrics"))

handler500 = "udhaengning.errors.server_error"
