"""The center's manager sets online-priority days on the manager's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from queueing import services as q
from queueing.models import OnlinePriorityDay
from queueing.tests.conftest import MONDAY, login
from units.models import Unit

TODAY = MONDAY.date()
YESTERDAY = TODAY - dt.timedelta(days=1)
WEDNESDAY = TODAY + dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _monday_morning(monday_morning: object) -> object:
    return monday_morning


def days(center: Unit) -> list[dt.date]:
    return list(
        OnlinePriorityDay.objects.filter(center=center)
        .order_by("day")
        .values_list("day", flat=True)
    )


# -- rules ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_day_is_set_from_today_on_once_and_the_admin_history_says_who(
    ward_center: Unit, manager: User
) -> None:
    q.online_priority_day_add(center=ward_center, day=TODAY, actor=manager)
    q.online_priority_day_add(center=ward_center, day=WEDNESDAY, actor=manager)
    with pytest.raises(q.QueueError, match="Choose today or a later day"):
        q.online_priority_day_add(center=ward_center, day=YESTERDAY, actor=manager)
    with pytest.raises(q.QueueError, match="04/03/2026 is already an online-priority day"):
        q.online_priority_day_add(center=ward_center, day=WEDNESDAY, actor=manager)
    assert days(ward_center) == [TODAY, WEDNESDAY]
    logged = LogEntry.objects.filter(user=manager, action_flag=ADDITION)
    assert sorted(logged.values_list("object_repr", flat=True)) == ["02/03/2026", "04/03/2026"]


@pytest.mark.django_db
def test_a_past_day_stays_and_a_missing_day_cannot_be_removed(
    ward_center: Unit, manager: User
) -> None:
    OnlinePriorityDay.objects.create(center=ward_center, day=YESTERDAY)
    q.online_priority_day_add(center=ward_center, day=WEDNESDAY, actor=manager)
    with pytest.raises(q.QueueError, match="A past day cannot be changed"):
        q.online_priority_day_remove(center=ward_center, day=YESTERDAY, actor=manager)
    with pytest.raises(q.QueueError, match="02/03/2026 is not an online-priority day"):
        q.online_priority_day_remove(center=ward_center, day=TODAY, actor=manager)
    q.online_priority_day_remove(center=ward_center, day=WEDNESDAY, actor=manager)
    assert days(ward_center) == [YESTERDAY]
    assert LogEntry.objects.filter(user=manager, action_flag=DELETION).count() == 1


@pytest.mark.django_db
def test_a_ward_node_fed_by_the_hub_leaves_the_days_to_the_hub(
    ward_center: Unit, manager: User, settings: object
) -> None:
    settings.NODE_ROLE = "ward"  # type: ignore[attr-defined]
    settings.SYNC_HUB_URL = "https://hub.example"  # type: ignore[attr-defined]
    with pytest.raises(q.QueueError, match="set on the provincial server"):
        q.online_priority_day_add(center=ward_center, day=WEDNESDAY, actor=manager)
    assert days(ward_center) == []


# -- the page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_manager_adds_and_removes_a_day_with_plain_posts(
    client: Client, manager: User, ward_center: Unit
) -> None:
    login(client, manager)
    added = client.post(
        reverse("queueing:online_day_add"),
        {"center": ward_center.code, "day": "2026-03-04"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = added.content.decode()
    assert added.redirect_chain[0][0].endswith(f"?center={ward_center.code}#online-days")
    assert "04/03/2026 is now an online-priority day." in html
    assert 'data-day="2026-03-04"' in html and days(ward_center) == [WEDNESDAY]
    typed = client.post(
        reverse("queueing:online_day_add"), {"center": ward_center.code, "day": "06/03/2026"}
    )
    assert typed.status_code == 302 and days(ward_center) == [WEDNESDAY, dt.date(2026, 3, 6)]
    removed = client.post(
        reverse("queueing:online_day_remove"), {"center": ward_center.code, "day": "2026-03-04"}
    )
    assert removed.status_code == 302 and days(ward_center) == [dt.date(2026, 3, 6)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "past", "twice", "nonsense"),
    [
        (
            "en",
            "Choose today or a later day.",
            "04/03/2026 is already an online-priority day.",
            "Choose a day, e.g. 25/12/2026.",
        ),
        (
            "vi",
            "Hãy chọn hôm nay hoặc một ngày sau.",
            "04/03/2026 đã là ngày ưu tiên đặt lịch trực tuyến.",
            "Hãy chọn một ngày, ví dụ 25/12/2026.",
        ),
    ],
)
def test_a_refused_day_says_why_in_the_pages_language_and_keeps_what_was_typed(
    client: Client,
    manager: User,
    ward_center: Unit,
    language: str,
    past: str,
    twice: str,
    nonsense: str,
) -> None:
    OnlinePriorityDay.objects.create(center=ward_center, day=WEDNESDAY)
    login(client, manager)
    url = reverse("queueing:online_day_add")
    answers = [
        client.post(url, {"center": ward_center.code, "day": day}, HTTP_ACCEPT_LANGUAGE=language)
        for day in ("2026-03-01", "2026-03-04", "soon")
    ]
    assert [a.status_code for a in answers] == [400, 400, 400]
    for answer, message in zip(answers, (past, twice, nonsense), strict=True):
        assert f'role="alert">{message}</p>' in answer.content.decode()
    assert 'value="2026-03-01"' in answers[0].content.decode()
    assert days(ward_center) == [WEDNESDAY]


@pytest.mark.django_db
def test_htmx_swaps_the_section_alone_with_the_result_or_the_refusal(
    client: Client, manager: User, ward_center: Unit
) -> None:
    login(client, manager)
    url = reverse("queueing:online_day_add")
    done = client.post(
        url,
        {"center": ward_center.code, "day": "2026-03-04"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = done.content.decode()
    assert done.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="online-days"')
    assert 'role="status">04/03/2026 is now an online-priority day.' in html
    refused = client.post(
        url,
        {"center": ward_center.code, "day": "2026-03-04"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # htmx swaps only 2xx answers: the refusal comes as 200 with its message.
    assert (
        refused.status_code == 200
        and "is already an online-priority day" in refused.content.decode()
    )
    removed = client.post(
        reverse("queueing:online_day_remove"),
        {"center": ward_center.code, "day": "2026-03-04"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "04/03/2026 is an ordinary day again." in removed.content.decode()
    assert days(ward_center) == []


@pytest.mark.django_db
def test_only_the_centers_manager_sets_days(
    client: Client,
    guide: User,
    desk_officer: User,
    manager: User,
    ward_center: Unit,
    other_center: Unit,
) -> None:
    OnlinePriorityDay.objects.create(center=ward_center, day=WEDNESDAY)
    add, remove = reverse("queueing:online_day_add"), reverse("queueing:online_day_remove")
    posted = {"center": ward_center.code, "day": "2026-03-05"}
    other_manager = staff_user("manager-two", other_center, Role.MANAGER)
    for user in (guide, desk_officer, other_manager):
        login(client, user)
        assert client.post(add, posted).status_code == 403
        assert client.post(remove, posted | {"day": "2026-03-04"}).status_code == 403
    # The guide sees the days on the manager's view, without the forms that change them.
    page = login(client, guide).get(reverse("queueing:manage")).content.decode()
    assert 'data-day="2026-03-04"' in page and "online-days/" not in page
    assert client.get(add).status_code == 405
    # Another center's manager cannot reach this center even by naming it.
    login(client, other_manager)
    assert client.post(add, {"center": ward_center.code, "day": "2026-03-06"}).status_code == 403
    assert days(ward_center) == [WEDNESDAY]
    # The manager of this center can.
    login(client, manager)
    assert client.post(add, posted).status_code == 302
    assert days(ward_center) == [WEDNESDAY, dt.date(2026, 3, 5)]


# -- in a browser --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_manager_sets_days_in_the_browser_without_leaving_the_page(
    page: object, manager: User, ward_center: Unit
) -> None:
    from queueing.tests.test_browser import shot, signed_in

    p: Any = page
    signed_in(p, manager)
    p.goto(f"{p.base_url}/queue/manage/?center={ward_center.code}")
    p.evaluate("window.samePage = true")
    today = timezone.localdate()
    later = today + dt.timedelta(days=3)
    p.fill("#online-day", later.isoformat())
    p.click("#online-days .q-days-form button")
    p.wait_for_selector(f"#online-days [data-day='{later.isoformat()}']")
    assert f"{later:%d/%m/%Y}" in p.inner_text("#online-days [role=status]")
    p.fill("#online-day", (today - dt.timedelta(days=1)).isoformat())
    p.click("#online-days .q-days-form button")
    p.wait_for_selector("#online-day-error")
    assert p.inner_text("#online-day-error") == "Hãy chọn hôm nay hoặc một ngày sau."
    assert p.get_attribute("#online-day", "aria-invalid") == "true"
    p.locator("#online-days").scroll_into_view_if_needed()
    shot(p, "manage-online-days")
    p.click(f"#online-days [data-day='{later.isoformat()}'] button")
    p.wait_for_selector("#online-days [role=status]:has-text('ngày bình thường')")
    assert p.evaluate("window.samePage") is True  # swapped in place, never reloaded
    assert days(ward_center) == []
