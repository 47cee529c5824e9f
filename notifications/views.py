"""The notification centre and the e-mail preferences.

- list: the user's own in-app notifications, newest first, unread highlighted;
- open: goes to what it is about, after asking the access policy again (the user may
  have lost access since): 404 when they may not see it. Only a POST (the centre's
  buttons) marks it read; a GET (the link in an e-mail) changes nothing;
- mark all read (POST);
- preferences: e-mail on or off per kind (in-app is always on).

A user only ever reaches their own notifications; anyone else's answer 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions

from . import selectors, services
from .forms import PreferencesForm
from .models import Channel, Kind, Notification

PAGE_SIZE = 30


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("side"))
    notifications = list(page.object_list)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "notifications": notifications,
            "unread": services.unread_count(request.user),
        },
    )


def _may_open(user, notification: Notification) -> bool:
    """The access policy, asked again at the moment of opening."""
    check = services.open_check(notification.object_type)
    if check is not None:  # the app that owns the object answers (incidents: its access policy)
        return check(user, notification)
    if notification.kind == Kind.SERIOUS_INCIDENT:
        return notification.object_id.isdigit() and permissions.may_see_statistics(user, int(notification.object_id))
    if notification.kind == Kind.WEEKLY_DIGEST:
        return permissions.manages_units(user)
    return bool(notification.target_url)


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    notification = get_object_or_404(
        Notification.objects.select_related("incident", "incident__unit"),
        pk=pk,
        recipient=request.user,
        channel=Channel.IN_APP,
    )
    if request.method == "POST":
        services.notification_mark_read(user=request.user, notification=notification)
    target = notification.target_url
    if not (
        _may_open(request.user, notification)
        and target
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False)
        and target.startswith("/")
    ):
        raise Http404
    return redirect(target)


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("Alle notifikationer er markeret som læst."))
    return redirect("notifications:list")


@login_required
def notification_preferences(request):
    kinds = services.kinds_for(request.user)
    current = selectors.email_choices(request.user, kinds)
    if request.method == "POST":
        form = PreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            services.preferences_set(user=request.user, email_by_kind=form.email_by_kind())
            messages.success(request, _("Dine valg er gemt."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=current, kinds=kinds)
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "has_email": bool(request.user.email),
        },
    )
