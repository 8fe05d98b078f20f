import pytest

from catalog.models import Procedure
from catalog.text import fold, vietnamese_order


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
        ("ho tich", ["1.001193", "MC.0001"]),  # the field's name: "Hộ tịch"
        ("Civil status", ["1.001193", "MC.0001"]),
        ("xay dung", ["1.004227"]),
    ],
)
def test_search_finds_procedures_without_tone_marks(query: str, codes: list[str]) -> None:
    found = Procedure.objects.published().search(query)
    assert sorted(found.values_list("code", flat=True)) == codes


@pytest.mark.usefixtures("imported")
def test_a_renamed_field_is_found_by_its_new_name() -> None:
    from catalog.services import field_save

    field_save(code="HO_TICH", name_vi="Hộ tịch và quốc tịch", name_en="Civil status")
    found = Procedure.objects.published().search("quoc tich")
    assert sorted(found.values_list("code", flat=True)) == ["1.001193", "MC.0001"]


def test_vietnamese_order_follows_the_alphabet() -> None:
    names = [
        "Xây dựng",
        "Đất đai",
        "Chứng thực",
        "Căn cước",
        "Đăng ký",
        "Dân số",
        "Ơn",
        "Ô tô",
        "Ăn",
        "An",
        "Ấn",
    ]
    assert sorted(names, key=vietnamese_order) == [
        "An",
        "Ăn",
        "Ấn",
        "Căn cước",
        "Chứng thực",
        "Dân số",
        "Đăng ký",
        "Đất đai",
        "Ô tô",
        "Ơn",
        "Xây dựng",
    ]


def test_tone_marks_decide_only_between_the_same_letters() -> None:
    assert sorted(["bá", "ba", "bà", "bả", "bạ", "bã", "bac"], key=vietnamese_order) == [
        "ba",
        "bà",
        "bả",
        "bã",
        "bá",
        "bạ",
        "bac",
    ]
