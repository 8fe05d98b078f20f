"""Pages of a JSON list: a limit and an offset, both bounded.

Ninja's own pagination leaves the offset unbounded, and a number larger
than the database stores reached the query and failed there with a server
error. Here it is refused as bad input (422, naming the field), and the
limit has a documented ceiling.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

PER_PAGE = 100
MAX_LIMIT = 500
# The largest offset every supported database takes as a row count.
MAX_OFFSET = 2**31 - 1


class PageIn(Schema):
    limit: int = Field(
        PER_PAGE, ge=1, le=MAX_LIMIT, description=f"Rows in this answer, at most {MAX_LIMIT}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip from the first one.")


class Pages(LimitOffsetPagination):
    Input = PageIn  # type: ignore[assignment]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
