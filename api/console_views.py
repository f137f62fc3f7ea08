"""The console's API pages: the docs page and the tokens page (a new token is shown once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import scopes, tokens
from api.datasets import all_datasets
from api.forms import TokenForm

_LAKE_USER = "console.use_lake"
_NEW_TOKEN = "api_new_token"  # noqa: S105 - a session key, not a secret


@login_required
def docs(request):
    return render(request, "api/docs.html", {"datasets": all_datasets(), "scopes": scopes.all_scopes()})


@login_required
@permission_required(_LAKE_USER, raise_exception=True)
def tokens_page(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, created = tokens.create_token(request.user, form.cleaned_data["scopes"], name=form.cleaned_data["name"],
                                         expires_days=form.cleaned_data["expires_days"], request=request)
        # Post/redirect/get, so a reload cannot make a second token; the session hands the new one
        # to the next page view only, and forgets it there.
        request.session[_NEW_TOKEN] = created
        return redirect("developer:tokens")
    created = request.session.pop(_NEW_TOKEN, None)
    return render(request, "api/tokens.html", {"form": form, "created": created,
                                               "tokens": tokens.tokens_of(request.user)})


@require_POST
@login_required
@permission_required(_LAKE_USER, raise_exception=True)
def revoke(request, prefix):
    if tokens.revoke_token(request.user, prefix, request=request) is None:
        raise Http404("No such token")
    messages.success(request, f"Token {prefix} revoked: it no longer works.")
    return redirect("developer:tokens")
