"""The agency's steps through the services: forward, propose, send back, approve; step time."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services as s
from dossiers.models import Action, DigitisedPaper, ResultOutcome, Status
from dossiers.services import DossierInputError, PaperIn
from dossiers.tests.fixtures import at
from dossiers.workflow import TransitionError, allowed_actions
from work.steps import step_report
from work.tests.conftest import MON, PDF, intake

pytestmark = pytest.mark.django_db


def pdf(name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_dossier_through_two_agencies_with_a_supplement_pause(
    desk_officer,
    ward_center,
    stepped_case,
    justice,
    justice_specialist,
    justice_approver,
    police,
    police_specialist,
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    # 10 working days of 8 hours from Monday 08:00: Monday two weeks later, 08:00.
    assert d.due_at == at(2026, 3, 16, 8, 0)
    assert d.competent_unit == justice

    # The desk sends it to the police for verification first (step 1).
    d = s.dossier_route(actor=desk_officer, dossier=d, to_unit=police, at=at(2026, 3, 2, 10))
    assert (d.step, d.competent_unit) == (1, police)
    # The police take 32 working hours against a budget of 3 days (24 h)...
    d = s.dossier_forward(
        actor=police_specialist, dossier=d, to_unit=justice, at=at(2026, 3, 6, 10)
    )
    assert (d.step, d.competent_unit, d.assignee) == (2, justice, None)
    # ...then the department reviews, and asks for a paper: the clock stops
    # from Monday 10:00 to Wednesday 10:00 (16 working hours).
    d = s.dossier_request_supplement(
        actor=justice_specialist, dossier=d, items=["Bản sao CCCD"], at=at(2026, 3, 9, 10)
    )
    assert d.status == Status.SUPPLEMENT_REQUESTED
    d = s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=d,
        papers=[PaperIn(name="Bản sao CCCD", copies=1)],
        at=at(2026, 3, 11, 10),
    )
    assert d.status == Status.PROCESSING
    assert d.due_at == at(2026, 3, 18, 8, 0)  # moved by the 16 hours paused
    d = s.dossier_propose(
        actor=justice_specialist,
        dossier=d,
        number="123/PLLTP",
        signer="Trần Văn Ký",
        signed_on=dt.date(2026, 3, 12),
        document=pdf(),
        at=at(2026, 3, 12, 10),
    )
    assert d.step == 3 and d.result_proposed_at == at(2026, 3, 12, 10)
    d = s.dossier_approve(actor=justice_approver, dossier=d, at=at(2026, 3, 12, 15))
    assert d.status == Status.RESOLVED and d.step == 4
    assert d.result_number == "123/PLLTP" and d.result_signer == "Trần Văn Ký"
    assert d.result_signed_on == dt.date(2026, 3, 12) and d.result_outcome == "granted"
    paper = DigitisedPaper.objects.get(source=d, is_result=True)
    assert paper.applicant == d.applicant and paper.content_type == "application/pdf"
    d = s.dossier_return(
        actor=desk_officer, dossier=d, collected_by="Lê Vĩnh Huỳnh", at=at(2026, 3, 13, 8)
    )

    report = step_report(d, now=at(2026, 3, 20, 8))
    hours = [(line.name, line.budget / 60, line.used / 60) for line in report.lines]
    assert hours == [
        ("Reception", 4, 2),  # Monday 08:00-10:00
        ("Verification", 24, 32),  # Monday 10:00 to Friday 10:00
        ("Review", 36, 16),  # 8 h before the pause, 8 h after it
        ("Approval", 12, 3),  # Thursday 10:00-15:00 less lunch
        ("Hand-over", 4, 3),  # Thursday 15:00 to Friday 08:00
    ]
    assert [line.units for line in report.lines][1:3] == [[(police, 32 * 60)], [(justice, 16 * 60)]]
    assert report.charged is report.lines[1] and report.lines[1].over == 8 * 60
    assert report.charged_unit == police
    assert report.current is None  # handed over: nobody holds it

    forward = d.events.get(action=Action.FORWARD)
    assert forward.unit == police and forward.data["to_unit"] == justice.code
    assert forward.data["from_step"] == 1 and forward.data["step"] == 2


def test_an_open_dossier_charges_the_step_that_runs_over_now(
    desk_officer, ward_center, stepped_case, justice
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    report = step_report(d, now=at(2026, 3, 4, 17))  # 22 working hours of 24
    assert report.current is report.lines[1] and report.charged is None
    late = step_report(d, now=at(2026, 3, 5, 10))  # 25 working hours
    assert late.charged is late.lines[1] and late.charged_unit == justice
    assert late.lines[1].over == 60


def test_a_case_without_step_budgets_is_one_step(
    desk_officer, ward_center, ward_case, applicant_in, approver, ward
) -> None:
    d = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=[PaperIn(component_id=c.pk, originals=1) for c in ward_case.components.all()],
        at=MON,
    )
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    report = step_report(d, now=at(2026, 3, 6, 9))
    assert len(report.lines) == 1 and report.lines[0].budget == 3 * 480
    assert report.charged is report.lines[0] and report.charged_unit == ward


def test_forward_needs_a_next_agency_step_or_another_agency(
    desk_officer, ward_center, stepped_case, justice_specialist, police, other_center
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    d = s.dossier_route(actor=desk_officer, dossier=d)
    with pytest.raises(DossierInputError) as error:
        s.dossier_forward(actor=justice_specialist, dossier=d, same_step=True)
    assert error.value.field == "to_unit"
    with pytest.raises(DossierInputError):  # a center is not an agency
        s.dossier_forward(actor=justice_specialist, dossier=d, to_unit=other_center)
    d = s.dossier_forward(actor=justice_specialist, dossier=d, to_unit=police, same_step=True)
    assert d.step == 1 and d.competent_unit == police
    # Justice no longer holds it, so its specialist may not act on it.
    with pytest.raises(TransitionError):
        s.dossier_forward(actor=justice_specialist, dossier=d)


def test_the_last_agency_step_forwards_nowhere(
    desk_officer, ward_center, stepped_case, justice_specialist
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    d = s.dossier_route(actor=desk_officer, dossier=d)
    d = s.dossier_forward(actor=justice_specialist, dossier=d)
    assert d.step == 2
    with pytest.raises(DossierInputError) as error:
        s.dossier_forward(actor=justice_specialist, dossier=d)
    assert error.value.field == "step"


def test_proposal_rules_and_sending_back(
    desk_officer, ward_center, stepped_case, justice_specialist, justice_approver
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    d = s.dossier_route(actor=desk_officer, dossier=d)
    d = s.dossier_forward(actor=justice_specialist, dossier=d)
    with pytest.raises(DossierInputError) as error:
        s.dossier_propose(actor=justice_specialist, dossier=d, number=" ")
    assert error.value.field == "number"
    with pytest.raises(DossierInputError) as error:
        s.dossier_propose(actor=justice_specialist, dossier=d, outcome=ResultOutcome.REFUSED)
    assert error.value.field == "note"
    fake = SimpleUploadedFile("ket-qua.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(DossierInputError) as error:
        s.dossier_propose(
            actor=justice_specialist, dossier=d, number="1", signer="Trần Văn Ký", document=fake
        )
    assert error.value.field == "document"
    # Approval needs a proposal first.
    assert Action.RESOLVE in allowed_actions(justice_approver, d)
    with pytest.raises(TransitionError):
        s.dossier_approve(actor=justice_approver, dossier=d)

    d = s.dossier_propose(
        actor=justice_specialist, dossier=d, number="7/QĐ", signer="Trần Văn Ký", document=pdf()
    )
    assert d.result_file and d.step == 3
    assert Action.SEND_BACK in allowed_actions(justice_approver, d)
    assert Action.SEND_BACK not in allowed_actions(justice_specialist, d)
    with pytest.raises(TransitionError):  # one proposal at a time
        s.dossier_propose(actor=justice_specialist, dossier=d, number="8/QĐ", signer="Ký")
    with pytest.raises(TransitionError):
        s.dossier_approve(actor=justice_specialist, dossier=d)
    with pytest.raises(DossierInputError):
        s.dossier_send_back(actor=justice_approver, dossier=d, reason="  ")
    d = s.dossier_send_back(actor=justice_approver, dossier=d, reason="Sai số văn bản")
    assert d.result_proposed_at is None and d.step == 2
    assert Action.SEND_BACK not in allowed_actions(justice_approver, d)

    # Proposed again without a document: the one sent back does not stand.
    d = s.dossier_propose(
        actor=justice_specialist,
        dossier=d,
        outcome=ResultOutcome.REFUSED,
        note="Không đủ điều kiện",
    )
    assert not d.result_file
    d = s.dossier_approve(actor=justice_approver, dossier=d)
    assert d.status == Status.RESOLVED and d.result_outcome == ResultOutcome.REFUSED
    assert d.result_note == "Không đủ điều kiện"
    assert not DigitisedPaper.objects.filter(source=d).exists()


def test_a_granted_proposal_names_its_signer_and_a_date_it_could_be_signed_on(
    desk_officer, ward_center, stepped_case, justice_specialist, justice_approver
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)  # Monday 2 March 2026, 08:00
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    when = at(2026, 3, 10, 9)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"signer": " "}, "signer"),
        ({"signer": "Trần Văn Ký", "signed_on": dt.date(2026, 3, 11)}, "signed_on"),
        ({"signer": "Trần Văn Ký", "signed_on": dt.date(2030, 1, 1)}, "signed_on"),
        ({"signer": "Trần Văn Ký", "signed_on": dt.date(2026, 3, 1)}, "signed_on"),
    ]
    for given, field in cases:
        with pytest.raises(DossierInputError) as error:
            s.dossier_propose(actor=justice_specialist, dossier=d, number="9/QĐ", at=when, **given)
        assert error.value.field == field, given
    # A refusal is signed by the one who refuses: no signer asked, the date still checked.
    with pytest.raises(DossierInputError) as error:
        s.dossier_resolve(
            actor=justice_approver,
            dossier=d,
            outcome=ResultOutcome.REFUSED,
            note="Không đủ điều kiện",
            signed_on=dt.date(2026, 3, 11),
            at=when,
        )
    assert error.value.field == "signed_on"
    d = s.dossier_propose(
        actor=justice_specialist,
        dossier=d,
        number="9/QĐ",
        signer="Trần Văn Ký",
        signed_on=dt.date(2026, 3, 2),  # the day it was received will do
        at=when,
    )
    d = s.dossier_approve(actor=justice_approver, dossier=d, at=at(2026, 3, 10, 10))
    assert (d.result_signer, d.result_signed_on) == ("Trần Văn Ký", dt.date(2026, 3, 2))


def test_the_center_manager_and_the_approver_may_extend_others_may_not(
    desk_officer, ward_center, stepped_case, justice_specialist, justice_approver, manager, outsider
) -> None:
    d = intake(desk_officer, ward_center, stepped_case)
    d = s.dossier_route(actor=desk_officer, dossier=d, at=MON + dt.timedelta(hours=1))
    assert Action.EXTEND in allowed_actions(manager, d)
    assert Action.EXTEND in allowed_actions(justice_approver, d)
    assert Action.EXTEND not in allowed_actions(justice_specialist, d)
    assert Action.EXTEND not in allowed_actions(desk_officer, d)
    assert Action.EXTEND not in allowed_actions(outsider, d)
    assert d.due_at is not None
    d = s.dossier_extend(
        actor=manager,
        dossier=d,
        new_due=d.due_at + dt.timedelta(days=2),  # Monday 16 March, 08:00 + 2 days
        reason="Xác minh thêm",
        at=MON + dt.timedelta(days=1),
    )
    assert d.events.get(action=Action.EXTEND).unit == d.competent_unit
