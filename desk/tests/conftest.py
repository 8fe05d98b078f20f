"""Desk fixtures: the birth registration procedure, scans, ID-card texts, dossiers in each state."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from catalog.io import catalog_import
from catalog.models import Case, Procedure
from dossiers import services as s
from dossiers.models import Channel, Dossier
from dossiers.tests.fixtures import all_papers
from units.models import Unit

BIRTH = "1.001193"
# A card consistent with its number: 054 province, 0 = man born in the 1900s, 89 = 1989.
CARD = "054089001234||Lê Vĩnh Huỳnh|02031989|Nam|Tổ 3, phường Một, Tỉnh Thử|15062021"
CARD_NUMBER = "054089001234"
# A tiny but real PDF and PNG: the desk checks scans by their first bytes.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def birth_catalog(db: None) -> None:
    """The real catalog entry of birth registration, as the demo ships it."""
    path = Path(django_settings.BASE_DIR) / "catalog" / "fixtures" / "catalog.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    procedures = [p for p in data["procedures"] if p["code"] == BIRTH]
    fields = {p["field"] for p in procedures}
    data["procedures"] = procedures
    data["fields"] = [f for f in data["fields"] if f["code"] in fields]
    catalog_import(text=json.dumps(data, ensure_ascii=False))


@pytest.fixture
def birth_case(birth_catalog: None) -> Case:
    version = Procedure.objects.get(code=BIRTH).current_version
    return version.cases.order_by("position").first()


def scan(name: str = "scan.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def submitted(citizen: User, unit: Unit, case: Case, applicant: s.ApplicantIn) -> Dossier:
    draft = s.dossier_create(
        actor=citizen,
        case=case,
        applicant=s.applicant_find_or_create(data=applicant),
        unit=unit,
        channel=Channel.ONLINE,
    )
    return s.dossier_submit(actor=citizen, dossier=draft, papers=all_papers(case))


def received(desk: User, unit: Unit, case: Case, applicant: s.ApplicantIn, **extra: Any) -> Dossier:
    return s.dossier_intake(
        actor=desk, unit=unit, case=case, applicant=applicant, papers=all_papers(case), **extra
    )


def resolved(
    desk: User, approver: User, unit: Unit, case: Case, applicant: s.ApplicantIn, **extra: Any
) -> Dossier:
    dossier = received(desk, unit, case, applicant, **extra)
    dossier = s.dossier_route(actor=desk, dossier=dossier)
    return s.dossier_resolve(actor=approver, dossier=dossier, number="15/2026/TLHT")


@pytest.fixture
def submitted_dossier(citizen, ward_center, ward_case, applicant_in) -> Dossier:
    return submitted(citizen, ward_center, ward_case, applicant_in)


@pytest.fixture
def resolved_dossier(desk_officer, approver, ward_center, ward_case, applicant_in) -> Dossier:
    return resolved(
        desk_officer,
        approver,
        ward_center,
        ward_case,
        applicant_in,
        authorised_name="Trần Thị Ủy",
        authorised_id_number="054190004321",
    )
