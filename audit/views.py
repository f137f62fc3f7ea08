from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from audit.models import Event


@permission_required("console.read_audit", raise_exception=True)
def events(request):
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    events = Event.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"page": page, "action": action, "actor": actor})
