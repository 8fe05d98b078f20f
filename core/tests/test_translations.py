"""The Vietnamese pages say what the project's catalogues say, not a library's words."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation


def _catalogue(folder: Path) -> dict[str, str]:
    found = folder / "vi" / "LC_MESSAGES" / "django.mo"
    if not found.exists():
        return {}
    with found.open("rb") as handle:
        entries = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in entries.items() if isinstance(k, str) and k and v}


def _project_catalogues() -> dict[str, dict[str, str]]:
    base = Path(settings.BASE_DIR)
    found = {"locale": _catalogue(base / "locale")}
    for config in apps.get_app_configs():
        where = Path(config.path)
        if where.is_relative_to(base) and "site-packages" not in where.parts:
            found[config.label] = _catalogue(Path(config.path) / "locale")
    return found


@pytest.mark.parametrize("text", ["History", "Save", "Filter", "Change"])
def test_a_library_does_not_translate_the_projects_own_words(text: str) -> None:
    ours = {entries[text] for entries in _project_catalogues().values() if text in entries}
    assert ours, f"no catalogue of the project translates {text!r}"
    with translation.override("vi"):
        assert translation.gettext(text) in ours


def test_no_library_catalogue_wins_over_the_projects() -> None:
    """Every text the project translates reads, in Vietnamese, as one of the project's
    own catalogues has it (which of them, when two differ, is the order of the apps)."""
    ours: dict[str, set[str]] = {}
    for entries in _project_catalogues().values():
        for text, vietnamese in entries.items():
            ours.setdefault(text, set()).add(vietnamese)
    with translation.override("vi"):
        taken = {t: translation.gettext(t) for t in ours if translation.gettext(t) not in ours[t]}
    assert taken == {}


@pytest.mark.parametrize(
    ("text", "context", "vietnamese"),
    [
        ("Open", "", "Đang mở"),  # a counter on the queue board
        ("Open", "link", "Mở"),  # a dossier, from a list
        ("Open", "dossiers", "Đang giải quyết"),  # a column of the center's page
        ("Appointment", "", "Lịch hẹn"),  # a booked queue ticket
        ("Appointment", "result", "Hẹn trả kết quả"),
        ("Next", "", "Trang sau"),
        ("Next", "step", "Việc tiếp theo"),
    ],
)
def test_a_word_with_two_meanings_reads_right_in_each_place(
    text: str, context: str, vietnamese: str
) -> None:
    with translation.override("vi"):
        found = translation.pgettext(context, text) if context else translation.gettext(text)
    assert found == vietnamese
