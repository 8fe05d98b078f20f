import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import UploadRejectedError, check_upload


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    ],
)
def test_accepts_scans_by_their_content(content: bytes, content_type: str) -> None:
    checked = check_upload(SimpleUploadedFile("any-name.bin", content, "text/plain"))
    assert checked.content_type == content_type
    assert len(checked.sha256) == 64


def test_refuses_a_renamed_file() -> None:
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(UploadRejectedError, match="not a PDF, JPEG or PNG"):
        check_upload(fake)


def test_refuses_an_oversized_file(settings) -> None:
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024), "application/pdf")
    with pytest.raises(UploadRejectedError, match="limit is 1 MB"):
        check_upload(big)


def test_refuses_an_empty_file() -> None:
    with pytest.raises(UploadRejectedError, match="empty"):
        check_upload(SimpleUploadedFile("empty.png", b"", "image/png"))
