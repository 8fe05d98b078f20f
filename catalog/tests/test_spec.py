from typing import Any, get_args

import pytest

from catalog.io import CatalogFileError, catalog_import
from catalog.models import OnlineLevel, StepActor, TimeUnit
from catalog.spec import ActorName, AgencyName, LevelName, OnlineLevelName, TimeUnitName
from catalog.tests.conftest import catalog_rows, changed
from units.models import Level, UnitKind


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (LevelName, Level.values),
        (OnlineLevelName, OnlineLevel.values),
        (TimeUnitName, TimeUnit.values),
        (ActorName, StepActor.values),
    ],
)
def test_file_choices_are_the_model_choices(literal: Any, choices: list[str]) -> None:
    assert sorted(get_args(literal)) == sorted(choices)


def test_file_agencies_are_unit_kinds_that_decide() -> None:
    assert set(get_args(AgencyName)) == set(UnitKind.values) - {"province", "center"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "old", "new", "message"),
    [
        (
            25,
            '"Đăng ký khai sinh"',
            '"' + "Đ" * 401 + '"',
            "line 25: procedures[0].name_vi: must be at most 400 characters long",
        ),
        (
            25,
            '"Đăng ký khai sinh"',
            '""',
            "line 25: procedures[0].name_vi: must not be empty",
        ),
        (
            99,
            '"days": 0.5',
            '"days": 0.505',
            "line 99: procedures[0].cases[1].steps[0].days: "
            "may have at most 2 decimal places (got 0.505)",
        ),
        (
            84,
            '"value": 3',
            '"value": "3"',
            'line 84: procedures[0].cases[1].time.value: must be a number (got "3")',
        ),
        (
            64,
            '"mandatory": true',
            '"mandatory": 1',
            "line 64: procedures[0].cases[0].components[0].mandatory: "
            "must be true or false (got 1)",
        ),
        (
            84,
            '"value": 3',
            '"value": 0',
            "line 84: procedures[0].cases[1].time.value: "
            "must be more than 0 unless the unit is same_day",
        ),
        (
            80,
            '"code": "2"',
            '"code": "1"',
            'line 80: procedures[0].cases[1].code: the case code "1" is used twice '
            "in this procedure",
        ),
        (
            11,
            '"HO_TICH"',
            '"CAN_CUOC"',
            'line 11: fields[1].code: the field code "CAN_CUOC" is already used by '
            "fields[0].code on line 6",
        ),
        (
            42,
            '"cases": [',
            '"cases": 7, "old_cases": [',
            "line 42: procedures[0].cases: must be a list (got 7)",
        ),
    ],
)
def test_more_rules_in_the_editors_words(
    sample_text: str, line: int, old: str, new: str, message: str
) -> None:
    with pytest.raises(CatalogFileError) as caught:
        catalog_import(text=changed(sample_text, line, old, new))
    assert message in caught.value.messages
    assert set(catalog_rows().values()) == {0}
