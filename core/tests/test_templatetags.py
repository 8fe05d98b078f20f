from django.utils import translation

from core.templatetags.motcua import vnd


def test_vnd_groups_thousands_the_way_each_language_writes_them() -> None:
    with translation.override("vi"):
        assert vnd(200000) == "200.000 đ"
        assert vnd(8000) == "8.000 đ"
        assert vnd(0) == "0 đ"
    with translation.override("en"):
        assert vnd(1500000) == "1,500,000 VND"
    assert vnd(None) == ""
