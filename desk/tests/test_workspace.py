"""The desk workspace: today's lists, the search box, who may open which dossier."""

import pytest
from django.urls import reverse

from desk.models import ApplicantName
from desk.tests.conftest import received, resolved, submitted
from dossiers import services as s
from dossiers.models import Applicant

pytestmark = pytest.mark.django_db
INDEX = reverse("desk:index")
SEARCH = reverse("desk:search")


@pytest.fixture
def day(desk_officer, approver, citizen, ward_center, ward_case, applicant_in):
    """One dossier in each list of the desk's day."""
    online = submitted(citizen, ward_center, ward_case, applicant_in)
    ready = resolved(desk_officer, approver, ward_center, ward_case, applicant_in)
    waiting = received(desk_officer, ward_center, ward_case, applicant_in)
    waiting = s.dossier_request_supplement(actor=desk_officer, dossier=waiting, items=["Tờ khai"])
    return {"online": online, "ready": ready, "waiting": waiting}


def test_workspace_for_desk_staff_only(client, desk_officer, manager, guide, specialist, citizen):
    assert client.get(INDEX).status_code == 302
    for user, expected in [
        (desk_officer, 200),
        (manager, 200),
        (guide, 403),
        (specialist, 403),
        (citizen, 403),
    ]:
        client.force_login(user)
        assert client.get(INDEX).status_code == expected, user


def test_workspace_lists_the_day(client, desk_officer, day):
    client.force_login(desk_officer)
    page = client.get(INDEX).content.decode()
    assert reverse("desk:check", args=[day["online"].code]) in page
    assert f"{reverse('desk:return')}?q={day['ready'].code}" in page
    assert reverse("desk:supplement", args=[day["waiting"].code]) in page
    assert 'id="current-ticket"' in page


def test_workspace_queries_are_bounded(client, desk_officer, day, django_assert_max_num_queries):
    client.force_login(desk_officer)
    client.get(INDEX)  # warm the session and calendar caches
    with django_assert_max_num_queries(9):
        assert client.get(INDEX).status_code == 200
    # Many more dossiers in every list do not add queries.
    for dossier in [day["online"], day["ready"], day["waiting"]]:
        code = dossier.code
        for n in range(5):
            dossier.pk = None
            dossier.code = f"{code}-{n}"
            dossier.save(force_insert=True)
    with django_assert_max_num_queries(9):
        assert client.get(INDEX).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["le vinh huynh", "Lê Vĩnh", "huynh", "054089001234", "0905 123 456", "code", "code end"],
)
def test_search_by_code_name_without_accents_id_or_phone(client, desk_officer, day, query):
    code = day["ready"].code
    query = {"code": code, "code end": code[-7:]}.get(query, query)
    client.force_login(desk_officer)
    response = client.get(SEARCH, {"q": query}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"')
    assert day["ready"].code in page


def test_search_without_htmx_renders_the_whole_page(client, desk_officer, day):
    client.force_login(desk_officer)
    page = client.get(SEARCH, {"q": "huynh"}).content.decode()
    assert "<h1>" in page and day["online"].code in page


def test_search_says_what_to_try_when_nothing_matches(client, desk_officer, day):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(SEARCH, {"q": "nobody here"}).content.decode()
    assert "No dossier of your desk matches" in page


def test_search_keeps_to_the_officers_own_center(client, outsider, day):
    client.force_login(outsider)
    page = client.get(SEARCH, {"q": "huynh"}).content.decode()
    assert day["ready"].code not in page


def test_applicant_names_are_indexed_without_accents(db):
    person = Applicant.objects.create(full_name="Đặng Thị Ánh Tuyết")
    assert ApplicantName.objects.get(applicant=person).folded == "dang thi anh tuyet"
    person.full_name = "Đặng Thị Tuyết"
    person.save()
    assert ApplicantName.objects.get(applicant=person).folded == "dang thi tuyet"
    person.phone = "0905000000"
    person.save(update_fields=["phone"])
    assert ApplicantName.objects.filter(applicant=person).count() == 1


def test_other_ward_desk_cannot_open_a_dossier_not_routed_to_it(client, outsider, day):
    client.force_login(outsider)
    ready, online, waiting = day["ready"], day["online"], day["waiting"]
    for url in [
        reverse("desk:dossier", args=[ready.code]),
        reverse("desk:received", args=[ready.code]),
        reverse("desk:check", args=[online.code]),
        reverse("desk:supplement", args=[waiting.code]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("desk:return_dossier", args=[ready.code])).status_code == 404
    page = client.get(reverse("desk:return"), {"q": ready.code})
    assert page.status_code == 404 and ready.code not in str(page.context["dossier"])


def test_agency_staff_of_the_dossier_are_not_desk_staff(client, specialist, day):
    client.force_login(specialist)
    assert client.get(reverse("desk:dossier", args=[day["ready"].code])).status_code == 403
