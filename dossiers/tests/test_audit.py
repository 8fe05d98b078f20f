"""Access records: every staff read of a dossier leaves one, lookups and refusals none."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from dossiers.audit import QUIET_FOR
from dossiers.models import AccessRecord
from dossiers.tests.test_api import client_for, intake

pytestmark = pytest.mark.django_db


def kinds() -> list[tuple[str, str]]:
    return [(r.kind, r.detail) for r in AccessRecord.objects.order_by("at", "kind", "detail")]


def test_api_reads_are_recorded_once_in_a_while(desk_officer: User, outsider: User, ward_case):
    desk = client_for(desk_officer)
    made = intake(desk, ward_case)
    code = made["code"]
    assert kinds() == []  # receiving is recorded by the dossier's own events
    for _ in range(2):
        assert desk.get(f"/api/dossiers/{code}").status_code == 200
    assert desk.get(f"/api/dossiers/{code}/events").status_code == 200
    assert kinds() == [("api", ""), ("api", "events")]
    first = AccessRecord.objects.filter(detail="").get()
    assert first.user == desk_officer and first.username == desk_officer.username
    assert first.dossier is not None and first.dossier.code == code
    with time_machine.travel(timezone.now() + QUIET_FOR + dt.timedelta(seconds=1)):
        desk.get(f"/api/dossiers/{code}")
    assert kinds().count(("api", "")) == 2
    # Refused reads and the public lookup leave nothing.
    assert client_for(outsider).get(f"/api/dossiers/{code}").status_code == 404
    lookup = {"code": code, "secret": made["secret"]}
    assert client_for().get("/api/lookup", lookup).status_code == 200
    assert len(kinds()) == 3


def test_pages_forms_and_files_read_at_the_desk_are_recorded(desk_officer: User, ward_case):
    code = intake(client_for(desk_officer), ward_case)["code"]
    browser = Client(headers={"Accept-Language": "en"})
    browser.force_login(desk_officer)
    assert browser.get(reverse("desk:dossier", args=[code])).status_code == 200
    assert browser.get(reverse("work:dossier", args=[code])).status_code == 200
    assert browser.get(reverse("dossiers:form_pdf", args=[code, "01"])).status_code == 200
    assert sorted(kinds()) == [("form", "01"), ("page", "")]
    record = AccessRecord.objects.get(kind="form")
    assert record.dossier is not None and record.dossier.code == code


def test_the_administration_lists_the_records_and_shows_them_on_the_dossier(
    desk_officer: User, admin_user: User, ward_case
):
    desk = client_for(desk_officer)
    code = intake(desk, ward_case)["code"]
    desk.get(f"/api/dossiers/{code}")
    admin = Client(headers={"Accept-Language": "en"})
    admin.force_login(admin_user)
    listing = admin.get("/admin/dossiers/accessrecord/")
    assert listing.status_code == 200 and desk_officer.username in listing.content.decode()
    record = AccessRecord.objects.get()
    assert admin.get(f"/admin/dossiers/accessrecord/{record.pk}/change/").status_code == 200
    dossier = admin.get(f"/admin/dossiers/dossier/{record.dossier_id}/change/").content.decode()
    assert "Who read this dossier" in dossier and "API read" in dossier
    assert admin.post("/admin/dossiers/accessrecord/add/").status_code == 403
    # Opening the dossier and its applicant in the administration is a read too.
    assert AccessRecord.objects.filter(user=admin_user, dossier_id=record.dossier_id).exists()
    applicant_id = record.dossier.applicant_id
    assert admin.get(f"/admin/dossiers/applicant/{applicant_id}/change/").status_code == 200
    assert AccessRecord.objects.filter(user=admin_user, applicant_id=applicant_id).exists()
    # Each event reads as its local time and what happened, not as ids.
    event = record.dossier.events.order_by("seq").first()
    when = timezone.localtime(event.at)
    assert f"{when:%d/%m/%Y %H:%M} · {event.get_action_display()}" in dossier
    assert str(record.dossier_id) + " create" not in dossier
