"""The papers a dossier waits for, as lines of the form that records their arrival."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Component
from desk.models import StagedScan
from desk.services import PaperLine, staged_scans
from dossiers.models import Action, Dossier

EXTRA = "s-x"


@dataclass
class SupplementLine:
    key: str
    name: str
    component: Component | None
    handed: bool
    originals: int
    copies: int
    scan: StagedScan | None
    error: str = ""
    extra: bool = False

    @property
    def paper(self) -> PaperLine:
        return PaperLine(
            name=self.name,
            component=self.component,
            handed=self.handed,
            originals=self.originals,
            copies=self.copies,
            scan=self.scan,
        )


def requested_items(dossier: Dossier) -> list[str]:
    event = (
        dossier.events.filter(action=Action.REQUEST_SUPPLEMENT)
        .order_by("-at", "-seq")
        .values_list("data", flat=True)
        .first()
    )
    return [str(item) for item in (event or {}).get("items", [])]


def _count(value: str | None, default: int) -> int:
    try:
        return max(0, min(99, int(value or "")))
    except ValueError:
        return default


def supplement_lines(
    dossier: Dossier,
    data: QueryDict | None,
    *,
    user: User,
    token: str,
    errors: dict[str, str],
) -> list[SupplementLine]:
    """One line per paper asked for, and one for a paper the form did not name."""
    data = data if data is not None else QueryDict()
    components = {c.name_vi: c for c in dossier.case.components.all()}
    scans = staged_scans(user, token)
    names = [(f"s-{i}", name) for i, name in enumerate(requested_items(dossier))]
    names.append((EXTRA, data.get(f"{EXTRA}-name", "").strip()[:300]))
    lines = []
    for key, name in names:
        component = components.get(name)
        lines.append(
            SupplementLine(
                key=key,
                name=name,
                component=component,
                handed=data.get(f"{key}-handed") == "on",
                originals=_count(
                    data.get(f"{key}-originals"), component.originals if component else 1
                ),
                copies=_count(data.get(f"{key}-copies"), component.copies if component else 0),
                scan=scans.get(key),
                error=errors.get(key, ""),
                extra=key == EXTRA,
            )
        )
    extra = lines[-1]
    if not extra.name and (extra.handed or extra.scan is not None):
        extra.error = _("Write the name of this paper.")
    return lines
