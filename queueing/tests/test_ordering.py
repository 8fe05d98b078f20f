"""The priority policies as sequences: who is called first, second, third…"""

from __future__ import annotations

import datetime as dt

from queueing.models import Policy
from queueing.ordering import Rule, Waiting, area_order, next_ticket, people_ahead
from queueing.tests.conftest import minutes


def tickets(spec: str, area: str = "A") -> list[Waiting]:
    """``"n1 P2 n3"``: a normal or priority ticket named by its arrival minute."""
    return [
        Waiting(
            id=f"{area}{word}",
            area_id=area,
            priority=word[0] == "P",
            queued_at=minutes(int(word[1:])),
        )
        for word in spec.split()
    ]


def names(order: list[Waiting]) -> str:
    return " ".join(str(t.id)[1:] for t in order)


def test_strict_calls_every_priority_ticket_first_oldest_first() -> None:
    order = list(area_order(Rule(Policy.STRICT), tickets("n1 n2 P3 n4 P5 n6")))
    assert names(order) == "P3 P5 n1 n2 n4 n6"


def test_interleave_calls_one_priority_ticket_after_every_n_normal_ones() -> None:
    waiting = tickets("n1 n2 n3 n4 n5 n6 n7 P8 P9 P10")
    order = list(area_order(Rule(Policy.INTERLEAVE, interleave_every=2), waiting))
    assert names(order) == "n1 n2 P8 n3 n4 P9 n5 n6 P10 n7"


def test_interleave_counts_the_normal_tickets_already_called_today() -> None:
    waiting = tickets("n1 n2 P3")
    rule = Rule(Policy.INTERLEAVE, interleave_every=3, normal_since_priority=3)
    assert names(list(area_order(rule, waiting))) == "P3 n1 n2"
    rule = Rule(Policy.INTERLEAVE, interleave_every=3, normal_since_priority=2)
    assert names(list(area_order(rule, waiting))) == "n1 P3 n2"


def test_interleave_calls_priority_tickets_when_nobody_else_waits() -> None:
    order = list(area_order(Rule(Policy.INTERLEAVE, interleave_every=5), tickets("P1 P2 n3")))
    assert names(order) == "n3 P1 P2"
    order = list(area_order(Rule(Policy.INTERLEAVE, interleave_every=5), tickets("P1 P2")))
    assert names(order) == "P1 P2"


def test_aging_gives_priority_tickets_a_head_start_but_nobody_waits_forever() -> None:
    # Priority tickets count as queued 20 minutes earlier: P15 goes before n0?
    # No: n0 waited since 0, P15 counts from -5, so P15 first; n0 before P25 (5).
    waiting = tickets("n0 n10 P15 P25 n30 n40")
    order = list(area_order(Rule(Policy.AGING, aging_minutes=20), waiting))
    assert names(order) == "P15 n0 P25 n10 n30 n40"


def test_aging_with_no_head_start_is_first_come_first_served() -> None:
    order = list(area_order(Rule(Policy.AGING, aging_minutes=0), tickets("n1 P2 n3 P4")))
    assert names(order) == "n1 P2 n3 P4"


def test_a_counter_of_several_areas_calls_who_waited_longest() -> None:
    waiting = tickets("n5 n9", "A") + tickets("n3 n7", "B")
    rules = {"A": Rule(Policy.AGING, aging_minutes=0), "B": Rule(Policy.AGING, aging_minutes=0)}
    called = []
    while waiting:
        chosen = next_ticket(rules, waiting)
        assert chosen is not None
        called.append(str(chosen.id))
        waiting.remove(chosen)
    assert called == ["Bn3", "An5", "Bn7", "An9"]


def test_a_strict_areas_priority_ticket_goes_before_other_areas() -> None:
    waiting = tickets("n1", "A") + tickets("P9", "B")
    rules = {"A": Rule(Policy.AGING), "B": Rule(Policy.STRICT)}
    chosen = next_ticket(rules, waiting)
    assert chosen is not None and chosen.id == "BP9"


def test_areas_the_counter_does_not_serve_are_ignored() -> None:
    waiting = tickets("n1", "A") + tickets("n0", "B")
    chosen = next_ticket({"A": Rule(Policy.STRICT)}, waiting)
    assert chosen is not None and chosen.id == "An1"
    assert next_ticket({"C": Rule(Policy.STRICT)}, waiting) is None


def test_people_ahead_follows_the_policy() -> None:
    waiting = tickets("n1 n2 n3 P4")
    assert people_ahead(Rule(Policy.STRICT), waiting, "AP4") == 0
    assert people_ahead(Rule(Policy.STRICT), waiting, "An3") == 3
    assert people_ahead(Rule(Policy.INTERLEAVE, interleave_every=2), waiting, "AP4") == 2
    assert people_ahead(Rule(Policy.AGING, aging_minutes=0), waiting, "AP4") == 3


def test_equal_times_keep_a_stable_order() -> None:
    same = [
        Waiting(id=f"x{i}", area_id="A", priority=False, queued_at=minutes(0) + dt.timedelta(0))
        for i in range(5)
    ]
    order = [t.id for t in area_order(Rule(Policy.STRICT), same)]
    assert order == ["x0", "x1", "x2", "x3", "x4"]
