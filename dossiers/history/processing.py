"""The queue of timed steps, who acts, and a dossier's life from assignment to hand-over."""

from __future__ import annotations

import datetime as dt
import heapq
import io
from collections import Counter
from typing import Any

import pydyf
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from catalog.models import OnlineLevel
from dossiers import services
from dossiers.history.staff import Staff
from dossiers.history.tracks import Track
from dossiers.models import (
    Applicant,
    ApplicantKind,
    Channel,
    Dossier,
    ResultOutcome,
    ReturnChannel,
)
from dossiers.papers import result_paper_keep
from dossiers.services import PaperIn
from units.models import Unit, UnitKind

RESULT_REFUSALS = (
    "Không đủ điều kiện theo quy định",
    "Kết quả xác minh không phù hợp với thông tin kê khai",
)
WITHDRAW_REASONS = ("Người yêu cầu xin rút hồ sơ", "Không còn nhu cầu giải quyết")
STOP_REASON = "Người yêu cầu không bổ sung hồ sơ trong thời hạn quy định"
EXTEND_REASON = "Cần xác minh thêm thông tin với cơ quan liên quan"
RESULT_PREFIX: dict[str, str] = {
    UnitKind.WARD_COMMITTEE: "UBND",
    UnitKind.POLICE: "CA",
    UnitKind.JUSTICE: "STP",
    UnitKind.FINANCE: "STC",
    UnitKind.CONSTRUCTION: "SXD",
    UnitKind.AGRI_ENV: "SNNMT",
    UnitKind.HEALTH: "SYT",
    UnitKind.EDUCATION: "SGDĐT",
    UnitKind.HOME_AFFAIRS: "SNV",
    UnitKind.SOCIAL_INSURANCE: "BHXH",
    UnitKind.TAX: "T",
}


class Processing:
    """The base of ``Simulation``: the queue, shared helpers, and the steps from assignment on."""

    def __init__(self, *, staff: Staff) -> None:
        self.staff = staff
        self.queue: list[tuple[dt.datetime, int, str, Track]] = []
        self.counter = 0
        self.citizens: dict[Any, User] = {}
        self.result_numbers: Counter[tuple[Any, int]] = Counter()

    # -- the queue -----------------------------------------------------------------------------

    def push(self, moment: dt.datetime, step: str, track: Track) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (moment, self.counter, step, track))

    # -- people acting -------------------------------------------------------------------------

    def _desk(self, track: Track) -> User:
        return track.rng.choice(self.staff.desks[track.center.unit.pk])

    def _agency(self, track: Track) -> tuple[User, User]:
        """(approver, specialist) of the competent agency."""
        assert track.dossier is not None
        unit_id = track.dossier.competent_unit_id
        approver = track.rng.choice(self.staff.approvers[unit_id])
        specialists = self.staff.specialists.get(unit_id) or [approver]
        return approver, track.rng.choice(specialists)

    def _citizen(self, applicant: Applicant) -> User:
        user = self.citizens.get(applicant.pk)
        if user is None:
            user = applicant.user
        if user is None:
            prefix = "dn" if applicant.kind == ApplicantKind.BUSINESS else "cd"
            user, _created = User.objects.get_or_create(
                username=f"{prefix}.{applicant.id_number}",
                defaults={
                    "full_name": applicant.full_name,
                    "password": make_password(None),
                    "phone": applicant.phone,
                },
            )
            Applicant.objects.filter(pk=applicant.pk, user__isnull=True).update(user=user)
            applicant.user = user
        self.citizens[applicant.pk] = user
        return user

    def _later(self, track: Track, moment: dt.datetime, minutes: float) -> dt.datetime:
        """``minutes`` of working time after ``moment``, in the receiving center's calendar."""
        return track.center.calendar.add_working_minutes(moment, max(1.0, minutes))

    def _budget(self, track: Track) -> float:
        d = track.dossier
        assert d is not None and d.received_at is not None and d.due_at is not None
        return track.center.calendar.working_minutes_between(d.received_at, d.due_at)

    def _remaining(self, track: Track, moment: dt.datetime) -> float:
        assert track.dossier is not None and track.dossier.due_at is not None
        return track.center.calendar.working_minutes_between(moment, track.dossier.due_at)

    # -- steps after routing -------------------------------------------------------------------

    def _assign(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.approver, track.assignee = self._agency(track)
        track.dossier = services.dossier_assign(
            actor=track.approver, dossier=track.dossier, assignee=track.assignee, at=at
        )
        self._next(track, at)

    def _next(self, track: Track, at: dt.datetime) -> None:
        """What the agency does next: a pause, a withdrawal, an extension or the result."""
        plan, rng = track.plan, track.rng
        remaining = max(self._remaining(track, at), 0.0)
        if plan.withdraw:
            plan.withdraw = False
            self.push(self._later(track, at, remaining * rng.uniform(0.1, 0.8)), "withdraw", track)
        elif plan.supplement:
            plan.supplement = False
            minutes = remaining * rng.uniform(0.05, 0.4)
            self.push(self._later(track, at, minutes), "supplement", track)
        elif plan.fees:
            plan.fees = False
            self.push(self._later(track, at, remaining * rng.uniform(0.1, 0.6)), "fees", track)
        elif plan.extend and remaining > 60:
            plan.extend = False
            self.push(self._later(track, at, remaining * rng.uniform(0.5, 0.9)), "extend", track)
        elif plan.late or remaining <= 0:
            assert track.dossier is not None and track.dossier.due_at is not None
            day = track.center.calendar.day_minutes
            # Most late dossiers slip by a day or two, some by weeks.
            late_by = day * (rng.uniform(0.1, 3) if rng.random() < 0.6 else rng.uniform(3, 15))
            base = max(at, track.dossier.due_at)
            self.push(self._later(track, base, late_by), "resolve", track)
        else:
            minutes = max(remaining * rng.uniform(0.15, 0.97), 1.0)
            self.push(self._later(track, at, minutes), "resolve", track)

    def _supplement(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None and track.assignee is not None
        item = track.rng.choice(track.info.paper_names)
        track.dossier = services.dossier_request_supplement(
            actor=track.assignee,
            dossier=track.dossier,
            items=[f"Bản sao có chứng thực: {item}"],
            at=at,
        )
        day = track.center.calendar.day_minutes
        if track.plan.abandon:
            minutes = day * track.rng.uniform(10, 15)
            self.push(self._later(track, at, minutes), "stop", track)
        else:
            minutes = day * track.rng.uniform(1, 7)
            self.push(self._later(track, at, minutes), "supplement_back", track)

    def _supplement_back(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        item = track.dossier.events.order_by("-seq").values_list("data", flat=True).first()
        names = (item or {}).get("items") or ["Giấy tờ bổ sung"]
        track.dossier = services.dossier_receive_supplement(
            actor=self._desk(track),
            dossier=track.dossier,
            papers=[PaperIn(name=name, copies=1) for name in names],
            at=at,
        )
        self._next(track, at)

    def _fees(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None and track.assignee is not None
        amount = track.info.fees
        track.dossier = services.dossier_request_fees(
            actor=track.assignee,
            dossier=track.dossier,
            amount=amount,
            note="Nộp lệ phí và nghĩa vụ tài chính theo thông báo",
            at=at,
        )
        minutes = track.center.calendar.day_minutes * track.rng.uniform(0.1, 2)
        self.push(self._later(track, at, minutes), "pay", track)

    def _pay(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        owed = track.dossier.fees_due - track.dossier.fees_paid
        track.dossier = services.dossier_record_payment(
            actor=self._desk(track),
            dossier=track.dossier,
            amount=owed,
            receipt_number=f"BL{track.rng.randrange(10**7):07d}",
            at=at,
        )
        self._next(track, at)

    def _stop(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        approver = track.approver or self._agency(track)[0]
        track.dossier = services.dossier_stop(
            actor=approver, dossier=track.dossier, reason=STOP_REASON, at=at
        )

    def _withdraw(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_withdraw(
            actor=self._desk(track),
            dossier=track.dossier,
            reason=track.rng.choice(WITHDRAW_REASONS),
            at=at,
        )

    def _extend(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None and dossier.due_at is not None and track.approver is not None
        day = track.center.calendar.day_minutes
        old_due = dossier.due_at
        new_due = self._later(track, old_due, day * track.rng.randint(2, 5))
        track.dossier = services.dossier_extend(
            actor=track.approver, dossier=dossier, new_due=new_due, reason=EXTEND_REASON, at=at
        )
        # Finished after the first date, within the new one.
        extra = track.center.calendar.working_minutes_between(old_due, new_due)
        self.push(
            self._later(track, old_due, extra * track.rng.uniform(0.1, 0.9)), "resolve", track
        )

    def _resolve(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None
        approver = track.approver or self._agency(track)[0]
        unit = dossier.competent_unit
        if track.plan.result_refused:
            kwargs: dict[str, Any] = {
                "outcome": ResultOutcome.REFUSED,
                "note": track.rng.choice(RESULT_REFUSALS),
            }
        else:
            prefix = RESULT_PREFIX.get(unit.kind, "KQ")
            kwargs = {"number": f"{self._result_number(unit, at.year)}/{at.year}/{prefix}"}
        track.dossier = services.dossier_resolve(actor=approver, dossier=dossier, at=at, **kwargs)
        self._hand_over(track, at)

    def _result_number(self, unit: Unit, year: int) -> int:
        """The next result document number of ``unit`` in ``year``, after any already given."""
        key = (unit.pk, year)
        if key not in self.result_numbers:
            self.result_numbers[key] = (
                Dossier.objects.filter(competent_unit=unit, result_signed_on__year=year)
                .exclude(result_number="")
                .count()
            )
        self.result_numbers[key] += 1
        return self.result_numbers[key]

    def _hand_over(self, track: Track, at: dt.datetime) -> None:
        rng = track.rng
        day = track.center.calendar.day_minutes
        online = track.plan.channel == Channel.ONLINE
        if online and track.info.online_level == OnlineLevel.FULL and rng.random() < 0.85:
            channel, minutes = ReturnChannel.ONLINE, rng.uniform(2, 40)
        elif track.plan.channel == Channel.POST or rng.random() < 0.03:
            channel, minutes = ReturnChannel.POST, day * rng.uniform(0.5, 2)
        elif rng.random() < 0.04:  # collected weeks later
            channel, minutes = ReturnChannel.DIRECT, day * rng.uniform(8, 25)
        else:
            channel, minutes = ReturnChannel.DIRECT, day * rng.expovariate(1 / 1.2)
        track.return_channel = channel
        self.push(self._later(track, at, minutes), "return", track)

    def _return(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None
        channel = track.return_channel
        collected_by = collector_id = ""
        if channel == ReturnChannel.DIRECT:
            applicant = dossier.applicant
            if applicant.kind == ApplicantKind.BUSINESS:
                collected_by = applicant.representative or applicant.full_name
            else:
                collected_by, collector_id = applicant.full_name, applicant.id_number
        elif channel == ReturnChannel.ONLINE:  # only a result with its document goes online
            _electronic_result(dossier)
        track.dossier = services.dossier_return(
            actor=self._desk(track),
            dossier=dossier,
            channel=channel,
            collected_by=collected_by,
            collector_id_number=collector_id,
            at=at,
        )


def _electronic_result(dossier: Dossier) -> None:
    """A one-page stand-in for the signed result, kept as the applicant's result paper."""
    lines = [
        "MotCua - demo",
        "Ket qua giai quyet ho so (van ban gia lap)",
        f"Ho so: {dossier.code}",
        f"So van ban: {dossier.result_number}",
    ]
    upload = SimpleUploadedFile(f"{dossier.pk}.pdf", _one_page_pdf(lines))
    result_paper_keep(dossier, upload)


def _one_page_pdf(lines: list[str]) -> bytes:
    """An A4 page of plain lines in a font every reader has (so without Vietnamese marks):
    rendering thousands of real forms would make the demo history minutes longer."""
    document = pydyf.PDF()
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica"})
    document.add_object(font)
    text = pydyf.Stream()
    text.begin_text()
    text.set_font_size("F1", 14)
    for number, line in enumerate(lines):
        text.set_text_matrix(1, 0, 0, 1, 72, 770 - 24 * number)
        text.show_text(pydyf.String(line))
    text.end_text()
    document.add_object(text)
    resources = pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})})
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": document.pages.reference,
            "MediaBox": [0, 0, 595, 842],
            "Contents": text.reference,
            "Resources": resources,
        }
    )
    document.add_page(page)
    written = io.BytesIO()
    document.write(written)
    return written.getvalue()
