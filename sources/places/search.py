"""Full-text search over saved places' titles, addresses and notes.

A generated tsvector column `search` on user_data.saved_place with a GIN
index, made by migration places.0001; the ORM does not know the column, so
queries reach it through `matching()`. The 'simple' configuration: names come
in every language.
"""


from sources.localtime import local
from sources.places.models import SavedPlace
from sources.places.timeline import place_title, safe_url, where
from sources.textsearch import matching


def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Saved places matching `text`, best first; `start`/`end` bound the save time (UTC).

    A window leaves out the places that state no save time (labels, lists).
    """
    places = matching(SavedPlace.objects.all(), text)
    if product:
        places = places.filter(product=product)
    if start:
        places = places.filter(saved_at__gte=start)
    if end:
        places = places.filter(saved_at__lt=end)
    results = []
    for place in places.order_by("-rank", "title", "place_key")[:limit]:
        when = local(place.saved_at, None)
        detail = " · ".join(part for part in (place.address, where(place), place.note) if part)
        results.append({"kind": "Saved place", "title": place_title(place), "detail": detail, "when": when,
                        "day": when.date() if when else None, "product": place.product, "rank": place.rank,
                        "url": safe_url(place.url)})
    return results


def search_products() -> list[str]:
    return list(SavedPlace.objects.order_by().values_list("product", flat=True).distinct())
