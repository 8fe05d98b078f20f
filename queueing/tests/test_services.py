"""The queue's rules through its services: numbering, calling, recalls, transfer, counters."""

from __future__ import annotations

import datetime as dt

import pytest
from sequences import get_last_value

from accounts.models import User
from deadlines.engine import VN_TZ
from deadlines.models import CalendarDay, DayKind
from dossiers.models import Dossier
from queueing import services as q
from queueing.models import (
    BoardEvent,
    Counter,
    CounterState,
    OpeningHours,
    Policy,
    PriorityGroup,
    QueueSettings,
    ServiceArea,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from queueing.tests.conftest import MONDAY, minutes, set_policy
from units.models import Unit


def issue(area: ServiceArea, at: float, group: PriorityGroup | None = None) -> Ticket:
    return q.ticket_issue(area=area, priority_group=group, at=minutes(at))


def call(counter: Counter, officer: User, at: float) -> Ticket | None:
    return q.ticket_call_next(counter=counter, actor=officer, at=minutes(at))


def serve_all(counter: Counter, officer: User, start: float = 100) -> list[int]:
    """Call, start and finish until nobody waits; the numbers in the order called."""
    numbers = []
    moment = start
    while (ticket := call(counter, officer, moment)) is not None:
        numbers.append(ticket.number)
        q.ticket_start(ticket=ticket, actor=officer, at=minutes(moment + 1))
        q.ticket_finish(ticket=ticket, actor=officer, at=minutes(moment + 2))
        moment += 3
    return numbers


# -- numbering -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_restart_every_day_in_every_area(civil: ServiceArea, land: ServiceArea) -> None:
    monday = [issue(civil, n).number for n in range(3)]
    other = issue(land, 4).number
    tuesday = q.ticket_issue(area=civil, at=MONDAY + dt.timedelta(days=1)).number
    assert monday == [1001, 1002, 1003]
    assert other == 2001
    assert tuesday == 1001
    assert get_last_value(f"queue:{civil.pk}:20260302") == 3


@pytest.mark.django_db
def test_an_issued_ticket_is_waiting_with_its_facts_and_an_event(
    civil: ServiceArea, elderly: PriorityGroup
) -> None:
    ticket = issue(civil, 30, elderly)
    assert ticket.status == TicketStatus.WAITING
    assert ticket.priority and ticket.priority_group == elderly
    assert (ticket.day, ticket.weekday, ticket.hour) == (dt.date(2026, 3, 2), 0, 8)
    assert len(ticket.token) >= 16
    assert list(ticket.events.values_list("kind", flat=True)) == ["issued"]


@pytest.mark.django_db
def test_the_kiosk_issues_only_during_opening_hours(ward_center: Unit, civil: ServiceArea) -> None:
    OpeningHours.objects.create(
        center=ward_center, weekday=0, opens_at=dt.time(7), closes_at=dt.time(16, 45)
    )
    assert issue(civil, 0).number == 1001
    with pytest.raises(q.QueueError, match="closed"):
        q.ticket_issue(area=civil, at=MONDAY.replace(hour=17))
    with pytest.raises(q.QueueError, match="closed"):
        q.ticket_issue(area=civil, at=MONDAY + dt.timedelta(days=1))  # no Tuesday hours
    civil.is_active = False
    civil.save()
    with pytest.raises(q.QueueError):
        issue(civil, 1)


def weekday_hours(center: Unit) -> None:
    for weekday in range(5):
        OpeningHours.objects.create(
            center=center, weekday=weekday, opens_at=dt.time(7), closes_at=dt.time(16, 45)
        )


@pytest.mark.django_db
def test_no_ticket_on_a_weekday_the_calendar_takes_off(
    ward_center: Unit, civil: ServiceArea
) -> None:
    weekday_hours(ward_center)
    CalendarDay.objects.create(
        date=dt.date(2026, 11, 24), kind=DayKind.DAY_OFF, name="Ngày Văn hóa Việt Nam"
    )
    tuesday = dt.datetime(2026, 11, 24, 9, 0, tzinfo=VN_TZ)
    assert not q.is_open(ward_center, tuesday)
    with pytest.raises(q.QueueError, match="closed today"):
        q.ticket_issue(area=civil, at=tuesday)
    assert not Ticket.objects.exists()
    assert q.ticket_issue(area=civil, at=tuesday + dt.timedelta(days=1)).number == 1001
    assert q.next_day_open(ward_center, tuesday.date()) == dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_a_make_up_saturday_issues_tickets_in_the_usual_weekday_hours(
    ward_center: Unit, civil: ServiceArea
) -> None:
    weekday_hours(ward_center)  # no Saturday hours
    CalendarDay.objects.create(
        date=dt.date(2026, 1, 10), kind=DayKind.WORKING_DAY, name="Làm bù cho thứ Sáu 02/01/2026"
    )
    saturday = dt.datetime(2026, 1, 10, 15, 0, tzinfo=VN_TZ)
    assert q.hours_on(ward_center, saturday.date()) == (dt.time(7), dt.time(16, 45))
    ticket = q.ticket_issue(area=civil, at=saturday)
    assert (ticket.day, ticket.number) == (dt.date(2026, 1, 10), 1001)
    with pytest.raises(q.QueueError, match="closed now"):
        q.ticket_issue(area=civil, at=saturday.replace(hour=17))
    with pytest.raises(q.QueueError, match="closed today"):  # an ordinary Saturday
        q.ticket_issue(area=civil, at=saturday + dt.timedelta(days=7))


# -- calling by policy --------------------------------------------------------------------------


@pytest.mark.django_db
def test_strict_policy_through_the_counter(
    counter: Counter, desk_officer: User, civil: ServiceArea, elderly: PriorityGroup
) -> None:
    set_policy(civil, Policy.STRICT)
    for n, group in enumerate([None, None, elderly, None, elderly]):
        issue(civil, n, group)
    assert serve_all(counter, desk_officer) == [1003, 1005, 1001, 1002, 1004]


@pytest.mark.django_db
def test_interleave_policy_through_the_counter(
    counter: Counter, desk_officer: User, civil: ServiceArea, elderly: PriorityGroup
) -> None:
    set_policy(civil, Policy.INTERLEAVE, interleave_every=2)
    for n in range(5):
        issue(civil, n)
    for n in range(5, 8):
        issue(civil, n, elderly)
    # The count of normal tickets called since the last priority one is read back from the day.
    assert serve_all(counter, desk_officer) == [1001, 1002, 1006, 1003, 1004, 1007, 1005, 1008]


@pytest.mark.django_db
def test_aging_policy_through_the_counter(
    counter: Counter, desk_officer: User, civil: ServiceArea, elderly: PriorityGroup
) -> None:
    set_policy(civil, Policy.AGING, aging_minutes=20)
    issue(civil, 0)  # 1001
    issue(civil, 10)  # 1002
    issue(civil, 25, elderly)  # 1003 counts from 5
    issue(civil, 35, elderly)  # 1004 counts from 15
    issue(civil, 40)  # 1005
    assert serve_all(counter, desk_officer) == [1001, 1003, 1002, 1004, 1005]


@pytest.mark.django_db
def test_a_counter_serves_only_its_areas_and_shared_areas_are_not_called_twice(
    counter: Counter,
    counter_two: Counter,
    desk_officer: User,
    second_officer: User,
    civil: ServiceArea,
    land: ServiceArea,
) -> None:
    issue(land, 0)
    issue(civil, 1)
    first = call(counter, desk_officer, 5)  # counter 1 serves civil status only
    second = call(counter_two, second_officer, 5)
    assert first is not None and first.number == 1001
    assert second is not None and second.number == 2001
    for officer in (desk_officer, second_officer):
        q.ticket_start(ticket=q.current_ticket(officer), actor=officer)  # type: ignore[arg-type]
        q.ticket_finish(ticket=q.current_ticket(officer), actor=officer)  # type: ignore[arg-type]
    issue(civil, 7)  # both counters serve civil status: one calls it, the other finds nobody
    assert call(counter_two, second_officer, 8).number == 1002  # type: ignore[union-attr]
    assert call(counter, desk_officer, 8) is None


@pytest.mark.django_db
def test_call_next_is_refused_while_someone_is_at_the_counter(
    counter: Counter, desk_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    issue(civil, 1)
    call(counter, desk_officer, 2)
    with pytest.raises(q.QueueError, match="current ticket"):
        call(counter, desk_officer, 3)


@pytest.mark.django_db
def test_only_the_officer_at_the_counter_may_call(
    counter: Counter, second_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    with pytest.raises(q.QueueError, match="not at this counter"):
        call(counter, second_officer, 1)


@pytest.mark.django_db
def test_a_call_writes_the_wait_an_event_and_a_board_row(
    counter: Counter, desk_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    ticket = call(counter, desk_officer, 12)
    assert ticket is not None
    assert ticket.wait_seconds == 12 * 60
    assert ticket.counter == counter and ticket.served_by == desk_officer
    board = BoardEvent.objects.filter(kind="call").get()
    assert (board.counter_number, board.ticket_number) == (1, 1001)
    assert TicketEvent.objects.filter(ticket=ticket, kind="called").exists()


@pytest.mark.django_db
def test_nobody_waiting_calls_nobody(counter: Counter, desk_officer: User) -> None:
    assert call(counter, desk_officer, 0) is None
    assert not BoardEvent.objects.filter(kind="call").exists()


# -- recall and no-show ------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_show_only_after_the_configured_recalls(
    counter: Counter, desk_officer: User, civil: ServiceArea, queue_settings: QueueSettings
) -> None:
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    with pytest.raises(q.QueueError, match="0 of 2"):
        q.ticket_no_show(ticket=ticket, actor=desk_officer, at=minutes(2))
    q.ticket_recall(ticket=ticket, actor=desk_officer, at=minutes(2))
    with pytest.raises(q.QueueError, match="1 of 2"):
        q.ticket_no_show(ticket=ticket, actor=desk_officer, at=minutes(3))
    q.ticket_recall(ticket=ticket, actor=desk_officer, at=minutes(3))
    with pytest.raises(q.QueueError, match="mark it absent"):
        q.ticket_recall(ticket=ticket, actor=desk_officer, at=minutes(4))
    gone = q.ticket_no_show(ticket=ticket, actor=desk_officer, at=minutes(5))
    assert gone.status == TicketStatus.NO_SHOW and gone.recalls == 2
    assert list(
        BoardEvent.objects.filter(kind__in=["call", "recall"]).values_list("kind", flat=True)
    ) == [
        "call",
        "recall",
        "recall",
    ]
    assert call(counter, desk_officer, 6) is None  # the counter is free again


@pytest.mark.django_db
def test_zero_recalls_allow_a_no_show_at_once(
    counter: Counter, desk_officer: User, civil: ServiceArea, ward_center: Unit
) -> None:
    QueueSettings.objects.create(center=ward_center, recalls_before_no_show=0)
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    with pytest.raises(q.QueueError):
        q.ticket_recall(ticket=ticket, actor=desk_officer)
    assert q.ticket_no_show(ticket=ticket, actor=desk_officer).status == TicketStatus.NO_SHOW


@pytest.mark.django_db
def test_a_ticket_being_served_cannot_be_recalled_or_marked_absent(
    counter: Counter, desk_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    q.ticket_start(ticket=ticket, actor=desk_officer, at=minutes(2))
    for action in (q.ticket_recall, q.ticket_no_show, q.ticket_start):
        with pytest.raises(q.QueueError, match="state"):
            action(ticket=ticket, actor=desk_officer)


# -- transfer ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_transfer_keeps_the_number_and_the_place_in_time(
    counter: Counter,
    counter_two: Counter,
    desk_officer: User,
    second_officer: User,
    civil: ServiceArea,
    land: ServiceArea,
) -> None:
    counter_two.areas.set([land])
    issue(civil, 0)  # 1001, sent on to land
    issue(land, 5)  # 2001, came later
    ticket = call(counter, desk_officer, 6)
    assert ticket is not None and ticket.number == 1001
    q.ticket_start(ticket=ticket, actor=desk_officer, at=minutes(7))
    moved = q.ticket_transfer(
        ticket=ticket, area=land, actor=desk_officer, note="đất", at=minutes(8)
    )
    assert (moved.status, moved.area, moved.counter, moved.number) == (
        TicketStatus.WAITING,
        land,
        None,
        1001,
    )
    assert "Hộ tịch → Đất đai: đất" in moved.events.get(kind="transferred").note
    assert call(counter, desk_officer, 9) is None  # counter 1 does not serve land
    again = call(counter_two, second_officer, 9)
    assert again is not None and again.number == 1001  # queued since minute 0, before 2001
    assert again.wait_seconds == 6 * 60  # the first wait is kept


@pytest.mark.django_db
def test_transfer_refuses_the_same_area_and_other_centers(
    counter: Counter, desk_officer: User, civil: ServiceArea, other_center: Unit
) -> None:
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    elsewhere = ServiceArea.objects.create(center=other_center, name_vi="Khác", number_base=1000)
    with pytest.raises(q.QueueError, match="already"):
        q.ticket_transfer(ticket=ticket, area=civil, actor=desk_officer)
    with pytest.raises(q.QueueError, match="this center"):
        q.ticket_transfer(ticket=ticket, area=elsewhere, actor=desk_officer)


# -- serving, dossiers, counters -------------------------------------------------------------


@pytest.mark.django_db
def test_finish_records_the_service_time_and_current_ticket_follows_the_officer(
    counter: Counter, desk_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    assert q.current_ticket(desk_officer) == ticket
    q.ticket_start(ticket=ticket, actor=desk_officer, at=minutes(2))
    assert q.current_ticket(desk_officer) == ticket
    done = q.ticket_finish(ticket=ticket, actor=desk_officer, at=minutes(9.5))
    assert done.status == TicketStatus.DONE and done.service_seconds == 450
    assert q.current_ticket(desk_officer) is None


@pytest.mark.django_db
def test_a_ticket_links_to_the_dossier_received_at_its_center(
    counter: Counter,
    desk_officer: User,
    civil: ServiceArea,
    ward_case,
    papers,
    applicant_in,
    ward_center: Unit,
) -> None:
    from dossiers.services import dossier_intake

    dossier: Dossier = dossier_intake(
        actor=desk_officer, unit=ward_center, case=ward_case, applicant=applicant_in, papers=papers
    )
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    with pytest.raises(q.QueueError, match="served"):
        waiting = issue(civil, 2)
        q.ticket_link_dossier(ticket=waiting, dossier=dossier)
    linked = q.ticket_link_dossier(ticket=ticket, dossier=dossier, actor=desk_officer)
    assert linked.dossier == dossier
    assert dossier.queue_tickets.get() == ticket
    assert linked.events.get(kind="linked").note == dossier.code


@pytest.mark.django_db
def test_a_dossier_of_another_center_is_refused(
    counter: Counter,
    desk_officer: User,
    civil: ServiceArea,
    ward_case,
    papers,
    applicant_in,
    outsider: User,
    other_center: Unit,
) -> None:
    from dossiers.services import dossier_intake

    dossier = dossier_intake(
        actor=outsider, unit=other_center, case=ward_case, applicant=applicant_in, papers=papers
    )
    issue(civil, 0)
    ticket = call(counter, desk_officer, 1)
    assert ticket is not None
    q.ticket_start(ticket=ticket, actor=desk_officer)
    with pytest.raises(q.QueueError, match="another center"):
        q.ticket_finish(ticket=ticket, actor=desk_officer, dossier=dossier)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.SERVING  # nothing half-done


@pytest.mark.django_db
def test_pause_stops_calls_and_shows_on_the_board(
    counter: Counter, desk_officer: User, civil: ServiceArea
) -> None:
    issue(civil, 0)
    paused = q.counter_pause(counter=counter, actor=desk_officer, note="họp", at=minutes(1))
    assert paused.state == CounterState.PAUSED
    with pytest.raises(q.QueueError, match="Resume"):
        call(counter, desk_officer, 2)
    q.counter_resume(counter=counter, actor=desk_officer, at=minutes(3))
    ticket = call(counter, desk_officer, 4)
    assert ticket is not None
    with pytest.raises(q.QueueError, match="Finish"):
        q.counter_pause(counter=counter, actor=desk_officer)
    kinds = list(BoardEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["open", "paused", "open", "call"]


@pytest.mark.django_db
def test_an_officer_sits_at_one_counter_and_a_counter_takes_one_officer(
    counter: Counter,
    desk_officer: User,
    second_officer: User,
    ward_center: Unit,
    civil: ServiceArea,
) -> None:
    other = Counter.objects.create(center=ward_center, number=5)
    with pytest.raises(q.QueueError, match="other counter"):
        q.counter_open(counter=other, actor=desk_officer)
    with pytest.raises(q.QueueError, match="is at this counter"):
        q.counter_open(counter=counter, actor=second_officer)
    q.counter_close(counter=counter, actor=desk_officer)
    assert q.counter_open(counter=other, actor=desk_officer).officer == desk_officer


@pytest.mark.django_db
def test_the_manager_moves_a_counter_to_other_areas(
    counter: Counter, manager: User, land: ServiceArea, residence: ServiceArea, other_center: Unit
) -> None:
    q.counter_set_areas(counter=counter, areas=[land, residence], actor=manager)
    assert set(counter.areas.all()) == {land, residence}
    elsewhere = ServiceArea.objects.create(center=other_center, name_vi="Khác", number_base=1000)
    with pytest.raises(q.QueueError):
        q.counter_set_areas(counter=counter, areas=[elsewhere], actor=manager)


@pytest.mark.django_db
def test_wait_estimate_counts_people_ahead_and_open_counters(
    counter: Counter, counter_two: Counter, civil: ServiceArea, elderly: PriorityGroup
) -> None:
    set_policy(civil, Policy.STRICT, service_minutes=10)
    for n in range(4):
        issue(civil, n)
    last = issue(civil, 5)
    priority = issue(civil, 6, elderly)
    estimate = q.wait_estimate(last)
    assert (estimate.ahead, estimate.counters, estimate.minutes) == (5, 2, 25)
    assert q.wait_estimate(priority).ahead == 0
