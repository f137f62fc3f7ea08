"""Webhook pages (register, rotate, enable, delivery log with replay) and the SSE endpoint.

Views parse and delegate to events.delivery.actions; the middleware's user
scope covers each page. The SSE view opts out of it (a streaming body runs
after the view returns) and the generator opens the scope for each read.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.middleware import manual_user_scope
from events import sse
from events.delivery import actions
from events.delivery.access import get_delivery_for_user, get_endpoint_for_user
from events.delivery.forms import EndpointForm, EventTypesForm
from events.models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 50


@permission_required("console.use_lake", raise_exception=True)
def webhook_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = form.cleaned_data["url"]
        if WebhookEndpoint.objects.filter(user=request.user, url=url).exists():
            form.add_error("url", "This URL is registered already; change its event types on its page.")
        else:
            endpoint = actions.create_endpoint(request.user, url, event_types=form.cleaned_data["event_types"],
                                               description=form.cleaned_data["description"], request=request)
            messages.success(request, "Webhook registered. Give its signing secret to the receiver.")
            return redirect("events:endpoint", endpoint.pk)
    endpoints = WebhookEndpoint.objects.filter(user=request.user)
    return render(request, "events/webhook_list.html", {"form": form, "endpoints": endpoints},
                  status=400 if form.errors else 200)


@permission_required("console.use_lake", raise_exception=True)
def endpoint_detail(request, endpoint_id):
    endpoint = get_endpoint_for_user(request.user, endpoint_id)
    form = EventTypesForm(request.POST or None, initial={"event_types": endpoint.event_types,
                                                         "description": endpoint.description})
    if request.method == "POST" and form.is_valid():
        actions.update_endpoint(endpoint, event_types=form.cleaned_data["event_types"],
                                description=form.cleaned_data["description"], request=request)
        messages.success(request, "Saved.")
        return redirect("events:endpoint", endpoint.pk)
    deliveries = WebhookDelivery.objects.filter(user=request.user, endpoint=endpoint).select_related("event")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/endpoint_detail.html", {"endpoint": endpoint, "form": form, "page": page})


ENDPOINT_ACTIONS = {
    "rotate": (actions.rotate_secret, "A new secret signs from now on; the old one also does for 24 hours."),
    "enable": (actions.enable, "Enabled: waiting deliveries go out now."),
    "disable": (actions.disable, "Disabled: events wait, undelivered, until you enable it again."),
}


@require_POST
@permission_required("console.use_lake", raise_exception=True)
def endpoint_action(request, endpoint_id, action):
    endpoint = get_endpoint_for_user(request.user, endpoint_id)
    if action == "delete":
        actions.delete_endpoint(endpoint, request=request)
        messages.success(request, f"Webhook {endpoint.url} deleted.")
        return redirect("events:webhooks")
    if action not in ENDPOINT_ACTIONS:
        return HttpResponseNotAllowed(["POST"])
    act, said = ENDPOINT_ACTIONS[action]
    act(endpoint, request=request)
    messages.success(request, said)
    return redirect("events:endpoint", endpoint.pk)


@require_POST
@permission_required("console.use_lake", raise_exception=True)
def replay(request, endpoint_id, delivery_id):
    endpoint = get_endpoint_for_user(request.user, endpoint_id)
    delivery = get_delivery_for_user(request.user, endpoint, delivery_id)
    actions.replay(delivery, request=request)
    messages.success(request, f"Event #{delivery.seq} ({delivery.event.type}) will be sent again now.")
    return redirect("events:endpoint", endpoint.pk)


# --- SSE -----------------------------------------------------------------------------------


def _authenticate(request):
    """Who is asking for the stream, or None. The one place to add Bearer tokens with the `events` scope.

    For now: the console session, for a person who may use the lake.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("console.use_lake"):
        return user
    return None


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    response = JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                            status=status, content_type="application/problem+json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lake"'
    return response


@manual_user_scope
@require_GET
def event_stream(request):
    user = _authenticate(request)
    if user is None:
        return _problem(401, "Unauthorized", "Sign in (or send a token with the events scope) to follow events.")
    last = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    response = StreamingHttpResponse(
        sse.stream(user.pk, last, heartbeat_s=settings.EVENTS_SSE_HEARTBEAT_SECONDS,
                   max_seconds=settings.EVENTS_SSE_MAX_SECONDS),
        content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each frame on at once
    return response
