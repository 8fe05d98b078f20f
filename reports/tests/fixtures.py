"""A ward center that received a few hundred dossiers of two agencies over three months."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from catalog.models import Case
from dossiers import services as s
from dossiers.services import ApplicantIn
from dossiers.tests.fixtures import at
from reports.tests.story import Agency, Made, generate
from units.models import Unit

# From late November 2024 to mid-February 2025: a year end, three month ends.
FIRST = dt.date(2024, 11, 25)
DAYS = 75
HORIZON = at(2025, 2, 20, 12, 0)


@pytest.fixture
def applicant(db: None) -> object:
    return s.applicant_find_or_create(
        data=ApplicantIn(full_name="Trần Thị Mai", id_number="066190001234")
    )


@pytest.fixture
def made(
    desk_officer: User,
    ward_center: Unit,
    ward_case: Case,
    justice_case: Case,
    approver: User,
    specialist: User,
    justice_approver: User,
    justice_specialist: User,
    citizen: User,
    applicant: object,
) -> Made:
    agencies = [
        Agency(ward_case, approver, specialist),
        Agency(justice_case, justice_approver, justice_specialist),
    ]
    return generate(
        seed=7,
        count=120,
        first=FIRST,
        days=DAYS,
        horizon=HORIZON,
        desk=desk_officer,
        center=ward_center,
        agencies=agencies,
        citizen=citizen,
        applicant=applicant,  # type: ignore[arg-type]
    )


@pytest.fixture
def province_admin(province: Unit) -> User:
    user = staff_user("padmin", province, Role.ADMIN)
    return user
