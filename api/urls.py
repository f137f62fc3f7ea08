"""/api/: version 1, and problem+json for any other path under it."""

from django.urls import include, path, re_path

from api.events import event_stream
from api.problems import response
from api.v1 import api
from core.middleware import manual_user_scope


def _not_found(request, rest=""):
    return response(404, f"No endpoint {request.path}; the list is at /api/v1/docs.")


def _scoped_by_view(patterns):
    # Each API view opens its token user's scope itself (streams inside their generator), so the
    # session middleware's per-request scope stays out of the way.
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback = manual_user_scope(pattern.callback)
    return patterns


_v1_patterns, _app, _namespace = api.urls
urlpatterns = [
    # Server-sent change events: a plain streaming view beside the typed endpoints.
    path("v1/events", manual_user_scope(event_stream), name="api_events"),
    path("v1/", include((_scoped_by_view(_v1_patterns), _app), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", manual_user_scope(_not_found)),
]
