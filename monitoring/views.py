"""The health pages, /metrics and the readiness endpoints. Thin: readings come from
monitoring.snapshot, actions from monitoring.actions."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.extensions import extension_status
from core.middleware import manual_user_scope
from monitoring import snapshot as snapshots
from monitoring.actions import Action, ActionError, count_default_rows, request_action
from monitoring.actions import action_outcome as action_outcome_of
from monitoring.health import READINESS, run_checks
from monitoring.metrics import METRICS_UNCONFIGURED_HELP, render_metrics, token_configured
from sqlaccess.queries import login_overview
from vectors import embedders
from vectors import jobs as vector_jobs
from vectors import store as vector_store

VIEW = "console.view_health"
RUN = "console.run_maintenance"
# The ops pages read catalogs, Redis and RQ, never a user's rows: they need no
# per-user scope (and skip its transaction and four round trips per request),
# hence @manual_user_scope on each without ever opening one.


@never_cache
def live(request):
    """The process is up and serving requests; nothing else is consulted."""
    return JsonResponse({"status": "ok"})


@manual_user_scope
@never_cache
def ready(request):
    """Anyone (a load balancer) gets ok or fail per check; ops and the metrics
    token also get the details, which name the server version, role and workers."""
    results = run_checks(READINESS)
    ok = all(r.ok for r in results)
    detailed = _bearer_ok(request) or (request.user.is_authenticated and request.user.has_perm(VIEW))
    checks = {r.name: r.as_dict() if detailed else {"status": r.as_dict()["status"], "ms": r.as_dict()["ms"]}
              for r in results}
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)


def _bearer_ok(request) -> bool:
    """A Prometheus-style `Authorization: Bearer <METRICS_TOKEN>`; no token configured means no access."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _page(request, template, section, **context):
    context["cache_seconds"] = settings.HEALTH_CACHE_SECONDS
    context["reading_at"] = (context.get("snap") or context.get("summary") or {}).get("taken_at")
    return render(request, f"monitoring/{template}", {"section": section, **context})


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def overview(request):
    summary = snapshots.current(full=False)
    return _page(request, "overview.html", "overview", summary=summary, checks=summary["checks"],
                 series=summary["series"], can_run=request.user.has_perm(RUN),
                 metrics_token=token_configured(), metrics_unconfigured_help=METRICS_UNCONFIGURED_HELP)


@manual_user_scope
@never_cache
def overview_json(request):
    if not _bearer_ok(request) and not (request.user.is_authenticated and request.user.has_perm(VIEW)):
        if request.user.is_authenticated:
            raise PermissionDenied
        return JsonResponse({"error": "send Authorization: Bearer <METRICS_TOKEN> or sign in as ops"}, status=401)
    summary = snapshots.current(full=False)
    body = {
        "taken_at": summary["taken_at"].isoformat(),
        "status": summary["checks"][0].state if summary["checks"] else "ok",
        "counts": summary["counts"], "headline": summary["headline"],
        "checks": [check.as_dict() for check in summary["checks"]],
    }
    return JsonResponse(body)


@manual_user_scope
@never_cache
def metrics(request):
    if not _bearer_ok(request):
        text = "bearer token required\n" if token_configured() else METRICS_UNCONFIGURED_HELP + "\n"
        response = HttpResponse(text, status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render_metrics(snapshots.current()),
                        content_type="application/openmetrics-text; version=1.0.0; charset=utf-8")


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def partitions(request):
    snap = snapshots.current()
    return _page(request, "partitions.html", "partitions", snap=snap, roots=snap["roots"],
                 can_run=request.user.has_perm(RUN))


def _root_or_404(snap, label):
    """The one way to look a partitioned table up by its label."""
    for root in snap["roots"]:
        if root["label"] == label:
            return root
    raise Http404(f"no partitioned table {label}")


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def partition_leaves(request, label):
    snap = snapshots.current()
    root = _root_or_404(snap, label)
    leaves = sorted(root["leaves"], key=lambda leaf: (not leaf["is_default"], leaf["lower"] is None,
                                                      str(leaf["lower"] or "")), reverse=False)
    return _page(request, "partition_leaves.html", "partitions", snap=snap, root=root, leaves=leaves,
                 can_run=request.user.has_perm(RUN))


@manual_user_scope
@permission_required(RUN, raise_exception=True)
@require_http_methods(["POST"])
def count_default(request, label):
    try:
        partition, rows = count_default_rows(label, actor=request.user, request=request)
    except ActionError as error:
        raise Http404(str(error)) from None
    messages.info(request, f"{partition} holds exactly {rows} row{'s' if rows != 1 else ''} (counted as the owner; "
                           "the count is in the audit log).")
    return redirect("monitoring:partition_leaves", label=label)


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def vacuum(request):
    snap = snapshots.current()
    rolled = [t for t in snap["tables"] if not t["root"]]
    ordered = sorted(rolled, key=lambda t: -(t["n_dead_tup"] or 0))
    by_age = sorted(snap["tables"], key=lambda t: -(t["xid_age"] or 0))[:15]
    return _page(request, "vacuum.html", "vacuum", snap=snap, tables=ordered, roots=snap["roots"],
                 by_age=by_age, checks={c.key: c for c in snap["checks"]}, can_run=request.user.has_perm(RUN))


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def cache(request):
    snap = snapshots.current()
    tables = [t for t in snap["tables"] if not t["root"] and sum(t["cache_window"])]
    indexes = sorted((i for i in snap["indexes"] if (i["idx_blks_hit"] or 0) + (i["idx_blks_read"] or 0)),
                     key=lambda i: -(i["idx_blks_read"] or 0))[:20]
    return _page(request, "cache.html", "cache", snap=snap, tables=tables, roots=snap["roots"], indexes=indexes,
                 checks={c.key: c for c in snap["checks"]}, series=snap["series"])


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def queues(request):
    snap = snapshots.current()
    return _page(request, "queues.html", "queues", snap=snap, rq=snap["rq"], check=_check(snap, "rq"),
                 series=snap["series"], can_run=request.user.has_perm(RUN), backfill=vector_jobs.backfill_progress())


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def storage(request):
    snap = snapshots.current()
    biggest = sorted(snap["roots"] + [t for t in snap["tables"] if not t["root"]], key=lambda t: -t["bytes"])[:25]
    schemas = sorted(snap["schema_bytes"].items(), key=lambda item: -item[1])
    return _page(request, "storage.html", "storage", snap=snap, biggest=biggest, schemas=schemas,
                 check=_check(snap, "storage"), series=snap["series"])


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def activity(request):
    snap = snapshots.current()
    sessions = sorted(snap["sessions"], key=lambda s: (s["state"] != "active", -(s["xact_seconds"] or 0)))
    return _page(request, "activity.html", "activity", snap=snap, sessions=sessions,
                 checks={c.key: c for c in snap["checks"]}, can_run=request.user.has_perm(RUN))


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def sql_access(request):
    """Every person's own database login: workspace size against the quota, sessions open and per day."""
    logins = login_overview()
    return _page(request, "sql_access.html", "sql_access", logins=logins,
                 days=[entry["day"] for entry in logins[0]["per_day"]] if logins else [])


@manual_user_scope
@permission_required(VIEW, raise_exception=True)
def extensions(request):
    with connections["default"].cursor() as cursor:
        statuses = extension_status(cursor)
    return _page(request, "extensions.html", "extensions", extensions=statuses,
                 vector_path=vector_store.path_label(), embedding_model=embedders.current_name())


def _safe_next(request) -> str:
    candidate = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
    return candidate if candidate and ok else ""


def _check(snap, key):
    return next(c for c in snap["checks"] if c.key == key)


@manual_user_scope
@never_cache
@permission_required(VIEW, raise_exception=True)
def action_outcome(request, job_id):
    """Where a confirmed action lands: its job followed (htmx) until it finished or failed."""
    outcome = action_outcome_of(job_id)
    if outcome is None:
        raise Http404("no such maintenance action (its outcome is kept for a week)")
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return _page(request, "action_outcome.html", "actions", outcome=outcome, job_id=job_id, next=back)


@manual_user_scope
@permission_required(RUN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def action(request, name):
    try:
        chosen = Action(name)
    except ValueError:
        raise Http404(f"no action {name}") from None
    target = request.POST.get("target", request.GET.get("target", ""))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            target, job_id = request_action(chosen, actor=request.user, target=target, request=request)
        except ActionError as error:
            messages.error(request, str(error))
        else:
            outcome = reverse("monitoring:action_outcome", args=[job_id])
            back = _safe_next(request)
            return redirect(f"{outcome}?{urlencode({'next': back})}" if back else outcome)
    return _page(request, "confirm.html", "actions", action=chosen, spec=chosen.spec, target=target,
                 next=request.GET.get("next", request.POST.get("next", "")))
