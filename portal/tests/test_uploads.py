"""Files sent in pieces: resumed where the server stands, checked whole, for their owner only."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers import services as s
from dossiers.models import DigitisedPaper, Dossier, DossierComponent, Status
from portal.models import UploadSession
from portal.tests.conftest import PDF
from portal.uploads import CHUNK_BYTES, staging_path, upload_sweep

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# A scan of two and a half pieces.
SCAN = PDF + bytes(range(256)) * (CHUNK_BYTES * 5 // 2 // 256)


@pytest.fixture
def draft(resident, ward_case, ward_center) -> Dossier:
    from portal.services import draft_start

    return draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)


@pytest.fixture
def component(ward_case):
    return ward_case.components.order_by("position").first()


def begin(client, draft, component, data: bytes = SCAN, *, sha: bool = True, size=None):
    return client.post(
        reverse("portal:file_paper_upload", args=[draft.pk]),
        {
            "action": "upload",
            "component": str(component.pk),
            "file_name": "to-khai.pdf",
            "size": len(data) if size is None else size,
            "sha256": hashlib.sha256(data).hexdigest() if sha else "",
        },
        headers=HTMX,
    )


def put(client, url: str, offset: int, data: bytes):
    return client.post(
        f"{url}?offset={offset}",
        data=data,
        content_type="application/octet-stream",
        headers=HTMX,
    )


def pieces(data: bytes, start: int = 0):
    for offset in range(start, len(data), CHUNK_BYTES):
        yield offset, data[offset : offset + CHUNK_BYTES]


def test_pieces_in_order_make_the_paper(
    client, resident, draft, component, django_capture_on_commit_callbacks
) -> None:
    client.force_login(resident)
    started = begin(client, draft, component)
    assert started.status_code == 200
    url = started.json()["upload"]
    assert started.json()["offset"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        answers = [put(client, url, offset, piece) for offset, piece in pieces(SCAN)]
    assert [a.json()["offset"] for a in answers[:-1]] == [CHUNK_BYTES, 2 * CHUNK_BYTES]
    # The last piece is answered like a file sent whole: the paper's fragment.
    last = answers[-1]
    assert last.status_code == 200
    assert f'id="item-{component.pk}"' in last.content.decode()
    row = DossierComponent.objects.get(dossier=draft)
    assert row.sha256 == hashlib.sha256(SCAN).hexdigest()
    assert row.paper.file.read() == SCAN
    session = UploadSession.objects.get()
    assert session.finished_at is not None and not staging_path(session).exists()


def test_a_cut_resumes_at_the_servers_offset(client, resident, draft, component) -> None:
    client.force_login(resident)
    url = begin(client, draft, component).json()["upload"]
    put(client, url, 0, SCAN[:CHUNK_BYTES])
    # The second piece arrives but its answer is lost; the page asks where the server stands.
    put(client, url, CHUNK_BYTES, SCAN[CHUNK_BYTES : 2 * CHUNK_BYTES])
    where = client.get(url, headers=HTMX).json()
    assert where["offset"] == 2 * CHUNK_BYTES and where["size"] == len(SCAN)
    # The page is reloaded and the same file chosen again: the same upload, nothing resent.
    again = begin(client, draft, component).json()
    assert again["upload"] == url and again["offset"] == 2 * CHUNK_BYTES
    last = put(client, url, again["offset"], SCAN[again["offset"] :])
    assert last.status_code == 200
    assert DossierComponent.objects.get(dossier=draft).paper.file.read() == SCAN
    # The answer to the last piece is lost too: asking again gives the same answer, once.
    replay = client.get(url, headers=HTMX)
    assert replay.status_code == 200 and f'id="item-{component.pk}"' in replay.content.decode()
    assert DossierComponent.objects.filter(dossier=draft).count() == 1
    assert DigitisedPaper.objects.count() == 1


def test_a_piece_at_another_offset_is_refused_with_the_servers(
    client, resident, draft, component
) -> None:
    client.force_login(resident)
    url = begin(client, draft, component).json()["upload"]
    put(client, url, 0, SCAN[:CHUNK_BYTES])
    for wrong in (0, 2 * CHUNK_BYTES, -5):
        refused = put(client, url, wrong, SCAN[:CHUNK_BYTES])
        assert refused.status_code == 409
        assert refused.json()["offset"] == CHUNK_BYTES
    assert staging_path(UploadSession.objects.get()).stat().st_size == CHUNK_BYTES
    assert put(client, url, CHUNK_BYTES, SCAN[CHUNK_BYTES : 2 * CHUNK_BYTES]).status_code == 200


def test_another_citizen_can_neither_read_nor_add(
    client, resident, neighbour, desk_officer, draft, component
) -> None:
    client.force_login(resident)
    url = begin(client, draft, component).json()["upload"]
    put(client, url, 0, SCAN[:CHUNK_BYTES])
    client.force_login(desk_officer)
    assert client.get(url, headers=HTMX).status_code == 403
    client.force_login(neighbour)
    assert client.get(url, headers=HTMX).status_code == 404
    assert put(client, url, CHUNK_BYTES, SCAN[CHUNK_BYTES:]).status_code == 404
    assert begin(client, draft, component).status_code == 404
    session = UploadSession.objects.get()
    assert session.received == CHUNK_BYTES and session.finished_at is None
    assert not DossierComponent.objects.exists()


def test_a_file_that_is_not_a_scan_is_refused_once_whole(
    client, resident, draft, component
) -> None:
    client.force_login(resident)
    bad = b"MZ" + SCAN[2:]
    url = begin(client, draft, component, bad).json()["upload"]
    answers = [put(client, url, offset, piece) for offset, piece in pieces(bad)]
    assert [a.status_code for a in answers] == [200, 200, 400]
    assert "PDF, JPEG" in answers[-1].content.decode()
    assert f'id="item-{component.pk}"' in answers[-1].content.decode()
    assert not DossierComponent.objects.exists()
    # Asked again after a lost answer, the refusal is the same.
    assert client.get(url, headers=HTMX).status_code == 400


def test_size_limit_before_and_while_sending(
    client, resident, draft, component, settings, django_capture_on_commit_callbacks
) -> None:
    settings.MAX_UPLOAD_MB = 1
    client.force_login(resident)
    too_big = begin(client, draft, component, size=1024 * 1024 + 1)
    assert too_big.status_code == 400
    assert "1 MB" in too_big.content.decode()
    assert not UploadSession.objects.exists()
    # Announced small, sent large: refused as soon as a piece goes past the size announced.
    url = begin(client, draft, component, SCAN[: CHUNK_BYTES + 10]).json()["upload"]
    assert put(client, url, 0, SCAN[:CHUNK_BYTES]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        refused = put(client, url, CHUNK_BYTES, SCAN[CHUNK_BYTES : 2 * CHUNK_BYTES])
    assert refused.status_code == 400
    assert "field-error" in refused.content.decode()
    session = UploadSession.objects.get()
    assert session.received == CHUNK_BYTES and "to-khai.pdf" in session.error
    assert not staging_path(session).exists()
    assert put(client, url, CHUNK_BYTES, SCAN[CHUNK_BYTES:]).status_code == 400


def test_bytes_that_are_not_the_file_announced_start_again(
    client, resident, draft, component
) -> None:
    client.force_login(resident)
    url = begin(client, draft, component).json()["upload"]
    put(client, url, 0, SCAN[:CHUNK_BYTES])
    put(client, url, CHUNK_BYTES, bytes(CHUNK_BYTES))  # damaged on the way
    last = put(client, url, 2 * CHUNK_BYTES, SCAN[2 * CHUNK_BYTES :])
    assert last.status_code == 409 and last.json()["offset"] == 0
    assert not DossierComponent.objects.exists()
    answers = [put(client, url, offset, piece) for offset, piece in pieces(SCAN)]
    assert answers[-1].status_code == 200
    assert DossierComponent.objects.get().sha256 == hashlib.sha256(SCAN).hexdigest()


def test_uploads_untouched_for_a_day_are_swept(client, resident, draft, component) -> None:
    client.force_login(resident)
    old_url = begin(client, draft, component).json()["upload"]
    put(client, old_url, 0, SCAN[:CHUNK_BYTES])
    old = UploadSession.objects.get()
    UploadSession.objects.filter(pk=old.pk).update(
        touched_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    # A new upload sweeps the stale one; the worker may call the same function.
    begin(client, draft, component, SCAN[:1000])
    assert not UploadSession.objects.filter(pk=old.pk).exists()
    assert not staging_path(old).exists()
    assert client.get(old_url, headers=HTMX).status_code == 404
    assert UploadSession.objects.count() == 1
    assert upload_sweep(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not UploadSession.objects.exists()


def test_no_upload_for_a_submitted_draft_or_a_paper_off_the_checklist(
    client, resident, filed, draft, component
) -> None:
    client.force_login(resident)
    response = begin(client, filed, component)
    assert response.status_code == 400
    assert not UploadSession.objects.exists()
    response = client.post(
        reverse("portal:file_paper_upload", args=[draft.pk]),
        {"component": "00000000-0000-0000-0000-000000000000", "file_name": "a.pdf", "size": 10},
        headers=HTMX,
    )
    assert response.status_code == 404


def test_a_paper_asked_for_sent_in_pieces(client, resident, filed, desk_officer) -> None:
    dossier = s.dossier_receive(actor=desk_officer, dossier=filed)
    s.dossier_request_supplement(actor=desk_officer, dossier=dossier, items=["Ảnh chân dung"])
    client.force_login(resident)
    page = client.get(reverse("portal:dossier", args=[filed.pk])).content.decode()
    assert "portal/upload.js" in page and "data-chunks" in page
    started = client.post(
        reverse("portal:supplement_upload", args=[filed.pk]),
        {"name": "Ảnh chân dung", "file_name": "anh.pdf", "size": len(SCAN)},
        headers=HTMX,
    )
    url = started.json()["upload"]
    last = [put(client, url, offset, piece) for offset, piece in pieces(SCAN)][-1]
    assert last.status_code == 200
    row = DossierComponent.objects.get(dossier=filed, supplement=True)
    assert row.name == "Ảnh chân dung" and row.file.read() == SCAN
    assert Dossier.objects.get(pk=filed.pk).status == Status.SUPPLEMENT_REQUESTED
