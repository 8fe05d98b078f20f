"""A procedure whose legal time is split into steps held by two agencies."""

import datetime as dt
import json

import pytest

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from catalog.io import catalog_import
from catalog.models import Case, Procedure
from dossiers import services as s
from dossiers.models import Dossier
from dossiers.services import ApplicantIn
from dossiers.tests.fixtures import all_papers, at
from units.models import Level, Unit, UnitKind

MON = at(2026, 3, 2, 8, 0)  # Monday 2 March 2026, far from any holiday

STEPPED = {
    "format": "motcua.catalog",
    "format_version": 1,
    "fields": [{"code": "LLTP2", "name_vi": "Lý lịch tư pháp", "name_en": "Judicial records"}],
    "procedures": [
        {
            "code": "2.000111",
            "field": "LLTP2",
            "name_vi": "Cấp Phiếu lý lịch tư pháp số 2",
            "name_en": "Criminal record certificate no. 2",
            "level": "province",
            "agency": "justice",
            "agency_name_vi": "Sở Tư pháp",
            "agency_name_en": "Department of Justice",
            "online_level": "partial",
            "targets": ["citizen"],
            "legal_basis": "Luật Lý lịch tư pháp",
            "result_vi": "Phiếu lý lịch tư pháp số 2",
            "result_en": "Certificate no. 2",
            "cases": [
                {
                    "code": "1",
                    "name_vi": "Cấp phiếu",
                    "name_en": "Issue",
                    "time": {"value": 10, "unit": "working_days"},
                    "fees": [],
                    "steps": [
                        {
                            "name_vi": "Tiếp nhận",
                            "name_en": "Reception",
                            "actor": "desk",
                            "days": 0.5,
                        },
                        {
                            "name_vi": "Xác minh",
                            "name_en": "Verification",
                            "actor": "agency",
                            "days": 3,
                        },
                        {
                            "name_vi": "Thẩm định",
                            "name_en": "Review",
                            "actor": "agency",
                            "days": 4.5,
                        },
                        {
                            "name_vi": "Phê duyệt",
                            "name_en": "Approval",
                            "actor": "approver",
                            "days": 1.5,
                        },
                        {
                            "name_vi": "Trả kết quả",
                            "name_en": "Hand-over",
                            "actor": "desk",
                            "days": 0.5,
                        },
                    ],
                    "components": [
                        {
                            "name_vi": "Tờ khai",
                            "name_en": "Form",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": True,
                            "reusable": False,
                        }
                    ],
                }
            ],
        }
    ],
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def stepped_case(db: None) -> Case:
    catalog_import(text=json.dumps(STEPPED, ensure_ascii=False))
    return Procedure.objects.get(code="2.000111").current_version.cases.get()


@pytest.fixture
def police(province: Unit) -> Unit:
    return Unit.objects.create(
        code="000.00.12.H99",
        name_vi="Công an tỉnh",
        name_en="Provincial Police",
        kind=UnitKind.POLICE,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )


@pytest.fixture
def police_specialist(police: Unit) -> User:
    return staff_user("police-specialist", police, Role.SPECIALIST)


def intake(
    desk: User, center: Unit, case: Case, when: dt.datetime = MON, **applicant: str
) -> Dossier:
    person = ApplicantIn(
        full_name=applicant.get("full_name", "Lê Vĩnh Huỳnh"),
        id_number=applicant.get("id_number", "054089001234"),
        phone=applicant.get("phone", "0905123456"),
        email=applicant.get("email", ""),
    )
    return s.dossier_intake(
        actor=desk, unit=center, case=case, applicant=person, papers=all_papers(case), at=when
    )
