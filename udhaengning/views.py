from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions


@login_required
def home(request):
    """Send each user to the landing page of their role."""
    return redirect(permissions.home_url_name(request.user))


@never_cache
@require_GET
def healthz(request):
    """Liveness and database check for the load balancer and docker compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
