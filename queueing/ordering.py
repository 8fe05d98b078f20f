"""Who is called next: the priority policies as pure functions over waiting tickets.

Each area orders its own waiting tickets by its policy:

- strict: every priority ticket (oldest first) before any normal ticket;
- interleave N: a priority ticket goes after every N normal tickets called in
  the area (or at once when no normal ticket waits);
- aging: a priority ticket counts as if it had been queued ``aging_minutes``
  earlier, so a normal ticket that has waited that much longer goes first and
  nobody waits forever.

A counter serving several areas takes the head of each area and calls the one
that has waited longest by the same measure; a strict area's priority ticket
goes before every other area's head. The officer cannot choose.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from queueing.models import Policy


@dataclass(frozen=True)
class Waiting:
    id: Any
    area_id: Any
    priority: bool
    queued_at: dt.datetime


@dataclass(frozen=True)
class Rule:
    policy: str
    interleave_every: int = 3
    aging_minutes: int = 20
    # Normal tickets called in the area since its last priority ticket today.
    normal_since_priority: int = 0


def _effective(rule: Rule, ticket: Waiting) -> dt.datetime:
    if rule.policy == Policy.AGING and ticket.priority:
        return ticket.queued_at - dt.timedelta(minutes=rule.aging_minutes)
    return ticket.queued_at


def _key(rule: Rule, ticket: Waiting) -> tuple[int, dt.datetime, str]:
    rank = 0 if rule.policy == Policy.STRICT and ticket.priority else 1
    return (rank, _effective(rule, ticket), str(ticket.id))


def area_order(rule: Rule, waiting: Iterable[Waiting]) -> Iterator[Waiting]:
    """The area's waiting tickets in the order its counters will call them."""
    tickets = sorted(waiting, key=lambda t: (t.queued_at, str(t.id)))
    if rule.policy != Policy.INTERLEAVE:
        yield from sorted(tickets, key=lambda t: _key(rule, t))
        return
    priority = deque(t for t in tickets if t.priority)
    normal = deque(t for t in tickets if not t.priority)
    since = rule.normal_since_priority
    every = max(rule.interleave_every, 1)
    while priority or normal:
        if priority and (not normal or since >= every):
            since = 0
            yield priority.popleft()
        else:
            since += 1
            yield normal.popleft()


def area_head(rule: Rule, waiting: Iterable[Waiting]) -> Waiting | None:
    return next(area_order(rule, waiting), None)


def next_ticket(rules: dict[Any, Rule], waiting: Iterable[Waiting]) -> Waiting | None:
    """The ticket a counter serving the areas in ``rules`` calls next."""
    by_area: dict[Any, list[Waiting]] = {}
    for ticket in waiting:
        if ticket.area_id in rules:
            by_area.setdefault(ticket.area_id, []).append(ticket)
    heads = []
    for area_id, tickets in by_area.items():
        head = area_head(rules[area_id], tickets)
        if head is not None:
            heads.append((_key(rules[area_id], head), head))
    if not heads:
        return None
    return min(heads, key=lambda pair: pair[0])[1]


def people_ahead(rule: Rule, waiting: Iterable[Waiting], ticket_id: Any) -> int:
    """How many of the area's waiting tickets will be called before this one."""
    for position, ticket in enumerate(area_order(rule, waiting)):
        if ticket.id == ticket_id:
            return position
    return 0
