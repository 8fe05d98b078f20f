import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Assignment, Role, User
from catalog.models import Procedure
from deadlines.models import CalendarDay
from units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_demo_province_loads_and_reloads_without_duplicates(capsys) -> None:
    call_command("demo", no_history=True)
    first = capsys.readouterr().out
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        Assignment.objects.count(),
        Procedure.objects.count(),
        CalendarDay.objects.count(),
    )
    call_command("demo", no_history=True)
    again = (
        Unit.objects.count(),
        User.objects.count(),
        Assignment.objects.count(),
        Procedure.objects.count(),
        CalendarDay.objects.count(),
    )
    assert again == counts

    centers = Unit.objects.centers()
    assert centers.filter(level="province").count() == 1
    assert centers.filter(level="ward").count() >= 3
    assert centers.filter(name_vi__contains="Tuy Hòa").exists()
    for kind in [UnitKind.POLICE, UnitKind.JUSTICE, UnitKind.SOCIAL_INSURANCE]:
        assert Unit.objects.filter(kind=kind).exists()
    assert {a.role for a in Assignment.objects.all()} == set(Role.values)
    assert Procedure.objects.published().count() >= 30
    assert CalendarDay.objects.filter(date=dt.date(2026, 2, 17), kind="day_off").exists()

    assert "motcua-demo" in first
    for username in ["admin", "desk", "specialist", "approver", "manager", "guide"]:
        assert f"  {username} " in first


def test_demo_logins_work(client) -> None:
    call_command("demo", no_history=True, verbosity=0)
    assert client.login(username="desk", password="motcua-demo")
    assert client.login(username="admin", password="motcua-demo")
    assert client.get("/admin/").status_code == 200
