import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.io import ImportReport
from catalog.models import Case, Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client, admin_user: User, imported: ImportReport) -> Client:
    client.force_login(admin_user)
    return client


def _version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.get(procedure__code=code)


@pytest.mark.parametrize(
    "model", ["field", "procedure", "procedureversion", "case"], ids=lambda model: model
)
def test_admin_lists_load(admin_client_: Client, model: str) -> None:
    response = admin_client_.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_admin_change_pages_load(admin_client_: Client) -> None:
    procedure = Procedure.objects.get(code="1.001193")
    version = _version("1.001193")
    case = version.cases.get(code="2")
    for url in [
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        reverse("admin:catalog_procedureversion_change", args=[version.pk]),
        reverse("admin:catalog_case_change", args=[case.pk]),
        reverse("admin:catalog_procedureversion_add"),
    ]:
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        assert b'name="_save"' in response.content, url


def test_a_frozen_version_is_read_only(admin_client_: Client) -> None:
    version = _version("2.001234")
    version.lock()
    url = reverse("admin:catalog_procedureversion_change", args=[version.pk])

    page = admin_client_.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert "Cấp lại thẻ căn cước" in page.content.decode()
    assert admin_client_.post(url, {"name_vi": "Đổi"}).status_code == 403
    delete = reverse("admin:catalog_procedureversion_delete", args=[version.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403

    case = Case.objects.get(version=version)
    case_page = admin_client_.get(reverse("admin:catalog_case_change", args=[case.pk]))
    assert case_page.status_code == 200
    assert b'name="_save"' not in case_page.content
    version.refresh_from_db()
    assert version.name_vi == "Cấp lại thẻ căn cước"


def test_make_an_editable_copy(admin_client_: Client) -> None:
    version = _version("MC.0001")
    version.lock()
    response = admin_client_.post(
        reverse("admin:catalog_procedureversion_changelist"),
        {"action": "make_editable_copy", "_selected_action": [str(version.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    procedure = Procedure.objects.get(code="MC.0001")
    assert procedure.current_version is not None
    assert (procedure.current_version.number, procedure.current_version.is_locked) == (2, False)
    assert "version 2, a copy of version 1" in response.content.decode()


def test_saving_a_version_refreshes_its_search_text(admin_client_: Client) -> None:
    version = _version("MC.0001")
    url = reverse("admin:catalog_procedureversion_change", args=[version.pk])
    page = admin_client_.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "name_vi": "Cấp giấy xác nhận tình trạng hôn nhân",
            "keywords": '["độc thân"]',
            "cases-TOTAL_FORMS": "1",
            "cases-INITIAL_FORMS": "1",
            "cases-0-id": str(version.cases.get().pk),
            "cases-0-version": str(version.pk),
            "cases-0-position": "0",
            "cases-0-code": "1",
            "cases-0-name_vi": "Xác nhận tình trạng hôn nhân",
            "cases-0-name_en": "Marital status certificate",
            "cases-0-time_value": "3",
            "cases-0-time_unit": "working_days",
        }
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    version.refresh_from_db()
    assert "cap giay xac nhan tinh trang hon nhan" in version.search_text
    assert "doc than" in version.search_text


def test_admin_search_ignores_tone_marks(admin_client_: Client) -> None:
    response = admin_client_.get(
        reverse("admin:catalog_procedure_changelist"), {"q": "cap lai can cuoc"}
    )
    assert response.status_code == 200
    assert [procedure.code for procedure in response.context["cl"].result_list] == ["2.001234"]


def test_a_procedure_with_a_frozen_version_cannot_be_deleted(admin_client_: Client) -> None:
    procedure = Procedure.objects.get(code="1.004227")
    assert procedure.current_version is not None
    procedure.current_version.lock()
    url = reverse("admin:catalog_procedure_delete", args=[procedure.pk])
    assert admin_client_.post(url, {"post": "yes"}).status_code == 403
    assert Procedure.objects.filter(code="1.004227").exists()


def test_catalog_admin_is_for_staff_only(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    response = client.get(reverse("admin:catalog_procedureversion_changelist"))
    assert response.status_code == 302


def test_adding_a_version_numbers_it_and_makes_a_first_version_current(
    admin_client_: Client,
) -> None:
    field = Procedure.objects.get(code="MC.0001").field
    procedure = Procedure.objects.create(code="MC.0002", field=field)
    data = {
        "procedure": str(procedure.pk),
        "name_vi": "Chứng thực bản sao",
        "name_en": "Certified copies",
        "level": "ward",
        "agency": "justice",
        "agency_name_vi": "Phòng Tư pháp",
        "online_level": "none",
        "for_citizens": "on",
        "keywords": "[]",
        "cases-TOTAL_FORMS": "1",
        "cases-INITIAL_FORMS": "0",
        "cases-0-position": "0",
        "cases-0-code": "1",
        "cases-0-name_vi": "Chứng thực bản sao từ bản chính",
        "cases-0-time_value": "0",
        "cases-0-time_unit": "same_day",
    }
    url = reverse("admin:catalog_procedureversion_add")
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure.refresh_from_db()
    first = procedure.current_version
    assert first is not None
    assert (first.number, first.cases.get().time_unit) == (1, "same_day")
    assert "chung thuc ban sao" in first.search_text

    data["name_vi"] = "Chứng thực bản sao (sửa)"
    assert admin_client_.post(url, data).status_code == 302
    procedure.refresh_from_db()
    assert procedure.versions.count() == 2
    assert procedure.current_version == first  # a later draft waits to be made current
