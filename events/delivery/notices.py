"""The notice a person sees on every page while one of her webhooks is disabled.

Kept in the cache, not read from the database, so that no page pays a query
for it (hot pages have their query counts locked). The database stays the
truth: the webhooks page reads the endpoints themselves.
"""

from django.core.cache import cache
from django.db import transaction

from events.models import WebhookEndpoint


def _key(user_id: int) -> str:
    return f"events:disabled-webhooks:{int(user_id)}"


def refresh(user_id: int) -> None:
    """After the caller's transaction commits: the endpoints the dispatcher disabled (not their owner)."""
    urls = list(WebhookEndpoint.objects.filter(enabled=False, failing_since__isnull=False)
                .order_by("id").values_list("url", flat=True))

    def write():
        if urls:
            cache.set(_key(user_id), urls, timeout=None)
        else:
            cache.delete(_key(user_id))
    transaction.on_commit(write)


def disabled_urls(user_id: int) -> list[str]:
    try:
        return cache.get(_key(user_id)) or []
    except Exception:  # noqa: BLE001 - a notice must never break a page
        return []


def webhook_notice(request):
    """Context processor: `disabled_webhooks`, the URLs of the signed-in person's disabled endpoints."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"disabled_webhooks": disabled_urls(user.pk)}
