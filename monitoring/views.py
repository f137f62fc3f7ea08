from django.contrib.auth.decorators import permission_required
from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lake.extensions import extension_status
from monitoring.health import READINESS, run_checks


@never_cache
def live(request):
    """The process is up and serving requests; nothing else is consulted."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    results = run_checks(READINESS)
    ok = all(r.ok for r in results)
    body = {"status": "ok" if ok else "fail", "checks": {r.name: r.as_dict() for r in results}}
    return JsonResponse(body, status=200 if ok else 503)


@permission_required("console.view_health", raise_exception=True)
def extensions(request):
    with connections["default"].cursor() as cursor:
        statuses = extension_status(cursor)
    return render(request, "monitoring/extensions.html", {"extensions": statuses})


@permission_required("console.view_health", raise_exception=True)
def overview(request):
    results = run_checks(READINESS)
    return render(request, "monitoring/overview.html", {"checks": results})
