"""The board feed: one watcher per process hands committed calls to every board stream."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import queue

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from queueing.board import board_publish, hub, stream_async
from queueing.speech import call_sentence, call_words, number_words, spoken
from units.models import Unit


def publish(center: Unit, number: int, *, commit: bool = True) -> None:
    with transaction.atomic():
        board_publish(
            center_id=center.pk,
            kind="call",
            counter_number=3,
            ticket_number=number,
            at=timezone.now(),
        )
        if not commit:
            transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_the_hub_hands_committed_calls_to_the_boards_of_their_center(
    ward_center: Unit, other_center: Unit
) -> None:
    mine: queue.Queue[dict] = queue.Queue()
    theirs: queue.Queue[dict] = queue.Queue()
    hub.subscribe(ward_center.pk, mine.put)
    hub.subscribe(other_center.pk, theirs.put)
    assert hub.wait_ready()  # the watcher follows new events (LISTEN on PostgreSQL)
    publish(ward_center, 1099, commit=False)  # rolled back: never shown
    publish(ward_center, 1023)
    event = mine.get(timeout=5)
    assert (event["number"], event["counter"], event["kind"]) == (1023, 3, "call")
    assert theirs.empty() and mine.empty()


def publish_and_close(center: Unit, number: int) -> None:
    try:
        publish(center, number)
    finally:
        connection.close()  # a worker thread of the test's event loop


@pytest.mark.django_db(transaction=True)
def test_an_asgi_board_stream_replays_what_it_missed_then_follows(ward_center: Unit) -> None:
    publish(ward_center, 1001)

    async def read_two() -> list[dict]:
        stream = stream_async(ward_center.pk, 0)
        assert (await stream.__anext__()).startswith("retry:")
        first = await stream.__anext__()  # 1001, published before the board connected
        await sync_to_async(publish_and_close, thread_sensitive=False)(ward_center, 1002)
        second = await asyncio.wait_for(stream.__anext__(), timeout=3)
        await stream.aclose()
        return [json.loads(chunk.split("data: ", 1)[1]) for chunk in (first, second)]

    # A browser test earlier in this worker may leave an event loop running
    # in this thread: read the stream on a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        events = pool.submit(asyncio.run, read_two()).result()
    assert [e["number"] for e in events] == [1001, 1002]
    assert events[0]["id"] < events[1]["id"]


def test_numbers_are_read_as_vietnamese_speakers_read_them() -> None:
    assert spoken(number_words(1023)) == "một nghìn không trăm hai mươi ba"
    assert spoken(number_words(1005)) == "một nghìn không trăm linh năm"
    assert spoken(number_words(15)) == "mười lăm"
    assert spoken(number_words(21)) == "hai mươi mốt"
    assert spoken(number_words(2044)) == "hai nghìn không trăm bốn mươi tư"
    assert spoken(number_words(3110)) == "ba nghìn một trăm mười"
    assert spoken(number_words(10)) == "mười"
    assert spoken(number_words(0)) == "không"
    assert (
        spoken(call_words(1023, 3)) == "xin mời số một nghìn không trăm hai mươi ba đến quầy số ba"
    )
    assert call_sentence(1023, 3) == "Xin mời số 1023 đến quầy số 3"


def test_every_clip_the_board_may_ask_for_is_shipped() -> None:
    from pathlib import Path

    from django.conf import settings

    from queueing.speech import CLIPS

    folder = Path(settings.BASE_DIR) / "static" / "audio"
    assert (folder / "chime.mp3").stat().st_size > 1000
    for name in CLIPS:
        assert (folder / "vi" / f"{name}.mp3").stat().st_size > 500, name
    used = {w for n in range(0, 100_000, 7) for w in number_words(n)}
    assert used <= set(CLIPS)
