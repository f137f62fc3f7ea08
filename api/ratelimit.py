"""Requests per token per minute, counted in Redis (a fixed window: one INCR per request)."""

import time

import django_rq
from django.conf import settings

from api.problems import Problem


def check(token_id: int, *, limit: int | None = None, now: float | None = None) -> None:
    """Count one request of token `token_id`; past the limit, a 429 saying when to come back."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE if limit is None else limit
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"api:rate:{token_id}:{window}"
    connection = django_rq.get_connection("default")
    with connection.pipeline() as pipe:
        count, _ = pipe.incr(key).expire(key, 120).execute()
    if count > limit:
        retry_after = max(1, 60 * (window + 1) - int(now))
        raise Problem(429, f"This token made more than {limit} requests this minute; try again in "
                           f"{retry_after} s.", headers={"Retry-After": str(retry_after)})
