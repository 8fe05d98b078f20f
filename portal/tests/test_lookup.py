import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from dossiers import services as s
from dossiers.tests.fixtures import all_papers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def dossier(desk_officer, ward_center, ward_case, applicant_in):
    return s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
    )


def test_receipt_code_and_secret_show_status_without_personal_data(client, dossier) -> None:
    response = client.get(
        "/tra-cuu/", {"code": dossier.code, "secret": dossier.lookup_secret.lower()}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đã tiếp nhận" in body or "Received" in body
    for private in ["Lê Vĩnh Huỳnh", "054089001234", "0905123456", "Phường Một, Tỉnh Thử"]:
        assert private not in body
    assert "The dossier was started." not in body and "Đã tạo hồ sơ nháp" not in body


def test_the_code_may_be_typed_in_small_letters_and_with_spaces(client, dossier) -> None:
    typed = dossier.code.lower().replace("-", " - ", 1)
    response = client.get("/tra-cuu/", {"code": typed, "secret": dossier.lookup_secret})
    assert response.status_code == 200
    assert 'data-testid="status"' in response.content.decode()


def test_wrong_secret_and_unknown_code_read_the_same(client, dossier) -> None:
    wrong = client.get("/tra-cuu/", {"code": dossier.code, "secret": "AAAAAA"})
    unknown = client.get("/tra-cuu/", {"code": "000.00.01.H99-260101-9999", "secret": "AAAAAA"})
    assert wrong.status_code == unknown.status_code == 404

    def alert(response) -> str:
        body = response.content.decode()
        return body[body.index('role="alert"') : body.index("</p>", body.index('role="alert"'))]

    assert alert(wrong) == alert(unknown)
    assert 'data-testid="status"' not in wrong.content.decode()


def test_too_many_attempts_are_refused(client, dossier) -> None:
    # Frozen inside one rate-limit window, so a minute boundary cannot reset the count.
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, 10, tzinfo=dt.UTC), tick=False):
        for _ in range(10):
            client.get("/tra-cuu/", {"code": dossier.code, "secret": "AAAAAA"})
        response = client.get("/tra-cuu/", {"code": dossier.code, "secret": dossier.lookup_secret})
    assert response.status_code == 429


def test_empty_form_is_just_the_form(client) -> None:
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    assert 'name="secret"' in response.content.decode()
