"""The deadline watch: warn once, draft form 04 only when a step ran over, survive a crash."""

import datetime as dt

import pytest
from django.core.management import call_command

from dossiers import services as s
from dossiers.documents import render_form_html
from dossiers.models import Action, Dossier
from dossiers.services import DossierInputError
from dossiers.tests.fixtures import at
from dossiers.workflow import TransitionError
from notify.models import Message
from work import watch
from work.apology import apology_approve, apology_dismiss, apology_preview_pdf
from work.models import ApologyDraft, DeadlineWarning, DraftState, WarningKind
from work.tests.conftest import intake
from work.watch import deadline_watch

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 13, 10, 0)  # Friday 13 March 2026, 10:00


@pytest.fixture
def dossiers(
    desk_officer,
    ward_center,
    ward_case,
    stepped_case,
    justice,
    police,
    manager,
    approver,
    specialist,
) -> dict[str, Dossier]:
    manager.email = "manager@example.vn"
    manager.save(update_fields=["email"])
    approver.phone = "0912000001"
    approver.save(update_fields=["phone"])

    def ward_dossier(n: int, when: dt.datetime, route: bool = True) -> Dossier:
        d = intake(desk_officer, ward_center, ward_case, when, id_number=f"05408900{n:04d}")
        if route:
            d = s.dossier_route(actor=desk_officer, dossier=d, at=when + dt.timedelta(hours=1))
        return d

    made = {
        # Due Friday 16:00: 6 working hours left, 18 of 24 used: due soon, no step over.
        "soon": ward_dossier(1, at(2026, 3, 10, 16)),
        # Due Thursday 08:00: overdue, its one step over its budget.
        "late": ward_dossier(2, at(2026, 3, 9, 8)),
        # Due next Wednesday: nothing to say.
        "fine": ward_dossier(3, at(2026, 3, 13, 8)),
        # Overdue on paper, but the clock is stopped for a supplement.
        "paused": ward_dossier(4, at(2026, 3, 9, 8)),
        # Due Monday 08:00, and the police took more than their 3 days.
        "stepped": intake(desk_officer, ward_center, stepped_case, at(2026, 3, 2, 8)),
    }
    made["late"] = s.dossier_assign(actor=approver, dossier=made["late"], assignee=specialist)
    made["paused"] = s.dossier_request_supplement(
        actor=specialist, dossier=made["paused"], items=["Tờ khai"], at=at(2026, 3, 9, 10)
    )
    made["stepped"] = s.dossier_route(
        actor=desk_officer, dossier=made["stepped"], to_unit=police, at=at(2026, 3, 2, 9)
    )
    return made


def staff_messages() -> list[tuple[str, str]]:
    rows = Message.objects.filter(key__startswith="deadline:").order_by("key")
    return sorted((m.channel, m.to) for m in rows)


def test_warns_the_responsible_people_and_drafts_only_where_a_step_ran_over(
    dossiers, police, ward
) -> None:
    result = deadline_watch(now=NOW)
    assert (result.checked, result.warned, result.drafted) == (3, 3, 2)
    by_dossier = {w.dossier_id: w.kind for w in DeadlineWarning.objects.all()}
    assert by_dossier == {
        dossiers["soon"].pk: WarningKind.DUE_SOON,
        dossiers["late"].pk: WarningKind.OVERDUE,
        dossiers["stepped"].pk: WarningKind.DUE_SOON,
    }
    drafts = {d.dossier_id: d for d in ApologyDraft.objects.all()}
    assert set(drafts) == {dossiers["late"].pk, dossiers["stepped"].pk}
    assert drafts[dossiers["stepped"].pk].unit == police
    assert drafts[dossiers["stepped"].pk].step_name == "Verification"
    assert drafts[dossiers["late"].pk].unit == ward
    assert drafts[dossiers["late"].pk].new_due > NOW
    assert "Công an tỉnh" in drafts[dossiers["stepped"].pk].reason

    # The center manager hears of all three; the ward's approver of its own two;
    # nobody approves for the police in this province.
    assert staff_messages() == [
        ("email", "manager@example.vn"),
        ("email", "manager@example.vn"),
        ("email", "manager@example.vn"),
        ("sms", "0912000001"),
        ("sms", "0912000001"),
    ]
    late = Message.objects.get(key__startswith="deadline:", dossier=dossiers["late"], channel="sms")
    assert dossiers["late"].code in late.body and "quá hạn" in late.body
    assert "/work/dossiers/" in late.body


def test_running_twice_warns_and_drafts_once(dossiers) -> None:
    deadline_watch(now=NOW)
    before = (
        DeadlineWarning.objects.count(),
        ApologyDraft.objects.count(),
        Message.objects.count(),
    )
    again = deadline_watch(now=NOW + dt.timedelta(minutes=10))
    assert (again.warned, again.drafted) == (0, 0)
    after = (DeadlineWarning.objects.count(), ApologyDraft.objects.count(), Message.objects.count())
    assert after == before


def test_a_crash_half_way_is_finished_by_the_next_run(dossiers, monkeypatch) -> None:
    real = watch.notify_staff
    calls: list[object] = []

    def dies_on_the_second(*args: object, **kwargs: object) -> None:
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watch, "notify_staff", dies_on_the_second)
    with pytest.raises(RuntimeError):
        deadline_watch(now=NOW)
    # The first dossier is done; the second left nothing behind.
    assert DeadlineWarning.objects.count() == 1
    monkeypatch.setattr(watch, "notify_staff", real)
    result = deadline_watch(now=NOW)
    assert result.warned == 2
    assert DeadlineWarning.objects.count() == 3 and ApologyDraft.objects.count() == 2
    assert len(staff_messages()) == 5
    assert Message.objects.values("key").distinct().count() == Message.objects.count()


def test_a_later_due_moment_is_a_new_warning(dossiers, approver) -> None:
    deadline_watch(now=NOW)
    late = dossiers["late"]
    s.dossier_extend(
        actor=approver, dossier=late, new_due=at(2026, 3, 16, 9), reason="Xác minh", at=NOW
    )
    deadline_watch(now=at(2026, 3, 16, 10))
    kinds = list(
        DeadlineWarning.objects.filter(dossier=late).order_by("created_at").values_list("kind")
    )
    assert kinds == [(WarningKind.OVERDUE,), (WarningKind.OVERDUE,)]


def test_the_manager_approves_the_apology_and_the_applicant_is_told(
    dossiers, manager, ward
) -> None:
    deadline_watch(now=NOW)
    draft = ApologyDraft.objects.get(dossier=dossiers["late"])
    new_due = at(2026, 3, 18, 17)
    apology_approve(actor=manager, draft=draft, new_due=new_due, reason="Cần xác minh thêm", at=NOW)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED and draft.decided_by == manager
    late = Dossier.objects.get(pk=dossiers["late"].pk)
    assert late.due_at == new_due
    extend = late.events.get(action=Action.EXTEND)
    assert extend.unit == ward and extend.actor == manager
    sms = Message.objects.get(dossier=late, key__contains=":apology:", channel="sms")
    assert "18/03/2026" in sms.body and late.code in sms.body and "/tra-cuu/" in sms.body
    letter = render_form_html(late, "04")
    assert "Cần xác minh thêm" in letter and "18/03/2026" in letter
    with pytest.raises(DossierInputError):  # decided once
        apology_approve(actor=manager, draft=draft, new_due=new_due, reason="x")


def test_only_those_who_may_extend_decide(dossiers, specialist, approver) -> None:
    deadline_watch(now=NOW)
    draft = ApologyDraft.objects.get(dossier=dossiers["late"])
    with pytest.raises(TransitionError):
        apology_approve(actor=specialist, draft=draft, new_due=at(2026, 3, 18, 17), reason="x")
    with pytest.raises(DossierInputError) as error:
        apology_approve(actor=approver, draft=draft, new_due=at(2026, 3, 11, 17), reason="x")
    assert error.value.field == "new_due"
    with pytest.raises(TransitionError):
        apology_dismiss(actor=specialist, draft=draft)
    apology_dismiss(actor=approver, draft=draft)
    assert ApologyDraft.objects.get(pk=draft.pk).state == DraftState.DISMISSED
    assert not Dossier.objects.get(pk=dossiers["late"].pk).events.filter(action=Action.EXTEND)


def test_the_preview_of_form_04_changes_nothing(dossiers, manager) -> None:
    deadline_watch(now=NOW)
    draft = ApologyDraft.objects.get(dossier=dossiers["late"])
    messages = Message.objects.count()
    pdf = apology_preview_pdf(actor=manager, draft=draft, at=NOW)
    assert pdf.startswith(b"%PDF")
    assert not Dossier.objects.get(pk=dossiers["late"].pk).events.filter(action=Action.EXTEND)
    assert Message.objects.count() == messages


def test_the_worker_runs_one_round(dossiers, settings, tmp_path) -> None:
    settings.NOTIFY_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("worker", "--once")
    assert DeadlineWarning.objects.count() >= 1  # whatever is due at the real "now"
    assert not Message.objects.filter(state="pending", send_after__lte=dt.datetime.now(dt.UTC))
