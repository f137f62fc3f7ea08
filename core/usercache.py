"""Per-user cache of computed pages (overview, stats), dropped when the user's data changes.

A version number per user is part of every cached key: invalidating bumps it,
so stale entries are never read again and expire on their own.
"""

from django.core.cache import cache

CACHE_TIMEOUT = 6 * 3600
_GENERATION_KEY = "lake:generation"


def _version_key(user_id: int) -> str:
    return f"lake:user:{int(user_id)}:version"


def cache_key(user_id: int, name: str) -> str:
    version = cache.get(_version_key(user_id)) or 0
    generation = cache.get(_GENERATION_KEY) or 0
    return f"lake:user:{int(user_id)}:{generation}.{version}:{name}"


def cached_for_user(user_id: int, name: str, compute):
    key = cache_key(user_id, name)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_TIMEOUT)
    return value


def invalidate_user_cache(user_id: int) -> None:
    """Forget the cached overview and stats of one user (an import finished, data deleted)."""
    key = _version_key(user_id)
    cache.add(key, 0, None)
    cache.incr(key)


def invalidate_all_caches() -> None:
    cache.add(_GENERATION_KEY, 0, None)
    cache.incr(_GENERATION_KEY)
