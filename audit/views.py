from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from audit.forms import EventFilterForm
from audit.models import Event


@permission_required("console.read_audit", raise_exception=True)
def events(request):
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/events.html", {"form": form, "page": None, "action": "", "actor": ""},
                      status=400)
    action, actor = form.cleaned_data["action"], form.cleaned_data["actor"]
    events = Event.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"form": form, "page": page, "action": action, "actor": actor})
