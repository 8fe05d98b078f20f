import pytest
from django.urls import reverse

from units.models import Unit

pytestmark = pytest.mark.django_db


def test_home_lists_centers_in_vietnamese_by_default(client, ward_center: Unit) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Trung tâm PVHCC phường Một" in body
    assert ward_center.code in body


def test_browser_language_picks_english(client, ward_center: Unit) -> None:
    body = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in body
    assert "Ward One service center" in body
    assert "Service centers" in body


def test_switcher_changes_language_and_keeps_the_page(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/procedures/"})
    assert response.status_code == 302
    assert response["Location"] == "/procedures/"
    # The choice outlives the browser's own preference.
    body = client.get("/procedures/", headers={"accept-language": "vi"}).content.decode()
    assert '<html lang="en">' in body
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/", headers={"accept-language": "en"}).content.decode()


def test_admin_open_to_administrator_only(client, admin_user, desk_officer) -> None:
    client.force_login(desk_officer)
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(admin_user)
    response = client.get(reverse("admin:units_unit_changelist"))
    assert response.status_code == 200
    for name in ["units_unit", "accounts_user", "deadlines_calendarday"]:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_staff_sign_in_page_and_wrong_password(client, desk_officer) -> None:
    response = client.post(reverse("login"), {"username": "desk", "password": "nope"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    response = client.post(reverse("login"), {"username": "desk", "password": "pw-desk"})
    assert response.status_code == 302


def test_a_missing_page_answers_404_in_the_readers_language(client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Trang này không tồn tại" in body and 'href="/"' in body
    english = client.get("/no-such-page/", headers={"accept-language": "en"})
    assert english.status_code == 404
    assert "This page does not exist" in english.content.decode()


def test_a_page_the_role_does_not_open_answers_403_with_a_way_on(client, citizen) -> None:
    client.force_login(citizen)
    response = client.get("/desk/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Bạn không được mở trang này" in body and "Đăng xuất" in body


def test_a_server_error_page_speaks_both_languages_and_needs_nothing(rf) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/desk/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Đã có lỗi trên máy chủ" in body and "Something went wrong on the server" in body


def test_the_counters_behind_dossier_codes_are_read_only_in_the_admin(client, admin_user) -> None:
    from sequences import get_next_value
    from sequences.models import Sequence

    get_next_value("dossier-code:000.01.01.H99:261124")
    row = Sequence.objects.get()
    client.force_login(admin_user)
    page = client.get("/admin/sequences/sequence/", headers={"accept-language": "vi"})
    assert page.status_code == 200
    assert "Bộ đếm số thứ tự" in page.content.decode()
    from django.contrib.admin.utils import quote
    from django.urls import reverse

    change = reverse("admin:sequences_sequence_change", args=[quote(row.pk)])
    assert row.name in client.get(change).content.decode()
    assert 'name="_save"' not in client.get(change).content.decode()
    client.post(change, {"name": row.name, "last": "0"})
    row.refresh_from_db()
    assert row.last == 1


def test_the_icon_is_found_where_browsers_look_for_it(client, db) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
