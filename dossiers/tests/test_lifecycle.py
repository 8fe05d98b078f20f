"""Every allowed transition through the services, and a sample of forbidden ones."""

import datetime as dt

import pytest
from django.utils import translation

from accounts.models import User
from catalog.models import Case
from deadlines.models import CalendarDay, DayKind
from dossiers import services as s
from dossiers.models import Action, Channel, Dossier, DossierEvent, Status
from dossiers.services import ApplicantIn, DossierInputError, PaperIn
from dossiers.tests.fixtures import all_papers, at
from dossiers.workflow import TRANSITIONS, TransitionError, allowed_actions
from units.models import Unit

pytestmark = pytest.mark.django_db

MON = at(2026, 3, 2, 8, 0)  # Monday 2 March 2026, 08:00


def received(desk: User, center: Unit, case: Case, applicant: ApplicantIn, when=MON) -> Dossier:
    return s.dossier_intake(
        actor=desk, unit=center, case=case, applicant=applicant, papers=all_papers(case), at=when
    )


def statuses(dossier: Dossier) -> list[str]:
    return list(dossier.events.order_by("seq").values_list("to_status", flat=True))


def test_intake_at_the_desk_issues_code_secret_and_due_moment(
    desk_officer, ward_center, ward, ward_case, applicant_in
) -> None:
    dossier = received(desk_officer, ward_center, ward_case, applicant_in)
    assert dossier.status == Status.RECEIVED
    assert dossier.national_status == 2
    assert dossier.code == "000.01.01.H99-260302-0001"
    assert len(dossier.lookup_secret) == 6
    # 3 working days from Mon 08:00 → Thu 08:00.
    assert dossier.due_at == at(2026, 3, 5, 8, 0)
    assert dossier.competent_unit == ward
    assert statuses(dossier) == [Status.DRAFT, Status.RECEIVED]
    assert dossier.components.count() == 2
    assert dossier.procedure_version.is_locked


def test_online_submission_then_acceptance_starts_the_clock_at_acceptance(
    citizen, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=citizen,
        case=ward_case,
        applicant=applicant,
        unit=ward_center,
        channel=Channel.ONLINE,
        at=at(2026, 3, 1, 21, 0),
    )
    assert draft.code is None and draft.status == Status.DRAFT
    submitted = s.dossier_submit(
        actor=citizen, dossier=draft, papers=all_papers(ward_case), at=at(2026, 3, 1, 21, 5)
    )
    assert submitted.status == Status.SUBMITTED and submitted.national_status == 1
    assert submitted.code.endswith("-260301-0001")
    assert submitted.due_at is None
    accepted = s.dossier_receive(actor=desk_officer, dossier=submitted, at=at(2026, 3, 2, 9, 30))
    assert accepted.code == submitted.code  # the code stays the one given online
    assert accepted.due_at == at(2026, 3, 5, 9, 30)


def test_refusal_at_reception_needs_reasons(
    citizen, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=citizen, case=ward_case, applicant=applicant, unit=ward_center, channel=Channel.ONLINE
    )
    s.dossier_submit(actor=citizen, dossier=draft, papers=all_papers(ward_case))
    with pytest.raises(DossierInputError) as error:
        s.dossier_refuse(actor=desk_officer, dossier=draft, reasons=["  "])
    assert error.value.field == "reasons"
    refused = s.dossier_refuse(actor=desk_officer, dossier=draft, reasons=["Sai mẫu tờ khai"])
    assert refused.status == Status.NOT_ACCEPTED and refused.national_status == 3
    assert refused.events.get(action=Action.REFUSE).data == {"reasons": ["Sai mẫu tờ khai"]}


def test_two_agencies_supplement_fees_resolve_and_return(
    desk_officer,
    ward_center,
    justice,
    justice_case,
    justice_specialist,
    justice_approver,
    applicant_in,
) -> None:
    d = received(desk_officer, ward_center, justice_case, applicant_in)
    # Filed at a ward center, decided by the provincial department.
    assert d.competent_unit == justice
    assert d.due_at == at(2026, 3, 16, 8, 0)  # 10 working days
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    assert d.status == Status.PROCESSING
    d = s.dossier_assign(actor=justice_approver, dossier=d, assignee=justice_specialist)
    assert d.assignee == justice_specialist

    d = s.dossier_request_supplement(
        actor=justice_specialist, dossier=d, items=["Bản sao sổ hộ khẩu"], at=at(2026, 3, 3, 8)
    )
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.is_paused
    # Papers back 10 working days later: the due moment moves by exactly that.
    d = s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=d,
        papers=[PaperIn(name="Bản sao", copies=1)],
        at=at(2026, 3, 17, 8),
    )
    assert d.status == Status.PROCESSING
    assert d.due_at == at(2026, 3, 30, 8, 0)

    d = s.dossier_request_fees(
        actor=justice_specialist, dossier=d, amount=200_000, at=at(2026, 3, 18, 8)
    )
    assert d.status == Status.FEES_REQUESTED
    with pytest.raises(DossierInputError):
        s.dossier_record_payment(actor=desk_officer, dossier=d, amount=1000)
    d = s.dossier_record_payment(
        actor=desk_officer, dossier=d, amount=200_000, at=at(2026, 3, 18, 10)
    )
    assert d.status == Status.PROCESSING and d.fees_paid == 200_000
    assert d.due_at == at(2026, 3, 30, 10, 0)  # two more working hours paused

    d = s.dossier_resolve(
        actor=justice_approver, dossier=d, number="123/STP-LLTP", at=at(2026, 3, 25, 15)
    )
    assert d.status == Status.RESOLVED and d.national_status == 9
    d = s.dossier_return(
        actor=desk_officer, dossier=d, collected_by="Lê Vĩnh Huỳnh", at=at(2026, 3, 26, 8)
    )
    assert d.status == Status.RETURNED and d.national_status == 10
    assert statuses(d) == [
        Status.DRAFT,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.PROCESSING,
        Status.FEES_REQUESTED,
        Status.PROCESSING,
        Status.RESOLVED,
        Status.RETURNED,
    ]


def test_desk_may_ask_for_papers_before_routing_and_resume_to_received(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_request_supplement(
        actor=desk_officer, dossier=d, items=["Tờ khai"], at=at(2026, 3, 2, 9)
    )
    d = s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=d,
        papers=[PaperIn(name="Tờ khai", originals=1)],
        at=at(2026, 3, 2, 10),
    )
    assert d.status == Status.RECEIVED
    assert d.due_at == at(2026, 3, 5, 9, 0)


def test_extend_stop_withdraw(desk_officer, ward_center, ward_case, approver, applicant_in) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_route(actor=desk_officer, dossier=d)
    when = at(2026, 3, 3, 10)
    with pytest.raises(DossierInputError):
        s.dossier_extend(
            actor=approver, dossier=d, new_due=at(2026, 3, 4, 8), reason="Cần xác minh", at=when
        )
    d = s.dossier_extend(
        actor=approver, dossier=d, new_due=at(2026, 3, 10, 17), reason="Cần xác minh", at=when
    )
    assert d.due_at == at(2026, 3, 10, 17) and d.status == Status.PROCESSING
    stopped = s.dossier_stop(actor=approver, dossier=d, reason="Người dân không bổ sung")
    assert stopped.status == Status.STOPPED and stopped.national_status == 8

    other = received(
        desk_officer,
        ward_center,
        ward_case,
        ApplicantIn(full_name="Trần Thị B", id_number="054189004321"),
    )
    withdrawn = s.dossier_withdraw(actor=desk_officer, dossier=other, reason="Xin rút")
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.national_status == 7


def _refused(dossier: Dossier, actor: User, new_due: dt.datetime, when: dt.datetime) -> str:
    with pytest.raises(DossierInputError) as error:
        s.dossier_extend(
            actor=actor, dossier=dossier, new_due=new_due, reason="Cần xác minh", at=when
        )
    assert error.value.field == "new_due"
    return error.value.message


def test_an_extension_promises_a_working_moment_after_now(
    desk_officer, ward_center, ward_case, approver, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    assert d.due_at == at(2026, 3, 5, 8)  # Thursday
    tue = at(2026, 3, 3, 10)
    assert _refused(d, approver, at(2026, 3, 3, 9), tue) == (
        "09:00 on 03/03/2026 has already passed: the new date must be later than now."
    )
    # Past the due date too: the date that has passed is what the person is told of.
    late = at(2026, 3, 6, 9)
    assert "has already passed" in _refused(d, approver, at(2026, 3, 6, 8), late)
    assert _refused(d, approver, at(2026, 3, 5, 7, 30), tue) == (
        "The new date must be later than the current due date, 08:00 on 05/03/2026."
    )
    # A Sunday night, a weekday night and the lunch break: the end of that working day,
    # or of the next one, is suggested.
    assert _refused(d, approver, at(2026, 3, 8, 22), tue) == (
        "Sunday 08/03/2026 is not a working day. Choose a moment in working time, "
        "for example 17:00 on Monday 09/03/2026, the end of that working day."
    )
    assert _refused(d, approver, at(2026, 3, 6, 22), tue) == (
        "22:00 is outside working hours (07:00-11:30, 13:30-17:00). Choose a moment in "
        "working time, for example 17:00 on Friday 06/03/2026, the end of that working day."
    )
    assert "for example 17:00 on Friday 06/03/2026" in _refused(
        d, approver, at(2026, 3, 6, 12), tue
    )
    assert "for example 17:00 on Monday 09/03/2026" in _refused(
        d, approver, at(2026, 3, 6, 22), at(2026, 3, 6, 18)
    )
    with translation.override("vi"):
        assert _refused(d, approver, at(2026, 3, 8, 22), tue) == (
            "Ngày 08/03/2026 (Chủ nhật) không phải là ngày làm việc. Hãy chọn một thời điểm "
            "trong giờ làm việc, ví dụ 17:00 ngày 09/03/2026 (Thứ Hai), cuối ngày làm việc đó."
        )
        assert _refused(d, approver, at(2026, 3, 3, 9), tue).startswith(
            "09:00 ngày 03/03/2026 đã qua: ngày hẹn trả kết quả mới phải sau"
        )
    # The unit's calendar counts: a day off is refused, a make-up Saturday is a working day.
    CalendarDay.objects.create(date=dt.date(2026, 3, 9), kind=DayKind.DAY_OFF, name="Nghỉ bù")
    CalendarDay.objects.create(
        date=dt.date(2026, 3, 7), kind=DayKind.WORKING_DAY, name="Làm bù", unit=ward_center
    )
    assert _refused(d, approver, at(2026, 3, 9, 10), tue) == (
        "Monday 09/03/2026 is a day off. Choose a moment in working time, "
        "for example 17:00 on Tuesday 10/03/2026, the end of that working day."
    )
    assert "17:00 on Tuesday 10/03/2026" in _refused(d, approver, at(2026, 3, 8, 22), tue)
    assert not d.events.filter(action=Action.EXTEND).exists()
    # The end of a period is inside working time, as the engine's own due moments are.
    d = s.dossier_extend(
        actor=approver, dossier=d, new_due=at(2026, 3, 7, 11, 30), reason="Xác minh", at=tue
    )
    assert d.due_at == at(2026, 3, 7, 11, 30)
    d = s.dossier_extend(
        actor=approver, dossier=d, new_due=at(2026, 3, 10, 17), reason="Xác minh", at=tue
    )
    assert d.due_at == at(2026, 3, 10, 17)


def test_every_transition_of_the_table_is_exercised() -> None:
    # Kept in step with the tests above: a new transition needs a test.
    tested = {
        Action.SUBMIT,
        Action.RECEIVE,
        Action.REFUSE,
        Action.ROUTE,
        Action.ASSIGN,
        Action.FORWARD,  # the agency's steps: tested in work/tests/test_processing.py
        Action.PROPOSE,
        Action.SEND_BACK,
        Action.REQUEST_SUPPLEMENT,
        Action.RECEIVE_SUPPLEMENT,
        Action.REQUEST_FEES,
        Action.RECORD_PAYMENT,
        Action.STOP,
        Action.WITHDRAW,
        Action.RESOLVE,
        Action.EXTEND,
        Action.RETURN,
    }
    assert set(TRANSITIONS) == tested


# -- forbidden -------------------------------------------------------------------------------


def test_wrong_status_is_refused_with_the_allowed_actions(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    with pytest.raises(TransitionError) as error:
        s.dossier_return(actor=desk_officer, dossier=d, collected_by="X")
    assert set(error.value.allowed) == {
        Action.ROUTE,
        Action.WITHDRAW,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_FEES,
    }
    assert DossierEvent.objects.filter(dossier=d).count() == 2


def test_wrong_role_is_refused(
    desk_officer, guide, approver, ward_center, ward_case, applicant_in
) -> None:
    with pytest.raises(TransitionError):
        received(guide, ward_center, ward_case, applicant_in)
    assert not Dossier.objects.exists()  # nothing half-saved
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_route(actor=desk_officer, dossier=d)
    with pytest.raises(TransitionError):
        s.dossier_resolve(actor=desk_officer, dossier=d, number="1/QĐ")
    resolved = s.dossier_resolve(actor=approver, dossier=d, number="1/QĐ")
    assert resolved.status == Status.RESOLVED


def test_wrong_unit_is_refused(
    desk_officer, outsider, ward_center, ward_case, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    assert allowed_actions(outsider, d) == []
    with pytest.raises(TransitionError):
        s.dossier_route(actor=outsider, dossier=d)


def test_missing_mandatory_papers_block_reception(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    with pytest.raises(DossierInputError) as error:
        s.dossier_intake(
            actor=desk_officer, unit=ward_center, case=ward_case, applicant=applicant_in, papers=[]
        )
    assert "Marriage certificate" in error.value.message
    assert not Dossier.objects.exists()


def test_a_node_does_not_change_a_dossier_it_does_not_own(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    Dossier.objects.filter(pk=d.pk).update(owner_node="hub")
    with pytest.raises(TransitionError, match="owned by node hub"):
        s.dossier_route(actor=desk_officer, dossier=d)


def test_events_are_append_only(desk_officer, ward_center, ward_case, applicant_in) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    event = d.events.first()
    event.note = "sửa"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_events_carry_node_and_gap_free_sequence(
    desk_officer, ward_center, ward_case, applicant_in, settings
) -> None:
    settings.NODE_ID = "ward-one"
    first = received(desk_officer, ward_center, ward_case, applicant_in)
    second = received(
        desk_officer,
        ward_center,
        ward_case,
        ApplicantIn(full_name="Phạm C", id_number="054090001111"),
    )
    seqs = list(DossierEvent.objects.order_by("seq").values_list("node_id", "seq"))
    assert seqs == [("ward-one", n) for n in range(1, 5)]
    assert first.last_seq == 2 and second.last_seq == 4
    assert second.code.endswith("-0002")


def test_projection_equals_the_log(
    desk_officer, ward_center, ward_case, approver, applicant_in
) -> None:
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_route(actor=desk_officer, dossier=d, at=MON + dt.timedelta(hours=1))
    d = s.dossier_request_supplement(
        actor=approver, dossier=d, items=["Tờ khai"], at=MON + dt.timedelta(hours=2)
    )
    d = s.dossier_receive_supplement(
        actor=desk_officer, dossier=d, papers=[PaperIn(name="Tờ khai")], at=at(2026, 3, 3, 8)
    )
    d.refresh_from_db()
    last = d.events.order_by("-seq").first()
    assert d.status == last.to_status
    assert d.received_at == d.events.get(action=Action.RECEIVE).at
    assert d.due_at == s.due_moment(d)


def test_applicant_seen_before_is_found_by_id_number(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    first = received(desk_officer, ward_center, ward_case, applicant_in)
    applicant_in.phone = "0912000111"
    second = received(desk_officer, ward_center, ward_case, applicant_in)
    assert first.applicant_id == second.applicant_id
    second.applicant.refresh_from_db()
    assert second.applicant.phone == "0912000111"
    assert second.applicant.masked_id == "054*******34"


def test_a_desk_draft_is_never_submitted_as_if_online(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=desk_officer,
        case=ward_case,
        applicant=applicant,
        unit=ward_center,
        channel=Channel.DIRECT,
    )
    assert Action.SUBMIT not in allowed_actions(desk_officer, draft)
    assert Action.RECEIVE in allowed_actions(desk_officer, draft)


def test_the_ward_named_must_be_a_ward_of_the_province(
    desk_officer, ward_center, ward_case, applicant_in, justice
) -> None:
    with pytest.raises(DossierInputError) as error:
        s.dossier_intake(
            actor=desk_officer,
            unit=ward_center,
            case=ward_case,
            applicant=applicant_in,
            papers=all_papers(ward_case),
            ward=justice,
        )
    assert error.value.field == "ward"
