"""Full-text search over YouTube's words: comment and live chat text, item titles.

Generated tsvector columns `search` with GIN indexes, made by migration 0001
(on the partitioned parent, so later partitions get both). The 'simple'
configuration: people comment in every language, and one language's
stemming would mangle the rest.
"""


from sources.localtime import local
from sources.textsearch import matching, within
from sources.youtube.models import YoutubeComment, YoutubeItem
from sources.youtube.parsers import watch_url
from sources.youtube.timeline import LABELS, shorten

ITEM_LABELS = {"subscription": "YouTube subscription", "playlist": "YouTube playlist",
               "playlist_video": "YouTube playlist video", "like": "YouTube like"}



def safe_url(url: str) -> str:
    """Only http(s) links are shown as links; anything else (javascript:, data:) is dropped."""
    return url if url.lower().startswith(("https://", "http://")) else ""



def search(text: str, *, product: str = "", start=None, end=None, limit: int = 200) -> list[dict]:
    """Comments and kept items whose words match `text`, best first; `start`/`end` bound the UTC window.

    Only dated items: every hit links to its day's page, and an undated one
    (a subscription from subscriptions.csv) has no day to link to.
    """
    results = []
    comments = within(matching(YoutubeComment.objects.all(), text), "created_at", product, start, end)
    for comment in comments.order_by("-rank", "-created_at")[:limit]:
        when = local(comment.created_at, None)
        results.append({"kind": LABELS.get(comment.kind, "YouTube"), "title": shorten(comment.text),
                        "detail": comment.video_id or comment.post_id, "when": when, "day": when.date(),
                        "product": comment.product, "rank": comment.rank, "url": watch_url(comment.video_id)})
    # Subscriptions have no date: they are found all the same (the page shows them without a day).
    items = within(matching(YoutubeItem.objects.all(), text), "added_at", product, start, end)
    for item in items.order_by("-rank", "item_id")[:limit]:
        when = local(item.added_at, None)
        results.append({"kind": ITEM_LABELS.get(item.kind, "YouTube"), "title": item.title or item.item_id,
                        "detail": item.item_id, "when": when, "day": when.date() if when else None,
                        "product": item.product, "rank": item.rank, "url": safe_url(item.url)})
    results.sort(key=lambda hit: -hit["rank"])
    return results[:limit]


def search_products() -> list[str]:
    """Products that have something to search (comments, items with titles)."""
    comments = YoutubeComment.objects.exclude(text="").order_by().values_list("product", flat=True).distinct()
    items = YoutubeItem.objects.exclude(title="").order_by().values_list(
        "product", flat=True).distinct()
    return sorted(set(comments) | set(items))
