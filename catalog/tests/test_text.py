import pytest

from catalog.models import Procedure
from catalog.text import fold, search_q


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Cấp lại thẻ căn cước", "cap lai the can cuoc"),
        ("Đăng ký", "dang ky"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Xác nhận tình trạng hôn nhân", "xac nhan tinh trang hon nhan"),
        ("Ưu đãi người có công", "uu dai nguoi co cong"),
        ("  hai   khoảng\ttrắng\n", "hai khoang trang"),
        ("Birth registration", "birth registration"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_alike() -> None:
    composed = "căn cước"
    decomposed = "ca\u0306n cu\u031bo\u031b\u0301c"
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "can cuoc"


@pytest.mark.usefixtures("imported")
@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("cap lai can cuoc", ["2.001234"]),
        ("Cấp lại CĂN CƯỚC", ["2.001234"]),
        ("mat cccd", ["2.001234"]),
        ("khai sinh", ["1.001193"]),
        ("identity card", ["2.001234"]),
        ("1.004227", ["1.004227"]),
        ("giay phep xay dung", ["1.004227"]),
        ("can cuoc hon nhan", []),
    ],
)
def test_search_finds_procedures_without_tone_marks(query: str, codes: list[str]) -> None:
    found = Procedure.objects.filter(search_q(query, "current_version__search_text"))
    assert sorted(found.values_list("code", flat=True)) == codes
