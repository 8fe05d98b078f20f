"""Suite-wide fixtures: the personas of a small province, a browser, databases."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; Django would
# then refuse ORM calls made from browser tests and their fixtures.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from units.models import Level, Unit, UnitKind

# Dossier fixtures (a small catalog, agencies, applicants) serve several apps.
pytest_plugins = ["dossiers.tests.fixtures", "reports.tests.fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _own_kept_stamps(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A test worker's saves would otherwise make the other worker drop what it keeps,
    # in the middle of a test that counts its queries.
    from django.conf import settings

    settings.KEPT_DIR = tmp_path_factory.mktemp("kept")


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # What a test kept in the cache was read from rows its rollback removed.
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    # Messages built outside a request (commands, services) are asserted in
    # their English source text; pages pick their language per request.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Every persona hashes a password; the production hasher costs ~0.3 s each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(db: None) -> Unit:
    return Unit.objects.create(
        code="000.00.00.H99",
        name_vi="Tỉnh Thử",
        name_en="Test Province",
        kind=UnitKind.PROVINCE,
        level=Level.PROVINCE,
    )


@pytest.fixture
def ward(province: Unit) -> Unit:
    return Unit.objects.create(
        code="000.01.00.H99",
        name_vi="UBND phường Một",
        name_en="Ward One People's Committee",
        kind=UnitKind.WARD_COMMITTEE,
        level=Level.WARD,
        parent=province,
        province=province,
    )


@pytest.fixture
def ward_center(ward: Unit, province: Unit) -> Unit:
    return Unit.objects.create(
        code="000.01.01.H99",
        name_vi="Trung tâm PVHCC phường Một",
        name_en="Ward One service center",
        kind=UnitKind.CENTER,
        level=Level.WARD,
        parent=ward,
        province=province,
    )


@pytest.fixture
def other_center(province: Unit) -> Unit:
    ward_two = Unit.objects.create(
        code="000.02.00.H99",
        name_vi="UBND phường Hai",
        kind=UnitKind.WARD_COMMITTEE,
        level=Level.WARD,
        parent=province,
        province=province,
    )
    return Unit.objects.create(
        code="000.02.01.H99",
        name_vi="Trung tâm PVHCC phường Hai",
        kind=UnitKind.CENTER,
        level=Level.WARD,
        parent=ward_two,
        province=province,
    )


@pytest.fixture
def guide(ward_center: Unit) -> User:
    return staff_user("guide", ward_center, Role.GUIDE)


@pytest.fixture
def desk_officer(ward_center: Unit) -> User:
    return staff_user("desk", ward_center, Role.DESK_OFFICER)


@pytest.fixture
def specialist(ward: Unit) -> User:
    return staff_user("specialist", ward, Role.SPECIALIST)


@pytest.fixture
def approver(ward: Unit) -> User:
    return staff_user("approver", ward, Role.APPROVER)


@pytest.fixture
def manager(ward_center: Unit) -> User:
    return staff_user("manager", ward_center, Role.MANAGER)


@pytest.fixture
def admin_user(province: Unit) -> User:
    user = staff_user("admin", province, Role.ADMIN)
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def citizen(db: None) -> User:
    return User.objects.create_user(
        username="citizen", password="pw-citizen", full_name="Nguyễn Văn Dân"
    )


@pytest.fixture
def outsider(other_center: Unit) -> User:
    return staff_user("outsider", other_center, Role.DESK_OFFICER)


# --- Browser -----------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# A printed ticket page calls window.print() by itself. A headless Chromium can be left
# holding that page's renderer in the print, and closing the test's context then waits
# for ever; the tests count the calls instead (``window.motcuaPrinted``).
NO_PRINT_DIALOG = (
    "window.print = () => { window.motcuaPrinted = (window.motcuaPrinted || 0) + 1; };"
)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if _in_ci():
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if _in_ci():
            raise
        pytest.skip("playwright not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser page; the live server's URL is ``page.base_url``."""
    context = _chromium.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_init_script(NO_PRINT_DIALOG)
    browser_page = context.new_page()
    browser_page.set_default_timeout(10_000)
    browser_page.base_url = live_server.url
    yield browser_page
    context.close()


# --- Databases ---------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = "needs PostgreSQL (run with DATABASE_URL=postgres://...)"
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason=reason))
