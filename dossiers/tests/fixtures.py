"""A small province with two procedures: one decided by the ward, one by a department."""

import datetime as dt
import json
from typing import Any

import pytest

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from catalog.io import catalog_import
from catalog.models import Case, Procedure
from deadlines.engine import VN_TZ
from dossiers.services import ApplicantIn, PaperIn
from units.models import Level, Unit, UnitKind

CATALOG = {
    "format": "motcua.catalog",
    "format_version": 1,
    "fields": [
        {"code": "HT", "name_vi": "Hộ tịch", "name_en": "Civil status"},
        {"code": "LLTP", "name_vi": "Lý lịch tư pháp", "name_en": "Judicial records"},
    ],
    "procedures": [
        {
            "code": "1.004859",
            "field": "HT",
            "name_vi": "Đăng ký thay đổi, cải chính thông tin hộ tịch",
            "name_en": "Change or correction of civil-status details",
            "level": "ward",
            "agency": "ward_committee",
            "agency_name_vi": "UBND cấp xã",
            "agency_name_en": "Ward People's Committee",
            "online_level": "full",
            "targets": ["citizen"],
            "legal_basis": "Luật Hộ tịch 2014",
            "result_vi": "Trích lục thay đổi hộ tịch",
            "result_en": "Extract of the change",
            "cases": [
                {
                    "code": "1",
                    "name_vi": "Cải chính",
                    "name_en": "Correction",
                    "time": {"value": 3, "unit": "working_days"},
                    "fees": [{"name_vi": "Lệ phí", "name_en": "Fee", "amount": 15000}],
                    "components": [
                        {
                            "name_vi": "Tờ khai",
                            "name_en": "Form",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": True,
                            "reusable": False,
                        },
                        {
                            "name_vi": "Giấy chứng nhận kết hôn",
                            "name_en": "Marriage certificate",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": True,
                            "reusable": True,
                        },
                        {
                            "name_vi": "Văn bản ủy quyền",
                            "name_en": "Authorisation",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": False,
                            "reusable": False,
                        },
                    ],
                }
            ],
        },
        {
            "code": "3.000333",
            "field": "LLTP",
            "name_vi": "Cấp Phiếu lý lịch tư pháp",
            "name_en": "Criminal record certificate",
            "level": "province",
            "agency": "justice",
            "agency_name_vi": "Sở Tư pháp",
            "agency_name_en": "Department of Justice",
            "online_level": "full",
            "targets": ["citizen"],
            "legal_basis": "Luật Lý lịch tư pháp",
            "result_vi": "Phiếu lý lịch tư pháp",
            "result_en": "Certificate",
            "cases": [
                {
                    "code": "1",
                    "name_vi": "Phiếu số 1",
                    "name_en": "Certificate no. 1",
                    "time": {"value": 10, "unit": "working_days"},
                    "fees": [{"name_vi": "Phí", "name_en": "Fee", "amount": 200000}],
                    "components": [
                        {
                            "name_vi": "Tờ khai",
                            "name_en": "Form",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": True,
                            "reusable": False,
                        },
                    ],
                }
            ],
        },
    ],
}


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=VN_TZ)


@pytest.fixture
def catalog(db: None) -> None:
    catalog_import(text=json.dumps(CATALOG, ensure_ascii=False))


@pytest.fixture
def ward_case(catalog: None) -> Case:
    return Procedure.objects.get(code="1.004859").current_version.cases.get()


@pytest.fixture
def justice_case(catalog: None) -> Case:
    return Procedure.objects.get(code="3.000333").current_version.cases.get()


@pytest.fixture
def justice(province: Unit) -> Unit:
    return Unit.objects.create(
        code="000.00.11.H99",
        name_vi="Sở Tư pháp",
        kind=UnitKind.JUSTICE,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )


@pytest.fixture
def justice_specialist(justice: Unit) -> User:
    return staff_user("justice-specialist", justice, Role.SPECIALIST)


@pytest.fixture
def justice_approver(justice: Unit) -> User:
    return staff_user("justice-approver", justice, Role.APPROVER)


@pytest.fixture
def applicant_in() -> ApplicantIn:
    return ApplicantIn(
        full_name="Lê Vĩnh Huỳnh",
        id_number="054089001234",
        birth_date=dt.date(1989, 3, 2),
        sex="male",
        address="Phường Một, Tỉnh Thử",
        phone="0905123456",
    )


def all_papers(case: Case) -> list[PaperIn]:
    return [
        PaperIn(component_id=c.pk, originals=c.originals, copies=c.copies)
        for c in case.components.all()
        if c.mandatory
    ]


@pytest.fixture
def papers(ward_case: Case) -> list[PaperIn]:
    return all_papers(ward_case)


def snapshot(model: Any) -> dict[str, Any]:
    return {f.attname: getattr(model, f.attname) for f in model._meta.concrete_fields}
