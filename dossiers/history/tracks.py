"""What the simulation keeps about each center and about each dossier on its way."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from accounts.models import User
from deadlines.engine import WorkCalendar
from dossiers.history.cases import CaseInfo
from dossiers.models import Applicant, Dossier, ReturnChannel
from dossiers.services import ApplicantIn
from units.models import Unit


@dataclass
class Center:
    unit: Unit
    calendar: WorkCalendar
    base: float
    home: str
    birth_provinces: tuple[tuple[str, float], ...]
    choices: list[tuple[CaseInfo, Unit | None]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    seen: list[Applicant] = field(default_factory=list)


@dataclass
class Plan:
    channel: str
    refuse: bool = False
    withdraw: bool = False
    supplement: bool = False
    abandon: bool = False
    fees: bool = False
    late: bool = False
    extend: bool = False
    result_refused: bool = False


@dataclass
class Track:
    """One dossier on its way, with what will happen to it."""

    center: Center
    info: CaseInfo
    plan: Plan
    rng: random.Random
    dossier: Dossier | None = None
    applicant: ApplicantIn | Applicant | None = None
    ward: Unit | None = None
    citizen: User | None = None
    assignee: User | None = None
    approver: User | None = None
    return_channel: str = ReturnChannel.DIRECT
