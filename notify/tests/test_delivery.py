"""Sending the outbox: once each, retried with backoff, never by two workers at once."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notify.delivery import LEASE, backoff, outbox_claim, outbox_deliver
from notify.models import Message, MessageState
from notify.outbox import enqueue
from notify.sms import SmsError

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _backends(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_SMS_BACKEND = "notify.sms.FileBackend"
    settings.NOTIFY_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def sms_sent(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class Flaky:
    """An SMS gateway that fails the first ``failures`` sends."""

    failures = 0
    sent: list[str] = []

    def send(self, *, to: str, text: str, reference: str) -> None:
        if Flaky.failures > 0:
            Flaky.failures -= 1
            raise SmsError("gateway busy")
        Flaky.sent.append(reference)


@pytest.mark.django_db
def test_email_and_sms_go_out_once(_backends) -> None:
    enqueue(
        key="a",
        channel="email",
        to="dan@example.vn",
        subject="Hồ sơ",
        body="Nội dung",
        send_after=NOW,
    )
    enqueue(key="b", channel="sms", to="0905123456", body="Hồ sơ đã tiếp nhận", send_after=NOW)
    enqueue(key="later", channel="sms", to="0905", body="x", send_after=NOW + dt.timedelta(hours=1))
    done = outbox_deliver(now=NOW)
    assert (done.sent, done.retried, done.failed) == (2, 0, 0)
    assert [m.to for m in mail.outbox] == [["dan@example.vn"]]
    assert mail.outbox[0].subject == "Hồ sơ" and mail.outbox[0].body == "Nội dung"
    assert [(s["to"], s["text"]) for s in sms_sent(_backends)] == [
        ("0905123456", "Hồ sơ đã tiếp nhận")
    ]
    assert outbox_deliver(now=NOW).sent == 0  # nothing sent twice
    states = dict(Message.objects.values_list("key", "state"))
    assert states == {"a": "sent", "b": "sent", "later": "pending"}
    assert Message.objects.get(key="a").sent_at == NOW


@pytest.mark.django_db
def test_a_failure_waits_longer_each_time_then_gives_up(settings) -> None:
    settings.NOTIFY_SMS_BACKEND = "notify.tests.test_delivery.Flaky"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    Flaky.failures, Flaky.sent = 99, []
    enqueue(key="k", channel="sms", to="0905", body="x", send_after=NOW)
    assert outbox_deliver(now=NOW).retried == 1
    message = Message.objects.get()
    assert message.state == MessageState.PENDING and message.attempts == 1
    assert message.send_after == NOW + backoff(1) and "gateway busy" in message.last_error
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=30)).retried == 0  # not due yet
    assert outbox_deliver(now=NOW + backoff(1)).retried == 1
    assert Message.objects.get().send_after == NOW + backoff(1) + backoff(2)
    assert backoff(2) > backoff(1)
    assert outbox_deliver(now=NOW + dt.timedelta(days=1)).failed == 1
    assert Message.objects.get().state == MessageState.FAILED
    assert outbox_deliver(now=NOW + dt.timedelta(days=2)).failed == 0


@pytest.mark.django_db
def test_a_retry_that_works_is_sent_once(settings) -> None:
    settings.NOTIFY_SMS_BACKEND = "notify.tests.test_delivery.Flaky"
    Flaky.failures, Flaky.sent = 1, []
    message = enqueue(key="k", channel="sms", to="0905", body="x", send_after=NOW)
    outbox_deliver(now=NOW)
    outbox_deliver(now=NOW + dt.timedelta(hours=1))
    outbox_deliver(now=NOW + dt.timedelta(hours=2))
    assert Flaky.sent == [str(message.pk)]
    assert Message.objects.get().attempts == 2


@pytest.mark.django_db
def test_a_claimed_message_is_nobody_elses(settings) -> None:
    for n in range(5):
        enqueue(key=f"k{n}", channel="sms", to="0905", body="x", send_after=NOW)
    first = outbox_claim(limit=3, now=NOW)
    second = outbox_claim(limit=10, now=NOW)
    assert len(first) == 3 and len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert outbox_claim(limit=10, now=NOW) == []
    assert all(m.state == MessageState.SENDING for m in first + second)


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_again_after_the_lease() -> None:
    enqueue(key="k", channel="sms", to="0905", body="x", send_after=NOW)
    assert len(outbox_claim(now=NOW)) == 1  # the worker dies before sending
    assert outbox_deliver(now=NOW + dt.timedelta(minutes=1)).sent == 0
    assert outbox_deliver(now=NOW + LEASE + dt.timedelta(seconds=1)).sent == 1
    assert Message.objects.get().state == MessageState.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(settings) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("threads need a database file or PostgreSQL")
    settings.NOTIFY_SMS_BACKEND = "notify.tests.test_delivery.Counting"
    Counting.sent = []
    for n in range(60):
        enqueue(key=f"k{n}", channel="sms", to="0905", body=str(n), send_after=NOW)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            while outbox_deliver(limit=7, now=NOW).sent:
                pass
        except BaseException as exc:  # report it in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(Counting.sent) == sorted(str(m.pk) for m in Message.objects.all())
    assert len(set(Counting.sent)) == 60
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}


class Counting:
    sent: list[str] = []
    lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str) -> None:
        with Counting.lock:
            Counting.sent.append(reference)


class Gateway(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((json.loads(body), self.headers.get("Authorization", "")))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.django_db
def test_the_http_gateway_adapter(settings) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpGatewayBackend"
        settings.NOTIFY_SMS_URL = f"http://127.0.0.1:{server.server_port}/sms"
        settings.NOTIFY_SMS_TOKEN = "secret-token"
        settings.NOTIFY_SMS_SENDER = "UBND"
        Gateway.received, Gateway.status = [], 200
        message = enqueue(key="k", channel="sms", to="0905123456", body="Xin chào", send_after=NOW)
        assert outbox_deliver(now=NOW).sent == 1
        body, auth = Gateway.received[0]
        assert body == {
            "to": "0905123456",
            "text": "Xin chào",
            "sender": "UBND",
            "reference": str(message.pk),
        }
        assert auth == "Bearer secret-token"
        Gateway.status = 503
        enqueue(key="k2", channel="sms", to="0905", body="x", send_after=NOW)
        assert outbox_deliver(now=NOW).retried == 1
        assert "HTTP 503" in Message.objects.get(key="k2").last_error
    finally:
        server.shutdown()
        server.server_close()


def test_backoff_grows_and_stops_growing() -> None:
    waits = [backoff(n) for n in range(1, 10)]
    assert waits == sorted(waits) and waits[-1] == waits[-2] == dt.timedelta(hours=6)
    assert timezone.is_aware(NOW)
