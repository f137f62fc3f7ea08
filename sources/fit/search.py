"""Full-text search over Fit sessions' activity names and titles ("running", "Morning run").

A generated tsvector `search` on timeseries.fit_session with a GIN index (migration fit.0001).
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.fit.models import FitSession
from sources.fit.timeline import session_detail, session_title
from sources.localtime import local

CONFIG = "simple"


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    sessions = FitSession.objects.alias(
        hit=RawSQL(f"search @@ {query}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {query})", [text], output_field=FloatField()),  # noqa: S611 - text is bound
    )
    if product:
        sessions = sessions.filter(product=product)
    if start:
        sessions = sessions.filter(started_at__gte=start)
    if end:
        sessions = sessions.filter(started_at__lt=end)
    results = []
    for session in sessions.order_by("-rank", "-started_at")[:limit]:
        when = local(session.started_at, None)
        results.append({"kind": "Workout", "title": session_title(session), "detail": session_detail(session),
                        "when": when, "day": when.date(), "product": session.product, "rank": session.rank,
                        "url": ""})
    return results


def search_products() -> list[str]:
    return list(FitSession.objects.order_by("product").values_list("product", flat=True).distinct())
