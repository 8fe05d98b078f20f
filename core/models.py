import uuid
from typing import Any

from django.db import models
from django.utils.translation import get_language

from core.ids import uuid7


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.id)


class TimeStampedModel(UUIDModel):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def in_language(vi: str, en: str) -> str:
    """The English text on English pages when there is one; Vietnamese otherwise."""
    if en and (get_language() or "vi").startswith("en"):
        return en
    return vi


class Bilingual:
    """Picks ``name_en`` when the page is English and it is filled in."""

    name_vi: str
    name_en: str

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)


__all__ = ["Bilingual", "TimeStampedModel", "UUIDModel", "in_language", "uuid"]


class AttemptCount(models.Model):
    """Attempts of one kind by one client in one fixed window: a rate limit's counter.

    Kept in the database so that every server process counts the same
    attempts; a limit kept in each process's memory would let a client try
    as many times over as there are processes.
    """

    key = models.CharField(max_length=200)
    slot = models.BigIntegerField()  # the window's number since the epoch
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "slot"], name="one_count_per_key_and_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} #{self.slot}: {self.count}"


def related_known(obj: models.Model, name: str, rows: list[Any]) -> None:
    """Make ``obj.<name>.all()``, a reverse foreign key, answer ``rows`` without a query.

    What ``prefetch_related`` leaves behind, for rows the caller has just
    written or read by hand.
    """
    manager = getattr(obj, name)
    field = manager.field
    for row in rows:
        setattr(row, field.name, obj)
    kept = manager.get_queryset()
    kept._result_cache = rows
    kept._prefetch_done = True
    cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[field.remote_field.cache_name] = kept
