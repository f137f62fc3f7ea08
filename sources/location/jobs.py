"""RQ jobs of location history. Thin wrappers: the work lives in sources.location.analytics."""

import django_rq
from django.db import transaction

from sources.location.analytics import refresh


def refresh_analytics(user_id=None):
    return {"ms": refresh(user_id)}


def enqueue_refresh(user_id: int | None = None) -> None:
    """Refresh the stats on the "maintenance" queue once the caller's transaction commits."""
    transaction.on_commit(lambda: django_rq.get_queue("maintenance").enqueue(refresh_analytics, user_id))
