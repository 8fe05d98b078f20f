"""Dossiers driven through the real services, and the report worked out from their event log.

``generate`` makes random lives (online and desk filings, refusals, pauses
that end or never end, extensions, results early, on time, late by a minute,
withdrawals, stops, returns by every channel). After every service call it
notes the dossier's due moment, so ``oracle`` can read, for any moment, the
status and the due moment in force straight from the log, without the
counters or their code.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from catalog.models import Case
from deadlines.calendar import calendar_for_unit
from deadlines.engine import VN_TZ
from dossiers import services as s
from dossiers.models import Applicant, Dossier, DossierComponent, DossierEvent
from dossiers.services import PaperIn
from dossiers.tests.fixtures import all_papers
from units.models import Unit

OPEN = {"received", "processing", "supplement_requested", "fees_requested"}
RUNNING = {"received", "processing"}
PAUSED = {"supplement_requested", "fees_requested"}


@dataclass
class Agency:
    case: Case
    approver: User
    specialist: User


@dataclass
class Made:
    # The due moment after the service call that appended each event.
    due_after: dict[Any, dt.datetime | None] = field(default_factory=dict)
    dossiers: list[Dossier] = field(default_factory=list)


def _note(made: Made, dossier: Dossier) -> Dossier:
    fresh = Dossier.objects.get(pk=dossier.pk)
    last = fresh.events.order_by("-seq").first()
    assert last is not None
    made.due_after[last.pk] = fresh.due_at
    return fresh


def _new_date(dossier: Dossier, t: dt.datetime, days: int) -> dt.datetime:
    """A new date an extension may promise: ``days`` working days after now or the due date,
    whichever is later, so it lies ahead and in working time."""
    assert dossier.due_at is not None
    calendar = calendar_for_unit(dossier.receiving_unit)
    return calendar.add_working_minutes(max(t, dossier.due_at), days * calendar.day_minutes)


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    # Mostly office hours, sometimes early, at lunch, late or on a weekend.
    hour = rng.choice([7, 8, 8, 9, 9, 10, 10, 11, 12, 13, 14, 14, 15, 16, 16, 17, 19, 22])
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), VN_TZ)


def generate(
    *,
    seed: int,
    count: int,
    first: dt.date,
    days: int,
    horizon: dt.datetime,
    desk: User,
    center: Unit,
    agencies: list[Agency],
    citizen: User,
    applicant: Applicant,
    made: Made | None = None,
) -> Made:
    rng = random.Random(seed)
    made = made or Made()
    for _number in range(count):
        agency = rng.choice(agencies)
        t = _moment(rng, first + dt.timedelta(days=rng.randrange(days)))
        d = _life(rng, made, t, horizon, desk, center, agency, citizen, applicant)
        if d is not None:
            made.dossiers.append(d)
    return made


def _later(rng: random.Random, t: dt.datetime, low: float, high: float) -> dt.datetime:
    return t + dt.timedelta(minutes=rng.uniform(low, high) * 60 * 24)


def _life(
    rng: random.Random,
    made: Made,
    t: dt.datetime,
    horizon: dt.datetime,
    desk: User,
    center: Unit,
    agency: Agency,
    citizen: User,
    applicant: Applicant,
) -> Dossier | None:
    case = agency.case
    channel = rng.choices(["direct", "online", "post"], [5, 4, 1])[0]
    if channel == "online":
        d = s.dossier_create(
            actor=citizen, case=case, applicant=applicant, unit=center, channel="online", at=t
        )
        _note(made, d)
        d = s.dossier_submit(actor=citizen, dossier=d, papers=all_papers(case), at=t)
        _note(made, d)
        t = _later(rng, t, 0.05, 2)
        if t > horizon:
            return d
        if rng.random() < 0.1:
            d = s.dossier_refuse(actor=desk, dossier=d, reasons=["Sai mẫu"], at=t)
            return _note(made, d)
        if rng.random() < 0.05:
            d = s.dossier_withdraw(actor=desk, dossier=d, reason="Không còn nhu cầu", at=t)
            return _note(made, d)
        d = _note(made, s.dossier_receive(actor=desk, dossier=d, at=t))
    else:
        papers = all_papers(case)
        if rng.random() < 0.3:
            papers = [
                PaperIn(component_id=p.component_id, originals=1, reused=True) for p in papers
            ]
        d = s.dossier_intake(
            actor=desk,
            unit=center,
            case=case,
            applicant=applicant,
            channel=channel,
            papers=papers,
            at=t,
        )
        d = _note(made, d)
    if rng.random() < 0.05:
        t = _later(rng, t, 0.01, 3)
        if t <= horizon:
            d = _note(made, s.dossier_withdraw(actor=desk, dossier=d, at=t))
        return d
    t = _later(rng, t, 0.01, 0.5)
    if t > horizon:
        return d
    d = _note(made, s.dossier_route(actor=desk, dossier=d, at=t))
    d = _note(
        made, s.dossier_assign(actor=agency.approver, dossier=d, assignee=agency.specialist, at=t)
    )
    for _round in range(rng.choice([0, 0, 0, 1, 1, 2])):
        t = _later(rng, t, 0.05, 6)
        if t > horizon:
            return d
        fees = rng.random() < 0.4
        if fees:
            d = s.dossier_request_fees(actor=agency.specialist, dossier=d, amount=50_000, at=t)
        else:
            d = s.dossier_request_supplement(
                actor=agency.specialist, dossier=d, items=["Bản sao"], at=t
            )
        d = _note(made, d)
        t = _later(rng, t, 0.05, 8)
        if t > horizon:
            return d
        ending = rng.random()
        if ending < 0.07:
            return _note(
                made, s.dossier_stop(actor=agency.approver, dossier=d, reason="Quá hạn", at=t)
            )
        if ending < 0.12:
            return _note(made, s.dossier_withdraw(actor=desk, dossier=d, at=t))
        if ending < 0.2:
            new_due = _new_date(d, t, rng.choice([1, 4]))
            d = _note(
                made,
                s.dossier_extend(
                    actor=agency.approver, dossier=d, new_due=new_due, reason="Xác minh", at=t
                ),
            )
            t = _later(rng, t, 0.01, 2)
            if t > horizon:
                return d
        if fees:
            d = s.dossier_record_payment(
                actor=desk, dossier=d, amount=d.fees_due - d.fees_paid, at=t
            )
        else:
            d = s.dossier_receive_supplement(
                actor=desk, dossier=d, papers=[PaperIn(name="Bản sao", copies=1)], at=t
            )
        d = _note(made, d)
    if rng.random() < 0.08:
        t = max(t, d.due_at - dt.timedelta(hours=2))
        if t <= horizon:
            new_due = _new_date(d, t, 2)
            d = _note(
                made,
                s.dossier_extend(
                    actor=agency.approver, dossier=d, new_due=new_due, reason="Xác minh", at=t
                ),
            )
    if rng.random() < 0.04:
        t = _later(rng, t, 0.01, 4)
        if t <= horizon:
            d = _note(made, s.dossier_stop(actor=agency.approver, dossier=d, reason="Dừng", at=t))
        return d
    assert d.due_at is not None
    when = rng.choice(["early", "early", "same_day", "on_the_minute", "late_minute", "late"])
    if when == "early":
        done = max(t, d.due_at - dt.timedelta(days=rng.uniform(1, 3)))
    elif when == "same_day":
        done = max(t, d.due_at.astimezone(VN_TZ).replace(hour=0, minute=30))
    elif when == "on_the_minute":
        done = max(t, d.due_at)
    elif when == "late_minute":
        done = max(t, d.due_at + dt.timedelta(minutes=1))
    else:
        done = max(t, d.due_at + dt.timedelta(days=rng.uniform(0.2, 5)))
    if done > horizon:
        return d
    number = f"{rng.randrange(1, 10**6)}/KQ"
    d = _note(made, s.dossier_resolve(actor=agency.approver, dossier=d, number=number, at=done))
    back = _later(rng, done, 0.001, 4)
    if back > horizon or rng.random() < 0.1:
        return d
    ret = rng.choice(["direct", "direct", "online", "post"])
    if ret == "online":  # the signed result is attached before it goes online
        Dossier.objects.filter(pk=d.pk).update(result_file=f"results/{d.pk}.pdf")
    d = s.dossier_return(actor=desk, dossier=d, channel=ret, collected_by="Người nhận", at=back)
    return _note(made, d)


# -- the report worked out from the log ---------------------------------------------------


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), VN_TZ)


def oracle(
    made: Made, *, start: dt.date, end: dt.date, key: Any = lambda d: "all"
) -> dict[Any, dict[str, int]]:
    """Every column of the progress report, per line, from the events themselves."""
    begin, stop = midnight(start), midnight(end + dt.timedelta(days=1))
    lines: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    papers = {row["dossier_id"]: row for row in _paper_counts([d.pk for d in made.dossiers])}
    logs: dict[Any, list[DossierEvent]] = defaultdict(list)
    for event in DossierEvent.objects.filter(dossier__in=made.dossiers).order_by("at", "seq"):
        logs[event.dossier_id].append(event)
    for dossier in made.dossiers:
        events = logs[dossier.pk]
        line = lines[key(dossier)]

        def state(
            moment: dt.datetime, events: list[DossierEvent] = events
        ) -> tuple[str, dt.datetime | None, dt.datetime | None]:
            """Status, due moment in force and pause start just before ``moment``."""
            status, due, pause = "", None, None
            for e in events:
                if e.at >= moment:
                    break
                status = e.to_status
                if e.pk in made.due_after:
                    due = made.due_after[e.pk]
                if e.action in ("request_supplement", "request_fees"):
                    pause = e.at
            return status, due, pause if status in PAUSED else None

        if state(begin)[0] in OPEN:
            line["carried"] += 1
        status, due, pause = state(stop)
        if status in RUNNING:
            line["running"] += 1
            line["running_overdue"] += int(due < stop)
        if status in PAUSED:
            line["paused_now"] += 1
            line["paused_now_overdue"] += int(pause > due)
        for e in events:
            if not begin <= e.at < stop:
                continue
            if e.action == "receive":
                line[f"new_{dossier.channel}"] += 1
                counts = papers.get(dossier.pk)
                if counts:
                    line["papers"] += counts["n"]
                    line["papers_digitised"] += counts["digitised"]
                    line["papers_reused"] += counts["reused"]
                    line["dossiers_digitised"] += int(counts["n"] == counts["digitised"])
            elif e.action == "submit":
                line["submitted"] += 1
            elif e.action == "refuse":
                line["refused"] += 1
            elif e.action == "return":
                line[f"returned_{e.data['channel']}"] += 1
            elif e.action in ("resolve", "withdraw", "stop") and e.from_status != "submitted":
                # The due moment in force just before the event.
                due_before, pause_before = _before(events, e, made)
                judged = pause_before or e.at
                if e.action == "stop":
                    line["stopped_overdue" if judged > due_before else "stopped_on_time"] += 1
                    continue
                if judged > due_before:
                    line["done_late"] += 1
                elif judged.astimezone(VN_TZ).date() < due_before.astimezone(VN_TZ).date():
                    line["done_early"] += 1
                else:
                    line["done_on_time"] += 1
                if e.action == "withdraw":
                    line["withdrawn"] += 1
    return {k: {c: n for c, n in v.items() if n} for k, v in lines.items()}


def _before(events: list[DossierEvent], event: DossierEvent, made: Made) -> tuple[Any, Any]:
    due, pause, status = None, None, ""
    for e in events:
        if e.pk == event.pk:
            break
        status = e.to_status
        if e.pk in made.due_after:
            due = made.due_after[e.pk]
        if e.action in ("request_supplement", "request_fees"):
            pause = e.at
    return due, pause if status in PAUSED else None


def _paper_counts(ids: list[Any]) -> list[dict[str, Any]]:
    from django.db.models import Count, Q

    return list(
        DossierComponent.objects.filter(dossier_id__in=ids, supplement=False)
        .values("dossier_id")
        .annotate(
            n=Count("id"),
            digitised=Count("id", filter=Q(reused=True) | ~Q(file="")),
            reused=Count("id", filter=Q(reused=True)),
        )
    )
