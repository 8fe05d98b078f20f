import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from units.models import Level, Unit, UnitKind, parse_periods

pytestmark = pytest.mark.django_db


def test_electronic_id_must_be_dotted(province: Unit) -> None:
    unit = Unit(
        code="H99-001",
        name_vi="Sai",
        kind=UnitKind.JUSTICE,
        level=Level.PROVINCE,
        province=province,
    )
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "code" in error.value.message_dict


def test_every_unit_but_a_province_belongs_to_one(db: None) -> None:
    with pytest.raises(IntegrityError):
        Unit.objects.create(
            code="000.00.09.H99", name_vi="Sở lạc", kind=UnitKind.JUSTICE, level=Level.PROVINCE
        )


def test_default_periods_make_an_eight_hour_day(ward_center: Unit) -> None:
    periods = ward_center.periods()
    assert periods == [(dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17))]
    minutes = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in periods)
    assert minutes == 480


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [["07:00"]],
        [["11:30", "07:00"]],
        [["07:00", "12:00"], ["11:00", "17:00"]],
        [["7h", "11h"]],
    ],
)
def test_bad_working_periods_are_refused(raw: list) -> None:
    with pytest.raises(ValidationError):
        parse_periods(raw)


def test_province_agency_handles_dossiers_filed_at_any_center(
    province: Unit, ward_center: Unit, other_center: Unit
) -> None:
    justice = Unit.objects.create(
        code="000.00.11.H99",
        name_vi="Sở Tư pháp",
        kind=UnitKind.JUSTICE,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )
    assert ward_center.competent_unit(UnitKind.JUSTICE, Level.PROVINCE) == justice
    assert other_center.competent_unit(UnitKind.JUSTICE, Level.PROVINCE) == justice


def test_ward_procedure_goes_to_the_ward_of_the_filing_center_or_the_one_named(
    ward: Unit, ward_center: Unit, other_center: Unit
) -> None:
    assert ward_center.competent_unit(UnitKind.WARD_COMMITTEE, Level.WARD) == ward
    ward_two = other_center.parent
    assert other_center.competent_unit(UnitKind.WARD_COMMITTEE, Level.WARD) == ward_two
    assert other_center.competent_unit(UnitKind.WARD_COMMITTEE, Level.WARD, ward=ward) == ward
    police = Unit.objects.create(
        code="000.01.10.H99",
        name_vi="Công an phường Một",
        kind=UnitKind.POLICE,
        level=Level.WARD,
        parent=ward,
        province=ward.province,
    )
    assert ward_center.competent_unit(UnitKind.POLICE, Level.WARD) == police
    assert other_center.competent_unit(UnitKind.POLICE, Level.WARD) is None


def test_english_name_falls_back_to_vietnamese(ward_center: Unit) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert ward_center.name == "Ward One service center"
        ward_center.name_en = ""
        assert ward_center.name == "Trung tâm PVHCC phường Một"
