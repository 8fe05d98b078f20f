"""The JSON API through Django's test client: auth, scoping, every transition, errors, lookup."""

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from accounts.api_auth import api_token_issue, api_token_revoke
from accounts.models import ApiToken, User
from catalog.models import Case
from dossiers.models import Action, Applicant, Dossier, Status
from dossiers.tests.fixtures import at
from dossiers.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db

MON = at(2026, 3, 2, 8, 0)  # Monday 2 March 2026, 08:00
APPLICANT = {
    "full_name": "Lê Vĩnh Huỳnh",
    "id_number": "054089001234",
    "phone": "0905123456",
    "address": "12 Hùng Vương, Phường Một",
    "birth_date": "1989-03-02",
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The lookup's attempt counter lives in the cache; tests must not share it.
    cache.clear()
    yield
    cache.clear()


def client_for(user: User | None = None) -> Client:
    """An English-speaking API client, with a bearer token for ``user`` if given."""
    headers = {"Accept-Language": "en"}
    if user is not None:
        _token, key = api_token_issue(user=user, name="test")
        headers["Authorization"] = f"Bearer {key}"
    return Client(headers=headers)


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def papers_of(case: Case) -> list[dict[str, Any]]:
    return [
        {"component_id": str(c.pk), "originals": c.originals, "copies": c.copies}
        for c in case.components.all()
        if c.mandatory
    ]


def intake_body(case: Case, **changes: Any) -> dict[str, Any]:
    return {
        "case_id": str(case.pk),
        "applicant": dict(APPLICANT),
        "papers": papers_of(case),
        "channel": "direct",
        **changes,
    }


def intake(client: Client, case: Case, **changes: Any) -> dict[str, Any]:
    response = post(client, "/api/dossiers", intake_body(case, **changes))
    assert response.status_code == 201, response.content
    return response.json()


def act(client: Client, code: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return post(client, f"/api/dossiers/{code}/actions/{action}", body)


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


def fields_of(response: Any) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


@pytest.fixture
def desk(desk_officer: User) -> Client:
    return client_for(desk_officer)


# -- intake and reads ------------------------------------------------------------------------


def test_intake_answers_201_with_code_secret_status_and_due_moment(
    desk, ward_center, ward, ward_case
) -> None:
    with time_machine.travel(MON, tick=False):
        dossier = intake(desk, ward_case)
    assert dossier["code"] == "000.01.01.H99-260302-0001"
    assert len(dossier["secret"]) == 6
    assert dossier["status"] == Status.RECEIVED and dossier["national_status"] == 2
    assert dossier["status_label"] == "Received"
    # 3 working days from Monday 08:00: Thursday 08:00 in Vietnam.
    assert moment(dossier["due_at"]) == at(2026, 3, 5, 8, 0)
    assert dossier["receiving_unit"] == ward_center.code
    assert dossier["competent_unit"] == ward.code
    assert dossier["applicant"]["id_number"] == APPLICANT["id_number"]
    assert len(dossier["papers"]) == 2
    assert set(dossier["allowed_actions"]) == {
        "route",
        "withdraw",
        "request_supplement",
        "request_fees",
    }


def test_a_moment_reads_the_same_in_every_answer(desk, ward_case) -> None:
    """In the node's time zone, whether just made by the service or read back from the
    database (which may keep UTC)."""
    with time_machine.travel(MON, tick=False):
        answered = intake(desk, ward_case)
    assert answered["due_at"] == "2026-03-05T08:00:00+07:00"
    detail = ok(desk.get(f"/api/dossiers/{answered['code']}"))
    listed = ok(desk.get("/api/dossiers"))["items"][0]
    assert detail["due_at"] == listed["due_at"] == answered["due_at"]
    assert detail["received_at"] == listed["received_at"] == answered["received_at"]
    assert answered["received_at"] == "2026-03-02T08:00:00+07:00"


def test_detail_and_events_by_code(desk, desk_officer, ward_center, ward_case) -> None:
    code = intake(desk, ward_case, channel="post")["code"]
    detail = ok(desk.get(f"/api/dossiers/{code}"))
    assert detail["code"] == code and detail["channel"] == "post"
    events = ok(desk.get(f"/api/dossiers/{code}/events"))
    assert [e["action"] for e in events] == [Action.CREATE, Action.RECEIVE]
    receive = events[1]
    assert receive["from_status"] == Status.DRAFT and receive["to_status"] == Status.RECEIVED
    assert receive["actor_name"] == desk_officer.get_full_name()
    assert receive["unit"] == ward_center.code
    assert receive["node_id"] == "local" and receive["seq"] == events[0]["seq"] + 1
    assert receive["data"]["code"] == code
    assert {"at", "note", "action_label"} <= set(receive)


def test_list_is_scoped_paginated_and_does_not_grow_in_queries(
    desk, outsider, ward_case, django_assert_max_num_queries
) -> None:
    for number in range(3):
        applicant = {**APPLICANT, "id_number": f"05408900{number:04d}"}
        intake(desk, ward_case, applicant=applicant)
    with django_assert_max_num_queries(8):
        page = ok(desk.get("/api/dossiers?limit=2"))
    assert page["count"] == 3 and len(page["items"]) == 2
    assert ok(desk.get("/api/dossiers?status=received"))["count"] == 3
    assert ok(desk.get("/api/dossiers?status=returned"))["count"] == 0
    assert ok(client_for(outsider).get("/api/dossiers"))["count"] == 0


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/dossiers", "offset=99999999999999999999"),
        ("/api/dossiers", "limit=9223372036854775808"),
        ("/api/dossiers", "limit=100000"),
        ("/api/catalog/procedures", "offset=99999999999999999999"),
        ("/api/catalog/procedures", "limit=0"),
    ],
)
def test_a_page_out_of_bounds_is_bad_input_naming_the_field(desk, url, query) -> None:
    response = desk.get(f"{url}?{query}")
    assert response.status_code == 422, response.content
    assert query.split("=")[0] in response.content.decode()


# -- every transition --------------------------------------------------------------------------


def test_full_path_to_returned_with_supplement_and_fees(
    desk, ward_center, justice, justice_case, justice_specialist, justice_approver
) -> None:
    specialist = client_for(justice_specialist)
    approver = client_for(justice_approver)
    code = intake(desk, justice_case)["code"]

    assert ok(act(desk, code, "route"))["status"] == Status.PROCESSING
    assigned = ok(act(approver, code, "assign", {"assignee": justice_specialist.username}))
    assert assigned["assignee"] == justice_specialist.get_full_name()

    paused = ok(act(specialist, code, "request_supplement", {"items": ["Bản sao sổ hộ khẩu"]}))
    assert paused["status"] == Status.SUPPLEMENT_REQUESTED and paused["paused_at"]
    resumed = ok(act(desk, code, "receive_supplement", {"papers": [{"name": "Bản sao"}]}))
    assert resumed["status"] == Status.PROCESSING and resumed["paused_at"] is None
    assert any(p["supplement"] for p in resumed["papers"])

    fees = ok(act(specialist, code, "request_fees", {"amount": 200_000}))
    assert fees["status"] == Status.FEES_REQUESTED and fees["fees_due"] == 200_000
    paid = ok(act(desk, code, "record_payment", {"amount": 200_000, "receipt_number": "BL-1"}))
    assert paid["status"] == Status.PROCESSING and paid["fees_paid"] == 200_000

    resolved = ok(act(approver, code, "resolve", {"number": "123/STP-LLTP"}))
    assert resolved["status"] == Status.RESOLVED and resolved["national_status"] == 9
    assert resolved["result"]["number"] == "123/STP-LLTP"
    returned = ok(act(desk, code, "return", {"collected_by": "Lê Vĩnh Huỳnh"}))
    assert returned["status"] == Status.RETURNED and returned["national_status"] == 10

    events = ok(desk.get(f"/api/dossiers/{code}/events"))
    assert [e["action"] for e in events] == [
        "create",
        "receive",
        "route",
        "assign",
        "request_supplement",
        "receive_supplement",
        "request_fees",
        "record_payment",
        "resolve",
        "return",
    ]


def test_drafts_are_received_or_refused(desk, ward_case) -> None:
    body = intake_body(ward_case)
    del body["papers"]
    first = post(desk, "/api/dossiers/drafts", body)
    assert first.status_code == 201, first.content
    draft = first.json()
    assert draft["status"] == Status.DRAFT and draft["code"] is None
    # A draft has no code yet: it is addressed by its id.
    received = ok(act(desk, draft["id"], "receive", {"papers": papers_of(ward_case)}))
    assert received["status"] == Status.RECEIVED and received["code"]

    other = post(desk, "/api/dossiers/drafts", body).json()
    assert fields_of(act(desk, other["id"], "refuse", {"reasons": [" "]})) == {"reasons"}
    refused = ok(act(desk, other["id"], "refuse", {"reasons": ["Sai mẫu tờ khai"]}))
    assert refused["status"] == Status.NOT_ACCEPTED and refused["national_status"] == 3
    assert refused["code"]  # form 03 carries a code too


def test_a_refused_draft_leaves_no_applicant_behind(desk, ward, justice_case) -> None:
    # No Department of Justice in this province: nobody could decide the dossier.
    body = intake_body(justice_case)
    del body["papers"]
    assert fields_of(post(desk, "/api/dossiers/drafts", body)) == {"ward"}
    assert fields_of(post(desk, "/api/dossiers/drafts", {**body, "ward": "000.00.00.H99"})) == {
        "ward"
    }
    assert not Applicant.objects.exists()
    draft = post(desk, "/api/dossiers/drafts", {**body, "ward": ward.code})
    assert draft.status_code == 422  # a ward does not make a department appear
    assert not Dossier.objects.exists()


def test_extend_then_stop(desk, approver, ward_case) -> None:
    boss = client_for(approver)
    code = intake(desk, ward_case)["code"]
    due = ok(act(desk, code, "route"))["due_at"]
    extended = ok(
        act(boss, code, "extend", {"new_due": "2099-01-05T17:00:00+07:00", "reason": "Xác minh"})
    )
    assert moment(extended["due_at"]) == at(2099, 1, 5, 17, 0) != moment(due)
    assert extended["status"] == Status.PROCESSING
    earlier = act(boss, code, "extend", {"new_due": "2000-01-01T08:00:00", "reason": "x"})
    assert fields_of(earlier) == {"new_due"}
    stopped = ok(act(boss, code, "stop", {"reason": "Không bổ sung hồ sơ"}))
    assert stopped["status"] == Status.STOPPED and stopped["national_status"] == 8


def test_withdraw(desk, ward_case) -> None:
    code = intake(desk, ward_case)["code"]
    withdrawn = ok(act(desk, code, "withdraw", {"reason": "Xin rút"}))
    assert withdrawn["status"] == Status.WITHDRAWN and withdrawn["national_status"] == 7


def test_every_transition_but_submit_has_an_endpoint() -> None:
    schema = Client().get("/api/openapi.json").json()
    actions = {path.rsplit("/", 1)[-1] for path in schema["paths"] if "/actions/" in path}
    assert actions == set(TRANSITIONS) - {Action.SUBMIT}


# -- refusals --------------------------------------------------------------------------------


def test_transition_not_allowed_answers_409_with_allowed_actions(desk, ward_case) -> None:
    code = intake(desk, ward_case)["code"]
    response = act(desk, code, "return", {"collected_by": "X"})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "This cannot be done while the dossier is “Received”."
    assert set(body["allowed_actions"]) == {
        "route",
        "withdraw",
        "request_supplement",
        "request_fees",
    }
    assert Dossier.objects.get(code=code).status == Status.RECEIVED


@pytest.mark.parametrize("action", ["return", "resolve", "propose"])
def test_a_body_left_empty_still_learns_the_action_is_not_allowed_now(
    desk, ward_case, action
) -> None:
    """What the dossier allows now comes first: an empty body gets 409, not 422."""
    code = intake(desk, ward_case)["code"]
    response = act(desk, code, action, {})
    assert response.status_code == 409, response.content
    assert "route" in response.json()["allowed_actions"]


def test_wrong_role_answers_409(desk, guide, ward_case) -> None:
    code = intake(desk, ward_case)["code"]
    response = act(client_for(guide), code, "route")
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == []
    refused = post(client_for(guide), "/api/dossiers", intake_body(ward_case))
    assert refused.status_code == 409
    assert Dossier.objects.count() == 1  # nothing half-saved


def test_bad_input_answers_422_naming_the_field(desk, ward_case) -> None:
    no_name = intake_body(ward_case)
    del no_name["applicant"]["full_name"]
    assert fields_of(post(desk, "/api/dossiers", no_name)) == {"applicant.full_name"}

    blank_name = intake_body(ward_case, applicant={**APPLICANT, "full_name": "  "})
    assert fields_of(post(desk, "/api/dossiers", blank_name)) == {"applicant.full_name"}

    bad_id = intake_body(ward_case, applicant={**APPLICANT, "id_number": "12345"})
    response = post(desk, "/api/dossiers", bad_id)
    assert fields_of(response) == {"applicant.id_number"}
    assert response.json()["detail"][0]["msg"] == "A personal id number has 12 digits."

    for name, value in [
        ("phone", "xyz"),
        ("phone", "0905"),
        ("email", "notanemail"),
        ("sex", "banana"),
        ("birth_date", "2999-01-01"),
    ]:
        nonsense = intake_body(ward_case, applicant={**APPLICANT, name: value})
        assert fields_of(post(desk, "/api/dossiers", nonsense)) == {f"applicant.{name}"}, name
    assert not Dossier.objects.exists()

    assert fields_of(post(desk, "/api/dossiers", intake_body(ward_case, case_id="42"))) == {
        "case_id"
    }
    unknown_case = intake_body(ward_case, case_id=str(uuid.uuid4()))
    assert fields_of(post(desk, "/api/dossiers", unknown_case)) == {"case_id"}

    online = intake_body(ward_case, channel="online")  # online dossiers come from the portal
    assert fields_of(post(desk, "/api/dossiers", online)) == {"channel"}
    assert fields_of(post(desk, "/api/dossiers", intake_body(ward_case, papers=[]))) == {"papers"}
    assert not Dossier.objects.exists()


# -- authentication ----------------------------------------------------------------------------


def test_no_token_or_a_bad_one_answers_401(ward_case) -> None:
    anonymous = client_for()
    assert anonymous.get("/api/dossiers").status_code == 401
    response = post(anonymous, "/api/dossiers", intake_body(ward_case))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    forged = Client(headers={"Authorization": "Bearer mc_not-a-real-token"})
    assert forged.get("/api/dossiers").status_code == 401


def test_token_works_until_revoked(desk_officer, ward_case) -> None:
    token, key = api_token_issue(user=desk_officer, name="desk app")
    assert key.startswith(token.prefix) and key not in token.key_hash
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/dossiers").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    api_token_revoke(token=token)
    assert client.get("/api/dossiers").status_code == 401


def test_citizen_without_a_role_is_not_staff(citizen) -> None:
    assert client_for(citizen).get("/api/dossiers").status_code == 401


def test_session_auth_with_csrf(desk_officer, ward_case) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(desk_officer)
    assert browser.get("/api/dossiers").status_code == 200
    # A cookie-authenticated write needs the CSRF token, like any form.
    assert post(browser, "/api/dossiers", intake_body(ward_case)).status_code == 403
    csrf = browser.get("/accounts/login/").cookies["csrftoken"].value
    response = browser.post(
        "/api/dossiers",
        data=json.dumps(intake_body(ward_case)),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content


def test_tokens_are_minted_by_a_signed_in_person_and_revoked_by_the_api(desk_officer) -> None:
    browser = Client()
    browser.force_login(desk_officer)
    created = post(browser, "/api/tokens", {"name": "laptop"})
    assert created.status_code == 201
    key = created.json()["key"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == ApiToken.hash_key(key) and stored.prefix == key[:8]
    with_token = Client(headers={"Authorization": f"Bearer {key}"})
    listed = ok(with_token.get("/api/tokens"))
    assert [t["name"] for t in listed] == ["laptop"] and "key" not in listed[0]
    # A token cannot mint another one.
    assert post(with_token, "/api/tokens", {"name": "more"}).status_code == 401
    ok(post(with_token, f"/api/tokens/{stored.pk}/revoke"))
    assert with_token.get("/api/tokens").status_code == 401


# -- scoping -----------------------------------------------------------------------------------


def test_outsider_gets_404_on_another_units_dossier(desk, outsider, ward_case) -> None:
    dossier = intake(desk, ward_case)
    stranger = client_for(outsider)
    missing = stranger.get("/api/dossiers/000.01.01.H99-991231-9999")
    assert missing.status_code == 404
    for url in [f"/api/dossiers/{dossier['code']}", f"/api/dossiers/{dossier['id']}/events"]:
        response = stranger.get(url)
        assert response.status_code == 404
        assert response.json() == missing.json()
    response = act(stranger, dossier["code"], "withdraw")
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier["id"]).status == Status.RECEIVED
    assert ok(stranger.get("/api/dossiers"))["items"] == []


def test_deciding_agency_sees_the_dossier(desk, justice_case, justice_specialist) -> None:
    code = intake(desk, justice_case)["code"]
    assert ok(client_for(justice_specialist).get(f"/api/dossiers/{code}"))["code"] == code


# -- public lookup -----------------------------------------------------------------------------


def test_lookup_shows_progress_and_no_personal_data(desk, ward_case) -> None:
    dossier = intake(desk, ward_case, authorised_name="Trần Thị Ủy", authorised_phone="0911222333")
    act(desk, dossier["code"], "route")
    public = client_for()
    response = public.get(
        "/api/lookup", {"code": dossier["code"], "secret": dossier["secret"].lower()}
    )
    body = ok(response)
    assert body["status"] == Status.PROCESSING and body["national_status"] == 4
    assert body["procedure_code"] == "1.004859" and body["procedure_name"]
    assert body["received_at"] and body["due_at"]
    assert [h["action"] for h in body["history"]] == ["receive", "route"]
    assert set(body["history"][0]) == {"action", "label", "at"}
    text = response.content.decode()
    for personal in [
        APPLICANT["full_name"],
        APPLICANT["id_number"],
        APPLICANT["phone"],
        APPLICANT["address"],
        "Trần Thị Ủy",
        "0911222333",
        "Desk",  # the officer's name
        dossier["secret"],
    ]:
        assert personal not in text
    assert "applicant" not in body and "note" not in text


def test_wrong_secret_and_unknown_code_answer_alike(
    desk, ward_case, django_assert_num_queries
) -> None:
    dossier = intake(desk, ward_case)
    public = client_for()
    # The same work on both paths: the attempt counted (three statements in a
    # savepoint of their own), one query for the dossier, one constant-time
    # comparison.
    with django_assert_num_queries(6):
        wrong = public.get("/api/lookup", {"code": dossier["code"], "secret": "ZZZZZZ"})
    with django_assert_num_queries(6):
        unknown = public.get(
            "/api/lookup", {"code": "000.01.01.H99-991231-9999", "secret": "ZZZZZZ"}
        )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert sorted(wrong.headers.items()) == sorted(unknown.headers.items())


def test_lookup_leaves_out_the_agencys_review_of_a_draft(
    desk, ward_case, specialist, approver
) -> None:
    from dossiers import services as services

    code = intake(desk, ward_case)
    dossier = Dossier.objects.get(code=code["code"])
    services.dossier_route(actor=dossier.created_by, dossier=dossier)
    services.dossier_propose(actor=specialist, dossier=dossier, number="12/QĐ", signer="A")
    services.dossier_send_back(actor=approver, dossier=dossier, reason="Sửa căn cứ")
    asked = {"code": code["code"], "secret": code["secret"]}
    history = ok(client_for().get("/api/lookup", asked))["history"]
    assert [h["action"] for h in history] == ["receive", "route"]
    page = client_for().get("/tra-cuu/", asked).content.decode()
    assert "Sửa căn cứ" not in page and "sent back" not in page


def test_lookup_is_rate_limited_per_address(desk, ward_case) -> None:
    dossier = intake(desk, ward_case)
    public = client_for()
    query = {"code": dossier["code"], "secret": "ZZZZZZ"}
    with time_machine.travel(at(2026, 3, 2, 9, 0, 10), tick=False):
        for _ in range(10):
            assert public.get("/api/lookup", query).status_code == 404
        limited = public.get("/api/lookup", query)
        assert limited.status_code == 429
        assert limited["Retry-After"] == "50"
        # Even the right secret waits: the limit counts attempts, not failures.
        right = {**query, "secret": dossier["secret"]}
        assert public.get("/api/lookup", right).status_code == 429
        assert public.get("/api/lookup", right, REMOTE_ADDR="10.0.0.2").status_code == 200
    with time_machine.travel(at(2026, 3, 2, 9, 1, 0), tick=False):
        assert public.get("/api/lookup", right).status_code == 200


# -- catalog, ping and docs ----------------------------------------------------------------------


def test_catalog_search_and_detail(ward_case) -> None:
    public = client_for()
    found = ok(public.get("/api/catalog/procedures", {"q": "cai chinh ho tich"}))
    assert [p["code"] for p in found["items"]] == ["1.004859"]
    assert ok(public.get("/api/catalog/procedures"))["count"] == 2
    detail = ok(public.get("/api/catalog/procedures/1.004859"))
    assert detail["name"] == "Change or correction of civil-status details"
    (case,) = detail["cases"]
    assert case["id"] == str(ward_case.pk)
    assert case["time"] == {"value": "3.00", "unit": "working_days", "label": "3 working days"}
    assert [f["amount"] for f in case["fees"]] == [15000]
    assert [c["mandatory"] for c in case["components"]] == [True, True, False]
    assert public.get("/api/catalog/procedures/9.999999").status_code == 404


def test_ping() -> None:
    assert ok(Client().get("/api/ping")) == {"ok": True}


def test_openapi_lists_409_and_422() -> None:
    schema = ok(Client().get("/api/openapi.json"))
    assert schema["info"]["title"] == "MotCua API"
    intake_op = schema["paths"]["/api/dossiers"]["post"]["responses"]
    assert {"201", "401", "409", "422"} <= set(intake_op)
    route_op = schema["paths"]["/api/dossiers/{ref}/actions/route"]["post"]["responses"]
    assert {"200", "401", "404", "409", "422"} <= set(route_op)
    lookup_op = schema["paths"]["/api/lookup"]["get"]["responses"]
    assert {"200", "404", "422", "429"} <= set(lookup_op)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["StaffSessionAuth"]["in"] == "cookie"


def test_docs_render_without_a_cdn() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert "swagger" in html
    for host in ["cdn", "unpkg", "jsdelivr"]:
        assert host not in html


def test_an_intake_reads_no_catalog_or_unit_row_it_read_before(desk, ward_case) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ward_case.version.lock()  # as the first dossier received under it does
    intake(desk, ward_case)  # reads the case and the units, and keeps them
    body = intake_body(ward_case, applicant={**APPLICANT, "id_number": "054089001234"})
    with CaptureQueriesContext(connection) as queries:
        response = post(desk, "/api/dossiers", body)
    assert response.status_code == 201
    assert len(response.json()["papers"]) == 2
    read = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [s for s in read if "catalog_" in s or "units_unit" in s], read
    # The token with its holder, the holder's roles, the applicant; nothing is read back.
    assert len(read) == 3, read


def test_bad_input_is_explained_in_the_clients_language(desk_officer, ward_case) -> None:
    _token, key = api_token_issue(user=desk_officer, name="vi")
    vi = Client(headers={"Accept-Language": "vi", "Authorization": f"Bearer {key}"})
    body = intake_body(ward_case, case_id="42")
    del body["applicant"]
    said = {e["field"]: e["msg"] for e in post(vi, "/api/dossiers", body).json()["detail"]}
    assert said == {
        "applicant": "Trường này là bắt buộc.",
        "case_id": "Hãy ghi mã định danh (dạng UUID).",
    }
    page = vi.get("/api/dossiers?limit=100000").json()["detail"][0]
    assert page["field"] == "limit" and page["msg"] == "Giá trị lớn nhất là 500."
    # The client's own language stays the rule: English asks in English.
    en = client_for(desk_officer)
    assert en.get("/api/dossiers?limit=0").json()["detail"][0]["msg"] == "Give at least 1."
