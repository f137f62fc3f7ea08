"""The "SQL access" page: create, rotate or revoke your own login, and how to use it."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sqlaccess import actions, guides, queries
from sqlaccess.roles import RoleConflict


@permission_required("console.use_lake", raise_exception=True)
@require_http_methods(["GET", "POST"])
@never_cache  # the answer to a grant holds a password, shown once
def page(request):
    granted, error = None, None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            actions.revoke_login(request.user, request=request)
            messages.success(request, "Your database login and your workspace schema are gone.")
            return redirect("sqlaccess:page")
        if action not in ("create", "rotate"):
            return HttpResponseBadRequest("unknown action")
        try:
            granted = actions.grant_login(request.user, request=request)
        except RoleConflict as conflict:
            error = str(conflict)
    login = actions.login_of(request.user)
    role = login.role_name if login else None
    parameters = actions.connection_parameters(role or "<your role>")
    return render(request, "sqlaccess/page.html", {
        "login": login, "granted": granted, "error": error,
        "parameters": parameters, "local": actions.is_local_server(),
        "guides": guides.for_connection(parameters),
        "examples": guides.EXAMPLES,
        "catalog": queries.readable_catalog(),
        "quota_bytes": queries.quota_bytes(),
        "limits": guides.limits(),
    }, status=409 if error else 200)
