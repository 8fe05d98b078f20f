"""The published cases the simulation files, each with its share of the demand."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Case, Procedure
from catalog.models import TimeUnit as CaseTimeUnit
from dossiers.services import PaperIn

# Demand by procedure (national code): identity cards, driving licences and
# criminal records first, then civil status, certification, residence,
# business households, social insurance, land (seed 004).
DEMAND: dict[str, float] = {
    "2.000200": 16,
    "MC.0003": 4,
    "MC.0004": 4,
    "MC.0005": 3,
    "3.000347": 10,
    "MC.0007": 3,
    "3.000333": 10,
    "1.001193": 5,
    "1.000894": 2,
    "1.000656": 1.5,
    "1.004859": 1.5,
    "1.004873": 3,
    "2.000635": 2.5,
    "1.004837": 0.3,
    "1.001022": 0.5,
    "MC.0001": 0.1,
    "2.000815": 6,
    "2.000884": 2,
    "MC.0002": 2,
    "1.004222": 2.5,
    "1.004194": 2.5,
    "1.002755": 1,
    "1.003197": 0.7,
    "MC.0006": 2.2,
    "1.001612": 2.2,
    "MC.0012": 0.8,
    "MC.0009": 1.2,
    "MC.0010": 0.8,
    "MC.0011": 0.4,
    "MC.0013": 0.8,
    "MC.0014": 1.6,
    "MC.0015": 1.8,
    "MC.0016": 1.2,
    "MC.0017": 1.0,
    "MC.0018": 1.3,
    "MC.0019": 0.9,
    "MC.0008": 1.5,
    "MC.0020": 0.7,
    "1.014748": 0.8,
    "MC.0021": 0.4,
    "MC.0022": 0.3,
}
OTHER_DEMAND = 0.3


# -- catalog ---------------------------------------------------------------------------------


@dataclass
class CaseInfo:
    case: Case
    code: str
    field: str
    level: str
    agency: str
    online_level: str
    for_citizens: bool
    for_businesses: bool
    same_day: bool
    fees: int
    papers: list[PaperIn]
    paper_names: list[str]


def _cases() -> list[tuple[CaseInfo, float]]:
    """Every published case with its share of its procedure's demand."""
    found: list[tuple[CaseInfo, float]] = []
    procedures = Procedure.objects.published().select_related("current_version", "field")
    for procedure in procedures.order_by("code"):
        version = procedure.current_version
        assert version is not None
        cases = list(version.cases.prefetch_related("components", "fees").order_by("position"))
        demand = DEMAND.get(procedure.code, OTHER_DEMAND)
        shares = [1.0 / (i + 1) for i in range(len(cases))]
        for case, share in zip(cases, shares, strict=True):
            case.version = version  # the services read case.version; keep it cached
            version.procedure = procedure
            components = list(case.components.all())
            info = CaseInfo(
                case=case,
                code=procedure.code,
                field=procedure.field.code,
                level=version.level,
                agency=version.agency,
                online_level=version.online_level,
                for_citizens=version.for_citizens,
                for_businesses=version.for_businesses,
                same_day=case.time_unit == CaseTimeUnit.SAME_DAY,
                fees=sum(f.amount for f in case.fees.all()),
                papers=[
                    PaperIn(component_id=c.pk, originals=c.originals, copies=c.copies)
                    for c in components
                    if c.mandatory
                ],
                paper_names=[c.name_vi for c in components] or ["Tờ khai"],
            )
            found.append((info, demand * share / sum(shares)))
    return found
