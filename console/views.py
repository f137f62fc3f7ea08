from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.usercache import cached_for_user
from explore import queries
from sources.location.analytics import last_refreshed


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
    context = {"counts": None}
    if request.user.has_perm("console.use_lake"):
        # Counting millions of rows per page view is wasteful: the overview is
        # cached per user until an import or a deletion invalidates it.
        context.update(cached_for_user(request.user.pk, "overview", lambda: _overview(request.user)))
        context["quota"] = queries.quota()
        context["imports"] = queries.recent_imports(request.user)
        context["refreshed"] = last_refreshed()
    return render(request, "console/home.html", context)
