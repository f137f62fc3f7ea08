"""Full-text search over photos' titles, descriptions and people (sidecars).

A generated tsvector column `search` on user_data.photo_sidecar with a GIN
index, made by migration photos.0001 ('simple' configuration); the ORM does
not know the column, so queries reach it through RawSQL.
"""

from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from sources.localtime import local
from sources.photos.models import PhotoSidecar
from sources.photos.timeline import distinct_photos, photo_detail, photo_title, safe_url

CONFIG = "simple"
_QUERY = f"websearch_to_tsquery('{CONFIG}', %s)"


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    sidecars = PhotoSidecar.objects.alias(
        hit=RawSQL(f"search @@ {_QUERY}", [text], output_field=BooleanField()),  # noqa: S611 - text is bound
    ).filter(hit=True).annotate(
        rank=RawSQL(f"ts_rank(search, {_QUERY})", [text], output_field=FloatField()),  # noqa: S611 - bound
    )
    if product:
        sidecars = sidecars.filter(product=product)
    if start:
        sidecars = sidecars.filter(taken_at__gte=start)
    if end:
        sidecars = sidecars.filter(taken_at__lt=end)
    rows = sidecars.order_by("-rank", "taken_at", "path").values(
        "path", "name", "title", "description", "taken_at", "lat_e7", "lng_e7", "people", "url", "favorited",
        "product", "rank")
    results = []
    for row in distinct_photos(rows[: limit * 4]):
        if len(results) >= limit:
            break
        when = local(row["taken_at"], None)
        results.append({"kind": "Photo", "title": photo_title(row), "detail": photo_detail(row), "when": when,
                        "day": when.date() if when else None, "product": row["product"], "rank": row["rank"],
                        "url": safe_url(row["url"])})
    return results


def search_products() -> list[str]:
    return list(PhotoSidecar.objects.order_by().values_list("product", flat=True).distinct())
