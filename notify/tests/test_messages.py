"""What the applicant is told, queued in the transaction of each event."""

import pytest
from django.db import transaction

from dossiers import services as s
from dossiers.services import PaperIn
from dossiers.tests.fixtures import all_papers, at
from notify.models import Message, MessageChannel
from notify.outbox import enqueue

pytestmark = pytest.mark.django_db

MON = at(2026, 3, 2, 8, 0)


def keys() -> list[str]:
    return sorted(Message.objects.values_list("key", flat=True))


def received(desk_officer, ward_center, ward_case, applicant_in):
    return s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
        at=MON,
    )


def test_reception_queues_a_vietnamese_sms_with_code_and_lookup_link(
    desk_officer, ward_center, ward_case, applicant_in, settings
) -> None:
    settings.PUBLIC_BASE_URL = "https://motcua.example.vn"
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    sms = Message.objects.get()
    assert sms.channel == MessageChannel.SMS and sms.to == "0905123456"
    assert sms.key == f"dossier:{d.code}:received:local-2:sms"
    assert d.code in sms.body
    assert f"https://motcua.example.vn/tra-cuu/?code={d.code}&secret={d.lookup_secret}" in sms.body
    assert "đã tiếp nhận hồ sơ" in sms.body and "05/03/2026" in sms.body
    assert sms.dossier == d


def test_every_event_the_applicant_hears_of(
    desk_officer, ward_center, ward_case, applicant_in, approver
) -> None:
    applicant_in.email = "dan@example.vn"
    d = received(desk_officer, ward_center, ward_case, applicant_in)
    d = s.dossier_route(actor=desk_officer, dossier=d)  # nothing to tell
    d = s.dossier_request_supplement(
        actor=approver, dossier=d, items=["Tờ khai", "Giấy ủy quyền"], note="Ký rõ họ tên"
    )
    d = s.dossier_receive_supplement(
        actor=desk_officer, dossier=d, papers=[PaperIn(name="Tờ khai")]
    )
    d = s.dossier_request_fees(actor=approver, dossier=d, amount=15000)
    d = s.dossier_record_payment(actor=desk_officer, dossier=d, amount=15000)
    assert d.due_at is not None
    d = s.dossier_extend(
        actor=approver,
        dossier=d,
        new_due=at(2026, 3, 20, 17),
        reason="Xác minh thêm",
        at=at(2026, 3, 4, 9),  # the new date must still be ahead
    )
    d = s.dossier_resolve(actor=approver, dossier=d, number="12/TL")
    d = s.dossier_return(actor=desk_officer, dossier=d, collected_by="Lê Vĩnh Huỳnh")
    kinds = {key.split(":")[2] for key in keys()}
    assert kinds == {"received", "supplement", "fees", "apology", "result", "returned"}
    assert Message.objects.filter(channel="email").count() == 6
    assert Message.objects.filter(channel="sms").count() == 6
    supplement = Message.objects.get(key__contains=":supplement:", channel="email")
    assert "Tờ khai; Giấy ủy quyền" in supplement.body and "Ký rõ họ tên" in supplement.body
    assert supplement.subject.startswith("[MotCua] ") and d.code in supplement.subject
    fees = Message.objects.get(key__contains=":fees:", channel="sms")
    assert "15.000" in fees.body
    apology = Message.objects.get(key__contains=":apology:", channel="sms")
    assert "20/03/2026" in apology.body


def test_an_action_rolled_back_sends_nothing(
    desk_officer, ward_center, ward_case, applicant_in
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        received(desk_officer, ward_center, ward_case, applicant_in)
        raise RuntimeError
    assert not Message.objects.exists()


def test_no_contact_no_message(desk_officer, ward_center, ward_case, applicant_in) -> None:
    applicant_in.phone = ""
    received(desk_officer, ward_center, ward_case, applicant_in)
    assert not Message.objects.exists()


def test_enqueue_is_idempotent_by_key(db: None) -> None:
    first = enqueue(key="otp:0905:1", channel="sms", to="0905", body="123456")
    second = enqueue(key="otp:0905:1", channel="sms", to="0905", body="999999")
    assert first.pk == second.pk and second.body == "123456"
    assert Message.objects.count() == 1
