"""The one table of what may happen to a dossier, who may do it, and where.

Nothing else decides whether a transition is allowed: services, pages and the
API all ask :func:`check` (or :func:`allowed_actions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from dossiers.models import PAUSED, Action, Channel, Status

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from accounts.models import User
    from dossiers.models import Dossier


class Side(StrEnum):
    """Whose staff may act: the center that received it, or the deciding agency."""

    DESK = "desk"
    AGENCY = "agency"
    APPLICANT = "applicant"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    # None: back to the status the dossier had before it was paused.
    target: str | None
    side: Side
    roles: frozenset[str]


def _t(
    action: str, sources: Iterable[str], target: str | None, side: Side, *roles: str
) -> Transition:
    return Transition(action, frozenset(sources), target, side, frozenset(roles))


DESK_STAFF = (Role.DESK_OFFICER, Role.MANAGER)
WORKING = (Status.RECEIVED, Status.PROCESSING)

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(Action.SUBMIT, [Status.DRAFT], Status.SUBMITTED, Side.APPLICANT),
        _t(
            Action.RECEIVE,
            [Status.DRAFT, Status.SUBMITTED],
            Status.RECEIVED,
            Side.DESK,
            *DESK_STAFF,
        ),
        _t(
            Action.REFUSE,
            [Status.DRAFT, Status.SUBMITTED],
            Status.NOT_ACCEPTED,
            Side.DESK,
            *DESK_STAFF,
        ),
        _t(Action.ROUTE, [Status.RECEIVED], Status.PROCESSING, Side.DESK, *DESK_STAFF),
        _t(
            Action.ASSIGN,
            [Status.PROCESSING],
            Status.PROCESSING,
            Side.AGENCY,
            Role.APPROVER,
            Role.SPECIALIST,
            Role.MANAGER,
        ),
        # The agency's own steps: hand on to the next step or agency, draft the
        # result for the approver, and the approver sending a draft back.
        _t(
            Action.FORWARD,
            [Status.PROCESSING],
            Status.PROCESSING,
            Side.AGENCY,
            Role.SPECIALIST,
            Role.APPROVER,
        ),
        _t(
            Action.PROPOSE,
            [Status.PROCESSING],
            Status.PROCESSING,
            Side.AGENCY,
            Role.SPECIALIST,
            Role.APPROVER,
        ),
        _t(Action.SEND_BACK, [Status.PROCESSING], Status.PROCESSING, Side.AGENCY, Role.APPROVER),
        _t(
            Action.REQUEST_SUPPLEMENT,
            WORKING,
            Status.SUPPLEMENT_REQUESTED,
            Side.AGENCY,
            Role.SPECIALIST,
            Role.APPROVER,
        ),
        _t(Action.RECEIVE_SUPPLEMENT, [Status.SUPPLEMENT_REQUESTED], None, Side.DESK, *DESK_STAFF),
        _t(
            Action.REQUEST_FEES,
            WORKING,
            Status.FEES_REQUESTED,
            Side.AGENCY,
            Role.SPECIALIST,
            Role.APPROVER,
        ),
        _t(Action.RECORD_PAYMENT, [Status.FEES_REQUESTED], None, Side.DESK, *DESK_STAFF),
        _t(Action.STOP, [*WORKING, *PAUSED], Status.STOPPED, Side.AGENCY, Role.APPROVER),
        _t(
            Action.WITHDRAW,
            [Status.SUBMITTED, *WORKING, *PAUSED],
            Status.WITHDRAWN,
            Side.DESK,
            *DESK_STAFF,
        ),
        _t(Action.RESOLVE, [Status.PROCESSING], Status.RESOLVED, Side.AGENCY, Role.APPROVER),
        _t(Action.EXTEND, [*WORKING, *PAUSED], None, Side.AGENCY, Role.APPROVER),
        _t(Action.RETURN, [Status.RESOLVED], Status.RETURNED, Side.DESK, *DESK_STAFF),
    ]
}

# An agency asks for papers or fees, but the one-stop desk may too when it
# spots the gap before the dossier has left the center.
DESK_MAY_ALSO = frozenset({Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES})
# The center manager approves the apology with a new date (form 04) that the
# deadline watch drafts, besides the agency's approver.
MANAGER_MAY_ALSO = frozenset({Action.EXTEND})


def _no_proposal(dossier: Dossier) -> Promise | None:
    if dossier.result_proposed_at is not None:
        return _("A proposed result is waiting for approval; approve it or send it back first.")
    return None


def _proposal(dossier: Dossier) -> Promise | None:
    if dossier.result_proposed_at is None:
        return _("No result has been proposed for this dossier.")
    return None


# Conditions on the dossier itself, read from its columns only (no query).
GUARDS: dict[str, Callable[[Dossier], Promise | None]] = {
    Action.FORWARD: _no_proposal,
    Action.PROPOSE: _no_proposal,
    Action.SEND_BACK: _proposal,
}


def guard_failure(action: str, dossier: Dossier) -> Promise | None:
    """Why the dossier's own state forbids ``action`` now, or None."""
    guard = GUARDS.get(action)
    return guard(dossier) if guard is not None else None


class TransitionError(Exception):
    """A transition that is not allowed now, with the actions that are."""

    def __init__(self, message: str | Promise, allowed: list[str]) -> None:
        super().__init__(str(message))
        self.message = message
        self.allowed = allowed


def _acting_units(transition: Transition, dossier: Dossier) -> list[object]:
    if transition.side is Side.DESK:
        return [dossier.receiving_unit_id]
    if transition.side is Side.AGENCY:
        units: list[object] = [dossier.competent_unit_id]
        if transition.action in DESK_MAY_ALSO and dossier.status == Status.RECEIVED:
            units.append(dossier.receiving_unit_id)
        return units
    return []


def may_act(actor: User | None, transition: Transition, dossier: Dossier) -> bool:
    """Whether ``actor`` holds a role for this transition in the unit that acts."""
    if transition.side is Side.APPLICANT:
        # Only an online filing is submitted, and only by the person who made it.
        return (
            actor is not None
            and dossier.channel == Channel.ONLINE
            and dossier.created_by_id == actor.pk
        )
    if actor is None:
        return False
    roles = set(transition.roles)
    if transition.action in DESK_MAY_ALSO:
        roles |= set(DESK_STAFF)
    units = _acting_units(transition, dossier)
    if transition.action in MANAGER_MAY_ALSO and actor.has_role(
        Role.MANAGER, dossier.receiving_unit_id
    ):
        return True
    return any(a.role in roles and a.unit_id in units for a in actor.assignments.all())


def allowed_actions(actor: User | None, dossier: Dossier) -> list[str]:
    return [
        action
        for action, transition in TRANSITIONS.items()
        if dossier.status in transition.sources
        and guard_failure(action, dossier) is None
        and may_act(actor, transition, dossier)
    ]


def check(actor: User | None, action: str, dossier: Dossier) -> Transition:
    """The transition for ``action``, or TransitionError saying why not."""
    transition = TRANSITIONS[action]
    if dossier.status not in transition.sources:
        raise TransitionError(
            _("This cannot be done while the dossier is “%(status)s”.")
            % {"status": Status(dossier.status).label},
            allowed_actions(actor, dossier),
        )
    failure = guard_failure(action, dossier)
    if failure is not None:
        raise TransitionError(failure, allowed_actions(actor, dossier))
    if not may_act(actor, transition, dossier):
        raise TransitionError(
            _("You do not hold a role that may do this for this dossier's unit."),
            allowed_actions(actor, dossier),
        )
    return transition
