"""RQ jobs of location history. Thin wrappers: the work lives in sources.location.analytics."""

from sources import summaries
from sources.location.analytics import refresh


def refresh_analytics(user_id=None):
    return {"ms": refresh(user_id)}


def enqueue_refresh(user_id: int | None = None) -> None:
    """Refresh the stats on the "maintenance" queue once the caller's transaction commits."""
    summaries.enqueue(refresh_analytics, user_id)
