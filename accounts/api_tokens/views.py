"""The user's own API tokens: list, create (the key is shown once), revoke.

Any user with a role may hold tokens for the scopes their roles allow; a user without
any (an outsider, an admin only) gets 404 like any page their roles do not cover.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .forms import TokenCreateForm
from .models import ApiToken
from .services import allowed_scopes, token_create, token_revoke


def _scopes_or_404(user) -> list[str]:
    scopes = allowed_scopes(user)
    if not scopes:
        raise Http404
    return scopes


@never_cache
@login_required
def token_list(request):
    scopes = _scopes_or_404(request.user)
    form = TokenCreateForm(request.POST or None, allowed_scopes=scopes)
    if request.method == "POST" and form.is_valid():
        token, key = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            request=request,
        )
        # Shown in this answer only (never stored, never cached): no redirect.
        return render(request, "api_tokens/created.html", {"token": token, "key": key})
    tokens = list(ApiToken.objects.filter(user=request.user).order_by("-created_at"))
    return render(request, "api_tokens/list.html", {"form": form, "tokens": tokens}, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=request.user)
    if token_revoke(token=token, reason=ApiToken.RevokedReason.USER, actor=request.user, request=request):
        messages.success(request, _("Nøglen «%(name)s» er tilbagekaldt og virker ikke længere.") % {"name": token.name})
    return redirect("api_tokens:list")
