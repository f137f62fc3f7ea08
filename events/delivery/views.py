"""Webhook pages (register, rotate, enable, delivery log with replay).

Views parse and delegate to events.delivery.actions; the middleware's user
scope covers each page. The SSE endpoint is the API's (api/events.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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

