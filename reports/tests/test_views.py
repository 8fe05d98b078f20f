"""Report pages and exports: who may read what, and files that say what the page says."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import staff_user
from dossiers import services as s
from dossiers.tests.fixtures import all_papers, at
from reports.access import scope_for

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def dossiers(
    desk_officer, outsider, approver, specialist, ward_center, other_center, ward_case, applicant
):
    """Three dossiers at the ward center (one resolved late, one overdue), one at another center."""
    made = []
    for hour in (8, 9, 10):
        made.append(
            s.dossier_intake(
                actor=desk_officer,
                unit=ward_center,
                case=ward_case,
                applicant=applicant,
                papers=all_papers(ward_case),
                channel="direct" if hour < 10 else "post",
                at=at(2025, 3, 3, hour),
            )
        )
    d = s.dossier_route(actor=desk_officer, dossier=made[0], at=at(2025, 3, 3, 11))
    d = s.dossier_assign(actor=approver, dossier=d, assignee=specialist, at=at(2025, 3, 3, 11))
    s.dossier_resolve(actor=approver, dossier=d, number="1/UBND", at=at(2025, 3, 6, 8, 1))
    s.dossier_return(
        actor=desk_officer, dossier=d, channel="direct", collected_by="Mai", at=at(2025, 3, 7, 9)
    )
    s.dossier_intake(
        actor=outsider,
        unit=other_center,
        case=ward_case,
        applicant=applicant,
        papers=all_papers(ward_case),
        at=at(2025, 3, 4, 8),
    )
    return made


def test_only_managers_and_the_province_read_reports(
    client, manager, admin_user, desk_officer, specialist, guide
) -> None:
    for user in (desk_officer, specialist, guide):
        client.force_login(user)
        for name in ("index", "progress", "center", "scores", "register", "province"):
            assert client.get(reverse(f"reports:{name}")).status_code == 403, (user, name)
    client.logout()
    assert client.get(reverse("reports:progress")).status_code == 302  # to sign in
    client.force_login(manager)
    assert client.get(reverse("reports:index")).status_code == 200
    assert client.get(reverse("reports:province")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("reports:province")).status_code == 200


def test_scopes_cover_the_managers_center_and_the_whole_province(
    manager, admin_user, ward_center, other_center, ward, province
) -> None:
    assert scope_for(manager).ids == {ward_center.pk}
    whole = scope_for(admin_user)
    assert {ward_center.pk, other_center.pk, ward.pk} <= whole.ids
    assert whole.province == province
    assert [u.pk for u in whole.pick("wards")] == [ward_center.pk, other_center.pk]


def test_a_manager_sees_only_the_dossiers_their_center_received(
    client, manager, dossiers, ward_center, other_center
) -> None:
    client.force_login(manager)
    page = client.get(reverse("reports:progress"), MARCH)
    assert page.status_code == 200
    total = page.context["report"].total
    assert (total.new, total.new_direct, total.new_post, total.done_late) == (3, 2, 1, 1)
    # Asking for another center is refused and shows nothing of it.
    other = client.get(reverse("reports:progress"), {**MARCH, "scope": str(other_center.pk)})
    assert other.status_code == 200 and "report" not in other.context
    assert other.context["form"].errors["scope"]


def test_the_province_sees_every_center_side_by_side(client, admin_user, dossiers) -> None:
    client.force_login(admin_user)
    page = client.get(reverse("reports:province"), MARCH)
    assert page.status_code == 200
    ranking = page.context["ranking"]
    assert [r.line.new for r in ranking] == [3, 1]  # a center with no result yet ranks last
    assert page.context["report"].total.new == 4
    html = page.content.decode()
    assert 'data-chart="channels"' in html and 'id="chart-data"' in html


def _page_totals(html: str) -> dict[str, str]:
    footer = html.split('data-testid="progress-total"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', footer))


def test_excel_export_opens_and_its_totals_are_the_pages(client, admin_user, dossiers) -> None:
    client.force_login(admin_user)
    query = {**MARCH, "scope": "all", "by": "unit"}
    page = client.get(reverse("reports:progress"), query)
    shown = _page_totals(page.content.decode())
    response = client.get(reverse("reports:progress"), {**query, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][2] == "Số hồ sơ nhận giải quyết"
    assert "A4:A6" in {str(r) for r in sheet.merged_cells.ranges}
    totals = next(r for r in rows if r[1] == "Tổng cộng")
    columns = ["received", "carried", "new_online", "new_direct", "new_post", "done",
               "done_early", "done_on_time", "done_late", "running", "running_on_time",
               "running_overdue", "paused", "paused_on_time", "paused_overdue",
               "returned_direct", "returned_online", "returned_post"]  # fmt: skip
    assert [str(v) for v in totals[2:20]] == [shown[c].replace(".", "") for c in columns]
    assert totals[2] == 4 and totals[10] == 1  # received; processed late
    assert totals[21] == 0  # one processed, late: 0 %


def test_pdf_export_is_landscape_a4(client, manager, dossiers) -> None:
    client.force_login(manager)
    response = client.get(reverse("reports:progress"), {**MARCH, "export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height and round(width) == 842
    text = page.extract_text()
    assert "Số hồ sơ đã giải quyết" in text and "Tổng cộng" in text


def test_register_lists_every_dossier_received_in_the_period(client, manager, dossiers) -> None:
    client.force_login(manager)
    response = client.get(reverse("reports:register"), {**MARCH, "export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert [r[1] for r in rows[1:]] == [d.code for d in dossiers]
    assert rows[1][14] == "Trễ hạn" and rows[1][12] == "Trực tiếp tại Bộ phận Một cửa"


def test_scores_show_formulas_and_no_data_instead_of_guesses(client, manager, dossiers) -> None:
    client.force_login(manager)
    page = client.get(reverse("reports:scores"), MARCH, HTTP_ACCEPT_LANGUAGE="en")
    groups = {str(g.name): g for g in page.context["groups"]}
    assert groups["Progress and results"].score == 0  # the one result was late
    assert groups["Satisfaction"].score is None
    html = page.content.decode()
    assert "(early + on time) / processed" in html and "no data" in html
    workbook = client.get(reverse("reports:scores"), {**MARCH, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert any(row[0] == "Tổng cộng" for row in sheet.iter_rows(values_only=True))


def test_center_dashboard_lists_overdue_dossiers_and_staff_load(
    client, manager, dossiers, desk_officer, time_machine
) -> None:
    time_machine.move_to(at(2025, 3, 10, 9))
    client.force_login(manager)
    page = client.get(reverse("reports:center"))
    assert page.status_code == 200
    board = page.context["board"]
    assert [d.code for d in board.overdue] == [dossiers[1].code, dossiers[2].code]
    desk = next(o for o in board.officers if o.user == desk_officer)
    assert (desk.received_month, desk.returned_month) == (3, 1)
    assert board.month.new == 3 and board.heat.cells[0][board.heat.hours.index(8)] == 1


def test_a_manager_of_two_centers_may_pick_either(
    client, ward_center, other_center, dossiers
) -> None:
    both = staff_user("both", ward_center, Role.MANAGER)
    from accounts.models import Assignment

    Assignment.objects.create(user=both, unit=other_center, role=Role.MANAGER)
    client.force_login(both)
    page = client.get(reverse("reports:progress"), {**MARCH, "scope": "all"})
    assert page.context["report"].total.new == 4
    one = client.get(reverse("reports:progress"), {**MARCH, "scope": str(other_center.pk)})
    assert one.context["report"].total.new == 1


def test_bad_periods_keep_what_was_typed(client, manager) -> None:
    client.force_login(manager)
    page = client.get(reverse("reports:progress"), {"start": "2025-03-31", "end": "2025-03-01"})
    assert page.context["form"].errors["end"]
    assert 'value="2025-03-31"' in page.content.decode()


def test_pages_speak_vietnamese(client, manager, dossiers) -> None:
    client.force_login(manager)
    page = client.get(reverse("reports:progress"), MARCH, HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert "Kỳ trước chuyển sang" in html and "Báo cáo tiến độ giải quyết" in html
    assert dt.date(2025, 3, 1)  # the period is the one asked for
