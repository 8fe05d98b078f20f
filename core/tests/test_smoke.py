import pytest

from core.ids import uuid7


def test_uuid7_is_version_7_and_ordered() -> None:
    ids = [uuid7() for _ in range(200)]
    assert {i.version for i in ids} == {7}
    assert ids == sorted(ids)
    assert len(set(ids)) == 200


@pytest.mark.django_db
def test_healthz(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
