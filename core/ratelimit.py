"""A fixed-window attempt counter on Django's cache."""

import math
import time

from django.core.cache import cache


def rate_limit_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one attempt for ``key`` in a fixed window.

    None while within ``limit``; past it, the seconds until the window ends.
    """
    now = time.time()
    slot = int(now // window)
    cache_key = f"ratelimit:{key}:{slot}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
