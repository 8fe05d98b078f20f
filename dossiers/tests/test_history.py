"""The demo history: a short simulated period on the demo province, through the real services."""

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import Assignment, Role, User
from core.demo import DEMO_PASSWORD, PROVINCE
from dossiers import services
from dossiers.history import (
    FAMILY_NAMES,
    HistoryError,
    HistoryResult,
    history_simulate,
    id_number_for,
    person_new,
    staff_ensure,
)
from dossiers.models import Action, Applicant, DigitisedPaper, Dossier, DossierEvent, Status
from units.models import Unit, UnitKind

CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
# Two full weeks of March 2026, far from Tết: Mondays 2 and 9, Wednesdays 4 and 11.
UNTIL = dt.date(2026, 3, 13)
VOLUME = 0.08


@pytest.fixture
def demo_province(db: None) -> Unit:
    call_command("demo", no_history=True, stdout=StringIO())
    return Unit.objects.get(code=PROVINCE.code)


def simulate(**options: object) -> HistoryResult:
    return history_simulate(**{"days": 14, "seed": 1, "until": UNTIL, "volume": VOLUME, **options})


def first_day(dossier_id: object) -> dt.date:
    created = DossierEvent.objects.get(dossier_id=dossier_id, action=Action.CREATE)
    return timezone.localtime(created.at).date()


def check_projection_equals_the_log() -> None:
    for dossier in Dossier.objects.select_related("case", "receiving_unit"):
        events = list(dossier.events.order_by("seq"))
        assert events, dossier
        assert dossier.status == events[-1].to_status, dossier
        assert dossier.last_seq == events[-1].seq
        assert [e.at for e in events] == sorted(e.at for e in events), dossier
        received = [e for e in events if e.action == Action.RECEIVE]
        if received:
            assert dossier.received_at == received[0].at
            assert dossier.due_at == services.due_moment(dossier), dossier
        else:
            assert dossier.received_at is None


def check_codes() -> None:
    codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(CODE_RE.match(code) for code in codes)
    # Per unit and day the numbers run 1, 2, 3... without holes.
    runs: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        prefix, number = code.rsplit("-", 1)
        runs[prefix].append(int(number))
    for prefix, got in runs.items():
        assert sorted(got) == list(range(1, len(got) + 1)), prefix
    seqs = list(DossierEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.django_db
def test_a_fortnight_of_dossiers_through_the_services(demo_province: Unit) -> None:
    result = simulate()
    assert not result.skipped
    assert result.created == Dossier.objects.count() > 150

    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert statuses[Status.RETURNED] > statuses[Status.PROCESSING] > 0
    assert len(statuses) >= 6, statuses  # open, paused, finished, refused...
    assert 0.9 <= result.on_time_rate <= 1.0
    assert "on time" in result.summary()

    check_projection_equals_the_log()
    check_codes()

    # Monday peaks: more arrivals on an average Monday than on an average Wednesday.
    by_day = Counter(first_day(pk) for pk in Dossier.objects.values_list("pk", flat=True))
    mondays = [n for day, n in by_day.items() if day.weekday() == 0]
    wednesdays = [n for day, n in by_day.items() if day.weekday() == 2]
    assert len(mondays) == len(wednesdays) == 2
    assert sum(mondays) > 1.3 * sum(wednesdays)
    # Nothing arrives at the desk on a weekend; online filings do.
    for dossier in Dossier.objects.exclude(channel="online"):
        assert first_day(dossier.pk).weekday() < 5

    # About half online, the rest at the desk and a few by post.
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert 0.35 < channels["online"] / sum(channels.values()) < 0.65
    # Every center received, and every agency decision was taken by its own staff.
    centers = Unit.objects.centers().filter(province=demo_province)
    assert set(Dossier.objects.values_list("receiving_unit", flat=True)) == set(
        centers.values_list("pk", flat=True)
    )
    for event in DossierEvent.objects.filter(action=Action.RESOLVE).select_related(
        "actor", "dossier"
    )[:50]:
        assert event.actor.has_role(Role.APPROVER, event.dossier.competent_unit_id)

    # Applicants: Vietnamese names, 12-digit numbers matching birth year and sex.
    families = {name for name, _weight in FAMILY_NAMES}
    citizens = Applicant.objects.filter(kind="citizen")
    assert citizens.count() > 100
    for applicant in citizens:
        assert applicant.full_name.split()[0] in families
        number = applicant.id_number
        assert len(number) == 12 and number.isdigit()
        century = (applicant.birth_date.year // 100 - 19) * 2
        assert int(number[3]) == century + (applicant.sex == "female")
        assert number[4:6] == f"{applicant.birth_date.year % 100:02d}"
    returning = Dossier.objects.values("applicant").annotate(n=Count("id")).filter(n__gt=1)
    assert returning.exists()

    # A result handed over online can be downloaded: a real one-page PDF naming its dossier.
    online = Dossier.objects.filter(return_channel="online").first()
    assert online is not None
    paper = DigitisedPaper.objects.get(source=online, is_result=True)
    with paper.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in content and online.code.encode() in content


@pytest.mark.django_db
def test_running_again_adds_nothing_and_a_later_run_continues(demo_province: Unit) -> None:
    first = simulate(days=7, until=UNTIL - dt.timedelta(days=4))
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), User.objects.count())
    again = simulate(days=7, until=UNTIL - dt.timedelta(days=4))
    assert again.skipped and again.created == 0
    assert (Dossier.objects.count(), DossierEvent.objects.count(), User.objects.count()) == counts
    assert "already" in again.summary()

    open_before = set(Dossier.objects.open().values_list("pk", flat=True))
    later = simulate(days=7, until=UNTIL)
    assert later.start == first.until + dt.timedelta(days=1)
    assert later.created > 0
    assert Dossier.objects.count() == counts[0] + later.created
    # Dossiers left open by the first run went on.
    moved = DossierEvent.objects.filter(
        dossier_id__in=open_before, at__date__gt=first.until
    ).values("dossier_id")
    assert moved.distinct().count() > len(open_before) / 2
    check_projection_equals_the_log()
    check_codes()


@pytest.mark.django_db
def test_today_ends_now_and_leaves_recent_dossiers_open(demo_province: Unit) -> None:
    now = dt.datetime(2026, 3, 11, 10, 30, tzinfo=dt.UTC)  # 17:30 in Vietnam
    result = history_simulate(days=3, seed=2, volume=VOLUME, now=now)
    assert result.until == dt.date(2026, 3, 11)
    assert DossierEvent.objects.filter(at__gt=now).count() == 0
    assert Dossier.objects.open().exists()
    assert (
        Dossier.objects.filter(status=Status.SUBMITTED).exists()
        or Dossier.objects.filter(status=Status.RECEIVED).exists()
    )
    with pytest.raises(HistoryError):
        history_simulate(until=dt.date(2026, 3, 12), now=now)


@pytest.mark.django_db
def test_staff_for_every_center_and_agency_once(demo_province: Unit) -> None:
    first = staff_ensure(province=demo_province)
    assert first.created > 10
    users = User.objects.count()
    assert staff_ensure(province=demo_province).created == 0
    assert User.objects.count() == users
    held = set(Assignment.objects.values_list("unit_id", "role"))
    for unit in Unit.objects.filter(province=demo_province):
        if unit.kind == UnitKind.CENTER:
            assert (unit.pk, Role.DESK_OFFICER) in held
        else:
            assert (unit.pk, Role.SPECIALIST) in held and (unit.pk, Role.APPROVER) in held
    # The demo's own logins are kept, not doubled; new ones take the demo password.
    justice = Unit.objects.get(kind=UnitKind.JUSTICE)
    assert [u.username for u in first.approvers[justice.pk]] == ["approver.tuphap"]
    new = User.objects.get(username="approver.congan.tinh")
    assert new.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_command(demo_province: Unit) -> None:
    out = StringIO()
    call_command(
        "demo_history", "--days", "2", "--until", "2026-03-10", "--volume", "0.05", stdout=out
    )
    assert out.getvalue().startswith("Demo history 09/03/2026-10/03/2026:")
    with pytest.raises(CommandError, match="future"):
        call_command("demo_history", "--until", "2999-01-01", stdout=StringIO())


def test_made_up_people_are_consistent_and_repeatable() -> None:
    def people(seed: int) -> list[object]:
        rng, taken = random.Random(seed), set()
        return [
            person_new(rng, today=UNTIL, home="phường Tuy Hòa", taken=taken, birth_province="054")
            for _ in range(300)
        ]

    crowd = people(7)
    assert crowd == people(7)
    assert len({p.id_number for p in crowd}) == 300
    for p in crowd:
        assert p.id_number.startswith("054") and len(p.id_number) == 12
        assert 18 <= (UNTIL - p.birth_date).days // 365 <= 83
        assert p.sex in {"male", "female"}
        assert (p.full_name.split()[1] == "Thị") <= (p.sex == "female")
    assert id_number_for("066", dt.date(1989, 3, 2), "male", 1234) == "066089001234"
    assert id_number_for("066", dt.date(2003, 3, 2), "female", 5) == "066303000005"
