"""Read queries over the per-user tables. They run as the app role inside the
request's user scope, so row-level security decides whose rows they see."""

from django.db.models import Count, Max, Min

from lake.models import ActivitySegment, LocationPoint, PlaceVisit

KINDS = (
    ("Location points", LocationPoint, "recorded_at"),
    ("Place visits", PlaceVisit, "started_at"),
    ("Activity segments", ActivitySegment, "started_at"),
)


def product_counts() -> list[dict]:
    rows = []
    for label, model, column in KINDS:
        summary = model.objects.aggregate(n=Count("*"), first=Min(column), last=Max(column))
        rows.append({"label": label, **summary})
    return rows
