"""Every column of the progress report against counts taken straight from the event log."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import services as s
from dossiers.models import Dossier
from dossiers.tests.fixtures import all_papers, at
from reports.models import Tally
from reports.progress import Line, progress
from reports.rebuild import tallies_rebuild, tallies_verify
from reports.tests.story import Made, oracle

pytestmark = pytest.mark.django_db

COLUMNS = [
    "carried",
    "new_online",
    "new_direct",
    "new_post",
    "done_early",
    "done_on_time",
    "done_late",
    "withdrawn",
    "running",
    "running_overdue",
    "paused_now",
    "paused_now_overdue",
    "stopped_on_time",
    "stopped_overdue",
    "returned_direct",
    "returned_online",
    "returned_post",
    "submitted",
    "refused",
    "papers",
    "papers_digitised",
    "papers_reused",
    "dossiers_digitised",
]

PERIODS = [
    (dt.date(2024, 11, 25), dt.date(2025, 2, 20)),  # everything
    (dt.date(2024, 12, 1), dt.date(2024, 12, 31)),  # a whole month
    (dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
    (dt.date(2024, 12, 15), dt.date(2025, 1, 20)),  # across the year end
    (dt.date(2024, 1, 1), dt.date(2025, 12, 31)),  # two whole years
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # one whole year, still running
    (dt.date(2024, 12, 30), dt.date(2025, 1, 2)),
    (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),  # ends after the last event
]


def figures(line: Line) -> dict[str, int]:
    return {c: getattr(line, c) for c in COLUMNS if getattr(line, c)}


def test_every_column_matches_the_event_log(made: Made, ward_center) -> None:
    days = [dt.date(2024, 11, 25) + dt.timedelta(days=n) for n in range(0, 90, 3)]
    seen: set[str] = set()
    for start, end in PERIODS + [(d, d) for d in days]:
        report = progress(unit_ids=[ward_center.pk], start=start, end=end, by="unit")
        expected = oracle(made, start=start, end=end).get("all", {})
        assert figures(report.total) == expected, (start, end)
        assert report.total.balanced, (start, end)
        if expected:
            assert [line.key for line in report.lines] == [str(ward_center.pk)]
        seen |= set(expected)
    # The generated lives reach every column, so every column was compared.
    assert seen == set(COLUMNS)

    start, end = dt.date(2024, 12, 10), dt.date(2025, 1, 25)
    by_code = oracle(made, start=start, end=end, key=lambda d: d.procedure_version.procedure.code)
    for by in ("procedure", "field", "agency"):
        report = progress(unit_ids=[ward_center.pk], start=start, end=end, by=by)
        assert len(report.lines) == 2
        for line in report.lines:
            code = "1.004859" if line.code in ("1.004859", "HT", "ward_committee") else "3.000333"
            assert figures(line) == by_code[code], (by, line.label)
            assert line.balanced


def test_rebuild_gives_back_the_live_counters_and_verify_proves_it(made: Made) -> None:
    live = Counter(
        {
            (t.grain, t.day, t.unit_id, t.version_id, t.tag, m): getattr(t, m)
            for t in Tally.objects.all()
            for m in (
                "received_direct",
                "running",
                "running_overdue",
                "paused_overdue",
                "done_late",
            )
            if getattr(t, m)
        }
    )
    assert tallies_verify().ok
    call_command("reports_verify", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    Tally.objects.all().delete()
    assert not tallies_verify().ok
    with pytest.raises(CommandError):
        call_command("reports_rebuild", "--check", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    tallies_rebuild()
    assert tallies_verify().ok
    row = Tally.objects.filter(grain="d", received_direct__gt=0).first()
    row.received_direct += 1
    row.save(update_fields=["received_direct"])
    assert [m.key[0] for m in tallies_verify().mismatches] == ["d"]
    tallies_rebuild()
    rebuilt = Counter(
        {
            (t.grain, t.day, t.unit_id, t.version_id, t.tag, m): getattr(t, m)
            for t in Tally.objects.all()
            for m in (
                "received_direct",
                "running",
                "running_overdue",
                "paused_overdue",
                "done_late",
            )
            if getattr(t, m)
        }
    )
    assert rebuilt == live
    assert tallies_verify().ok


# -- single dossiers at the edges -----------------------------------------------------------


def _one(desk, center, case, applicant, when):
    return s.dossier_intake(
        actor=desk, unit=center, case=case, applicant=applicant, papers=all_papers(case), at=when
    )


def _routed(desk, approver, specialist, center, case, applicant, when):
    d = _one(desk, center, case, applicant, when)
    d = s.dossier_route(actor=desk, dossier=d, at=when + dt.timedelta(minutes=5))
    return s.dossier_assign(
        actor=approver, dossier=d, assignee=specialist, at=when + dt.timedelta(minutes=6)
    )


def test_late_by_one_minute_is_late_and_on_the_minute_is_on_time(
    desk_officer, approver, specialist, ward_center, ward_case, applicant
) -> None:
    mon = at(2025, 3, 3, 8, 0)  # due Thursday 6 March 08:00 (3 working days)
    results = []
    for resolved in (at(2025, 3, 6, 8, 1), at(2025, 3, 6, 8, 0), at(2025, 3, 5, 16, 0)):
        d = _routed(desk_officer, approver, specialist, ward_center, ward_case, applicant, mon)
        assert d.due_at == at(2025, 3, 6, 8, 0)
        s.dossier_resolve(actor=approver, dossier=d, number="1/UBND", at=resolved)
        results.append(resolved)
    report = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 3, 6), end=dt.date(2025, 3, 6))
    assert (report.total.done_late, report.total.done_on_time) == (1, 1)
    march = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    assert (march.total.done_early, march.total.done_on_time, march.total.done_late) == (1, 1, 1)
    assert march.total.on_time_rate == pytest.approx(2 / 3)


def test_open_dossier_due_on_the_last_day_is_overdue_at_the_period_end(
    desk_officer, ward_center, ward_case, applicant
) -> None:
    _one(desk_officer, ward_center, ward_case, applicant, at(2025, 3, 3, 8, 0))  # due Thu 08:00
    on_wed = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 5))
    on_thu = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 6))
    assert (on_wed.total.running, on_wed.total.running_overdue) == (1, 0)
    assert (on_thu.total.running, on_thu.total.running_overdue) == (1, 1)
    april = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    assert (april.total.carried, april.total.new, april.total.running_overdue) == (1, 0, 1)


def test_pause_stops_the_clock_and_keeps_its_standing(
    desk_officer, approver, specialist, ward_center, ward_case, applicant
) -> None:
    on_time = _routed(
        desk_officer, approver, specialist, ward_center, ward_case, applicant, at(2025, 3, 3, 8)
    )
    s.dossier_request_supplement(
        actor=specialist, dossier=on_time, items=["Bản sao"], at=at(2025, 3, 4, 8)
    )
    late = _routed(
        desk_officer, approver, specialist, ward_center, ward_case, applicant, at(2025, 3, 3, 9)
    )
    s.dossier_request_fees(actor=specialist, dossier=late, amount=10_000, at=at(2025, 3, 10, 8))
    month = progress(unit_ids=[ward_center.pk], start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    assert (month.total.paused, month.total.paused_overdue, month.total.running) == (2, 1, 0)
    # Papers back a week later: the clock runs again, due a week of work later.
    resumed = s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=on_time,
        papers=[s.PaperIn(name="Bản sao", copies=1)],
        at=at(2025, 3, 11, 8),
    )
    assert resumed.due_at == at(2025, 3, 13, 8)
    after = progress(
        unit_ids=[ward_center.pk], start=dt.date(2025, 3, 12), end=dt.date(2025, 3, 12)
    )
    assert (after.total.running, after.total.running_overdue) == (1, 0)
    assert (after.total.paused, after.total.paused_overdue, after.total.carried) == (1, 1, 2)
    s.dossier_stop(
        actor=approver, dossier=Dossier.objects.get(pk=late.pk), reason="x", at=at(2025, 3, 14, 9)
    )
    stop_day = progress(
        unit_ids=[ward_center.pk], start=dt.date(2025, 3, 14), end=dt.date(2025, 3, 14)
    )
    assert (
        stop_day.total.stopped_overdue,
        stop_day.total.paused,
        stop_day.total.running_overdue,
    ) == (1, 1, 1)
    assert stop_day.total.balanced
    assert tallies_verify().ok


def test_an_intake_costs_one_counter_statement(
    desk_officer, ward_center, ward_case, applicant
) -> None:
    _one(desk_officer, ward_center, ward_case, applicant, at(2025, 3, 3, 8))
    with CaptureQueriesContext(connection) as queries:
        _one(desk_officer, ward_center, ward_case, applicant, at(2025, 3, 3, 9))
    touching = [q["sql"] for q in queries if "reports_tally" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    assert not [
        q
        for q in queries
        if "reports_tally" not in q["sql"]
        and "dossiercomponent" in q["sql"]
        and q["sql"].startswith("SELECT")
    ]


def test_the_report_reads_three_queries(
    desk_officer, ward_center, ward_case, applicant, django_assert_max_num_queries
) -> None:
    _one(desk_officer, ward_center, ward_case, applicant, at(2025, 3, 3, 8))
    with django_assert_max_num_queries(4):
        progress(unit_ids=[ward_center.pk], start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31))
