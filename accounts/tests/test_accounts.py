import pytest
from django.db import IntegrityError

from accounts.models import Assignment, Role, User
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_roles_are_scoped_to_a_unit(
    desk_officer: User, ward_center: Unit, other_center: Unit
) -> None:
    assert desk_officer.has_role(Role.DESK_OFFICER, ward_center.id)
    assert not desk_officer.has_role(Role.DESK_OFFICER, other_center.id)
    assert not desk_officer.has_role(Role.APPROVER)
    assert desk_officer.roles_in(ward_center.id) == {Role.DESK_OFFICER}


def test_one_person_may_hold_several_roles_but_each_once(
    desk_officer: User, ward_center: Unit
) -> None:
    Assignment.objects.create(user=desk_officer, unit=ward_center, role=Role.GUIDE)
    assert desk_officer.roles_in(ward_center.id) == {Role.DESK_OFFICER, Role.GUIDE}
    with pytest.raises(IntegrityError):
        Assignment.objects.create(user=desk_officer, unit=ward_center, role=Role.GUIDE)


def test_citizen_has_no_staff_role(citizen: User) -> None:
    assert not citizen.is_staff_member
    assert citizen.get_full_name() == "Nguyễn Văn Dân"
