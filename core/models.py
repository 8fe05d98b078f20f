import uuid

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
