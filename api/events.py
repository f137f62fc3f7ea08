"""GET /api/v1/events: the signed-in person's change events as server-sent events.

Either an API token with the `events` scope or a console session may follow the
stream. The body is produced after the view returns, so the view opts out of the
per-request user scope and `events.sse.stream` opens the scope for each read.
"""

from django.conf import settings
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from api import auth
from api.problems import Problem, from_problem
from events import sse


def _user_id(request) -> int:
    if auth.bearer(request) is not None:
        return auth.authenticate(request, "events").user_id
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("console.use_lake"):
        return user.pk
    raise Problem(401, "Send an API token with the events scope (Authorization: Bearer dpl_…), or sign in.")


@require_GET
def event_stream(request):
    try:
        user_id = _user_id(request)
    except Problem as problem:
        return from_problem(problem)
    last = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    response = StreamingHttpResponse(
        sse.stream(user_id, last, heartbeat_s=settings.EVENTS_SSE_HEARTBEAT_SECONDS,
                   max_seconds=settings.EVENTS_SSE_MAX_SECONDS),
        content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each frame on at once
    return response
