"""Citizens of the test province, their papers, and a clean slate for codes and files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from catalog.io import catalog_import
from catalog.models import Case
from dossiers import services as s
from dossiers.models import Dossier
from portal.models import Profile
from portal.otp import Contact, account_for
from units.models import Unit

CATALOG = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "catalog.json"
# Enough of the shipped catalog to search, browse and file: an ID card, a marriage, a birth,
# and one procedure filed at the desk only.
SOME_PROCEDURES = ("MC.0005", "MC.0004", "1.000894", "1.001193", "2.000884")


def import_procedures(*codes: str) -> None:
    """Import these procedures (and their fields) from the shipped catalog file."""
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    data["procedures"] = [p for p in data["procedures"] if p["code"] in codes]
    used = {p["field"] for p in data["procedures"]}
    data["fields"] = [f for f in data["fields"] if f["code"] in used]
    catalog_import(text=json.dumps(data, ensure_ascii=False))


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name: str = "scan.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _clean_slate(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


def make_citizen(
    contact: str, *, id_number: str, ward: Unit | None = None, name: str = "Lê Vĩnh Huỳnh"
) -> User:
    kind = "email" if "@" in contact else "sms"
    user = account_for(Contact(contact, kind))
    Profile.objects.filter(user=user).update(
        full_name=name,
        id_number=id_number,
        birth_date=dt.date(1989, 3, 2),
        sex="male",
        address="Phường Một, Tỉnh Thử",
        ward=ward,
    )
    return user


@pytest.fixture
def resident(ward: Unit, ward_center: Unit) -> User:
    """A citizen with a complete profile, signed up by phone."""
    return make_citizen("0905123456", id_number="054089001234", ward=ward)


@pytest.fixture
def neighbour(ward: Unit, ward_center: Unit) -> User:
    return make_citizen(
        "nguoi.khac@example.vn", id_number="054190004321", ward=ward, name="Trần Thị Bé"
    )


def file_online(user: User, case: Case, center: Unit) -> Dossier:
    """A dossier filed online through the services, every required paper uploaded."""
    from portal.services import draft_paper_upload, draft_start, filing_submit

    draft = draft_start(actor=user, case=case, center=center, ward=None)
    for n, component in enumerate(case.components.filter(mandatory=True)):
        draft_paper_upload(
            actor=user, dossier=draft, component_id=component.pk, upload=pdf(extra=bytes([n]))
        )
    delivery = "online" if case.version.online_level == "full" else "direct"
    return filing_submit(actor=user, dossier=draft, delivery=delivery)


@pytest.fixture
def filed(resident: User, ward_case: Case, ward_center: Unit) -> Dossier:
    return file_online(resident, ward_case, ward_center)


def taken_at_desk(
    desk: User, center: Unit, case: Case, applicant: Any, owner: User | None = None
) -> Dossier:
    """A dossier received at the desk with every paper; tied to ``owner``'s account if given."""
    from dossiers.tests.fixtures import all_papers

    dossier = s.dossier_intake(
        actor=desk, unit=center, case=case, applicant=applicant, papers=all_papers(case)
    )
    if owner is not None:
        dossier.applicant.user = owner
        dossier.applicant.save(update_fields=["user"])
    return dossier


def with_result_document(dossier: Dossier) -> Dossier:
    """The signed result attached, as an agency does before the result goes online."""
    dossier.result_file.save("ket-qua.pdf", ContentFile(PDF), save=False)
    Dossier.objects.filter(pk=dossier.pk).update(result_file=dossier.result_file.name)
    return dossier


def drive_to_returned(dossier: Dossier, desk: User, approver: User) -> Dossier:
    dossier = s.dossier_receive(actor=desk, dossier=dossier)
    dossier = s.dossier_route(actor=desk, dossier=dossier)
    dossier = s.dossier_resolve(actor=approver, dossier=dossier, number="12/TL")
    return s.dossier_return(actor=desk, dossier=with_result_document(dossier), channel="online")
