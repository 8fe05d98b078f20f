"""Life events: the moments people think in ("we are getting married"), mapped to procedures.

The map is data (``portal/data/life_events.json``), read once; a procedure
code the catalog does not hold is skipped, so the file may name procedures a
province has not published yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.models import in_language

DATA = Path(__file__).resolve().parent / "data" / "life_events.json"


@dataclass(frozen=True)
class LifeEvent:
    slug: str
    name_vi: str
    name_en: str
    summary_vi: str
    summary_en: str
    procedures: tuple[str, ...]

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)

    @property
    def summary(self) -> str:
        return in_language(self.summary_vi, self.summary_en)


@cache
def life_events() -> tuple[LifeEvent, ...]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        LifeEvent(
            slug=item["slug"],
            name_vi=item["name_vi"],
            name_en=item.get("name_en", ""),
            summary_vi=item.get("summary_vi", ""),
            summary_en=item.get("summary_en", ""),
            procedures=tuple(item["procedures"]),
        )
        for item in raw["events"]
    )


def life_event(slug: str) -> LifeEvent | None:
    return next((event for event in life_events() if event.slug == slug), None)


def events_for_procedure(code: str) -> list[LifeEvent]:
    return [event for event in life_events() if code in event.procedures]
