"""Record ids that two nodes can create without asking each other."""

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7).

    Ordered ids keep new rows at the end of the primary-key index, and the
    62 random bits make a collision between two offline nodes negligible.
    The 12 bits after the millisecond hold the sub-millisecond fraction, so
    ids made one after another in a process sort in creation order.
    """
    nanos = time.time_ns()
    unix_ms, sub_ms = divmod(nanos, 1_000_000)
    sub_ms_bits = sub_ms * 4096 // 1_000_000
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= sub_ms_bits << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)
