"""RQ jobs of My Activity. Thin wrappers: the work lives in sources.activity.analytics."""

from sources import summaries
from sources.activity.analytics import refresh


def refresh_analytics(user_id=None):
    return {"ms": refresh(user_id)}


def enqueue_refresh(user_id: int | None = None) -> None:
    summaries.enqueue(refresh_analytics, user_id)
