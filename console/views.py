from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from core.usercache import cached_for_user
from explore import queries
from sources.summaries import last_refreshed

# What administrators and ops come for: their home lists these instead of a bare welcome.
ROLE_PAGES = [
    ("console.manage_users", "people:list", "Users", "Manage people: add accounts, set roles, reset passwords."),
    ("console.manage_lifecycle", "lifecycle:policies", "Lifecycle",
     "Age old months out into verified, encrypted archives."),
    ("console.read_audit", "audit:events", "Audit log", "Who did what, when and from where."),
    ("console.view_health", "monitoring:overview", "Health",
     "Database, queues and storage, problems first, with the action that fixes each."),
    ("console.view_health", "monitoring:extensions", "Extensions", "Which PostgreSQL extensions the server has."),
]


def role_pages(user) -> list[dict]:
    pages = []
    for permission, name, label, description in ROLE_PAGES:
        if not user.has_perm(permission):
            continue
        try:
            pages.append({"url": reverse(name), "label": label, "description": description})
        except NoReverseMatch:  # that app is not installed
            continue
    return pages


def _overview(user) -> dict:
    counts = queries.product_counts()
    return {
        "counts": counts,
        "products": queries.per_product_counts(),
        "total": queries.total_records(counts),
        "heatmap": queries.heatmap(queries.daily_totals()),
        "used": queries.storage_used(user.pk),
    }


@login_required
def home(request):
    context = {"counts": None, "role_pages": role_pages(request.user)}
    if request.user.has_perm("console.use_lake"):
        # Counting millions of rows per page view is wasteful: the overview is
        # cached per user until an import or a deletion invalidates it.
        context.update(cached_for_user(request.user.pk, "overview", lambda: _overview(request.user)))
        context["quota"] = queries.quota()
        context["imports"] = queries.recent_imports(request.user)
        context["refreshed"] = last_refreshed()
    return render(request, "console/home.html", context)
