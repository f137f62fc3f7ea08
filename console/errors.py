"""The console's error pages: what went wrong and what to do, in the base template.

Registered as Django's handler400/403/404/500 in datalake.urls. Views refuse
with `permission_required(..., raise_exception=True)`, which raises for a
signed-out visitor too: the 403 handler sends that visitor to sign in (a
script gets a 401 JSON body) and tells a signed-in one which role the page needs.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.urls import Resolver404, resolve

from console.personas import PERSONAS

# The permission each area's pages need, by URL namespace (URLs are stable;
# the permission_required decorators do not expose theirs).
AREA_PERMISSIONS = {
    "lake": "use_lake", "imports": "use_lake", "uploads": "use_lake", "events": "use_lake",
    "monitoring": "view_health", "lifecycle": "manage_lifecycle", "audit": "read_audit", "people": "manage_users",
}


def _wants_html(request) -> bool:
    # Browsers name text/html when they navigate; fetch(), curl and htmx polls send */* or JSON.
    return "text/html" in request.headers.get("Accept", "")


def required_role(request) -> str | None:
    try:
        namespace = resolve(request.path_info).namespace
    except Resolver404:
        return None
    permission = AREA_PERMISSIONS.get(namespace.split(":")[0])
    return next((role for role, codenames in PERSONAS.items() if permission in codenames), None)


def _roles_of(user) -> str:
    names = sorted(user.groups.filter(name__in=PERSONAS).values_list("name", flat=True))
    return ", ".join(names) or "no role yet"


def bad_request(request, exception):
    # Our own BadRequest carries a sentence for the person; Django's other
    # SuspiciousOperations (a bad Host header, say) may carry configuration
    # details, so they get the generic one.
    message = str(exception) if type(exception) is BadRequest and str(exception) else (
        "The request could not be understood. Go back and try again.")
    return HttpResponseBadRequest(loader.render_to_string("errors/400.html", {"message": message}, request))


def permission_denied(request, exception):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        if _wants_html(request):
            return redirect_to_login(request.get_full_path())
        return JsonResponse({"error": "Sign in first: this endpoint needs a signed-in session."}, status=401)
    role = required_role(request)
    if not _wants_html(request):
        needs = f" needs the {role} role" if role else " is not open to your account"
        return JsonResponse({"error": f"This endpoint{needs}; ask an administrator."}, status=403)
    context = {"role": role, "roles": _roles_of(user)}
    return HttpResponseForbidden(loader.render_to_string("errors/403.html", context, request))


def page_not_found(request, exception):
    return HttpResponseNotFound(loader.render_to_string("errors/404.html", {}, request))


def server_error(request):
    # No request context: the context processors may need the database or the
    # session, and either may be what just failed.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW: most often a form left open past its session, or cookies blocked."""
    if not _wants_html(request):
        return JsonResponse({"error": "The request had no valid CSRF token: send the csrftoken cookie's value "
                                      "as X-CSRFToken, or reload the page that made it."}, status=403)
    return HttpResponseForbidden(loader.render_to_string("errors/403_csrf.html", {}, request))
