"""The guide sheet: one printable page a citizen takes home to come back with the right papers."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from catalog.models import Case, Component, Procedure, ProcedureVersion
from dossiers.documents.fonts import font_urls
from dossiers.documents.forms import qr_data_uri
from dossiers.documents.pdf import html_to_pdf
from units.models import Unit, UnitKind


@dataclass(frozen=True)
class GuideSheet:
    procedure: Procedure
    version: ProcedureVersion
    cases: list[Case]
    centers: list[Unit]
    url: str

    @property
    def qr_svg(self) -> str:
        return str(segno.make_qr(self.url, error="m").svg_inline(scale=3, border=2, omitsize=True))

    @property
    def qr_png(self) -> str:
        return qr_data_uri(self.url)

    @property
    def online(self) -> bool:
        return self.version.online_level in {"full", "partial"}


def _centers(user: User) -> list[Unit]:
    """The centers the user works at: where the citizen comes back to."""
    ids = {a.unit_id for a in user.assignments.all()}
    units = Unit.objects.filter(pk__in=ids).select_related("parent")
    centers = [u for u in units if u.kind == UnitKind.CENTER]
    return sorted(centers, key=lambda u: u.code)


def guide_sheet(user: User, code: str) -> GuideSheet:
    procedure = (
        Procedure.objects.published()
        .select_related("current_version", "field")
        .filter(code=code)
        .first()
    )
    if procedure is None or procedure.current_version is None:
        raise Http404
    cases = list(
        procedure.current_version.cases.order_by("position").prefetch_related(
            Prefetch("components", queryset=Component.objects.order_by("position")), "fees"
        )
    )
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return GuideSheet(
        procedure=procedure,
        version=procedure.current_version,
        cases=cases,
        centers=_centers(user),
        url=base + reverse("catalog:detail", args=[procedure.code]),
    )


def guide_sheet_pdf(sheet: GuideSheet) -> bytes:
    html = render_to_string(
        "desk/guide_sheet_pdf.html",
        {"sheet": sheet, "fonts": font_urls(), "printed": timezone.localtime()},
    )
    return html_to_pdf(html)
