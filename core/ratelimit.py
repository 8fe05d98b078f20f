"""A fixed-window attempt counter shared by every server process (``AttemptCount``)."""

import datetime as dt
import math
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import AttemptCount


def rate_limit_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one attempt for ``key`` in a fixed window.

    None while within ``limit``; past it, the seconds until the window ends.
    The row is created if missing and incremented in the database, so two
    processes counting at once both count, and each reads its own number.
    """
    now = time.time()
    slot = int(now // window)
    ends = dt.datetime.fromtimestamp((slot + 1) * window, tz=dt.UTC)
    key = key[:200]
    with transaction.atomic():
        AttemptCount.objects.bulk_create(
            [AttemptCount(key=key, slot=slot, expires_at=ends)], ignore_conflicts=True
        )
        counter = AttemptCount.objects.filter(key=key, slot=slot)
        # The update holds the row (the database, on SQLite) until the end of
        # the transaction: the count read next is this attempt's own.
        counter.update(count=F("count") + 1)
        count = counter.values_list("count", flat=True).get()
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))


def rate_counts_sweep(*, now: dt.datetime | None = None) -> int:
    """Forget the counters of windows that have ended; how many went."""
    deleted, _by_model = AttemptCount.objects.filter(
        expires_at__lt=now if now is not None else timezone.now()
    ).delete()
    return deleted
