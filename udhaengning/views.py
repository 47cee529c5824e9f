from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from accounts import permissions
from udhaengning import health


@login_required
def home(request):
    """Send each user to the landing page of their role."""
    return redirect(permissions.home_url_name(request.user))


@never_cache
def healthz(request):
    """Database, cache, broker and storage, as JSON (udhaengning/health.py).

    HealthCheckMiddleware answers /healthz before this view is reached; the URL pattern stays so
    the path has a name (reverse("healthz")) and the permission matrix lists it.
    """
    return health.healthz(request)
