"""How a dossier ends without the agency's decision (stopped, withdrawn), and how its result
is returned to the applicant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.models import (
    Action,
    DigitisedPaper,
    Dossier,
    ReturnChannel,
    Status,
)
from dossiers.services.common import (
    DossierInputError,
    dossier_locked,
    event_append,
    moment_or_now,
    projection_save,
)
from dossiers.workflow import check


@transaction.atomic
def dossier_stop(
    *, actor: User, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """Processing stopped (form 05)."""
    at = moment_or_now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say why processing stops."))
    dossier = dossier_locked(dossier)
    check(actor, Action.STOP, dossier)
    dossier.finished_at = at
    dossier.paused_at = None
    event_append(
        dossier,
        action=Action.STOP,
        to_status=Status.STOPPED,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=reason,
    )
    projection_save(dossier, "finished_at", "paused_at")
    return dossier


@transaction.atomic
def dossier_withdraw(
    *, actor: User, dossier: Dossier, reason: str = "", at: dt.datetime | None = None
) -> Dossier:
    """The applicant asked to withdraw the dossier."""
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.WITHDRAW, dossier)
    dossier.finished_at = at
    dossier.paused_at = None
    event_append(
        dossier,
        action=Action.WITHDRAW,
        to_status=Status.WITHDRAWN,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note=reason,
    )
    projection_save(dossier, "finished_at", "paused_at")
    return dossier


def electronic_result(dossier: Dossier) -> FieldFile | None:
    """The result the applicant downloads: the document attached to the result, or the
    result paper digitised from it. A refusal with reasons but no document has none."""
    if dossier.result_file:
        return dossier.result_file
    paper = DigitisedPaper.objects.filter(source=dossier, is_result=True).first()
    return paper.file if paper else None


def has_electronic_result(dossier: Dossier) -> bool:
    return electronic_result(dossier) is not None


@transaction.atomic
def dossier_return(
    *,
    actor: User,
    dossier: Dossier,
    channel: str = ReturnChannel.DIRECT,
    collected_by: str = "",
    collector_id_number: str = "",
    originals_returned: Sequence[str] = (),
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is handed over: at the desk, online or by post."""
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    # Whether the dossier can be handed over at all comes before how: a client is told
    # what it may do now (409) rather than what its body lacks (422).
    check(actor, Action.RETURN, dossier)
    if channel not in ReturnChannel.values:
        raise DossierInputError("channel", _("Unknown return channel."))
    if channel == ReturnChannel.DIRECT and not collected_by.strip():
        raise DossierInputError("collected_by", _("Write who collected the result."))
    # Handing over online means the applicant downloads the result: without a document there is
    # nothing to download, and the return would be counted as electronic all the same.
    if channel == ReturnChannel.ONLINE and not has_electronic_result(dossier):
        raise DossierInputError(
            "channel",
            _(
                "This dossier has no electronic result to download: hand the result over at "
                "the desk or send it by post."
            ),
        )
    dossier.return_channel = channel
    dossier.returned_at = at
    event_append(
        dossier,
        action=Action.RETURN,
        to_status=Status.RETURNED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note=note,
        data={
            "channel": channel,
            "collected_by": collected_by.strip(),
            "collector_id_number": collector_id_number.strip(),
            **({"originals_returned": list(originals_returned)} if originals_returned else {}),
        },
    )
    projection_save(dossier, "return_channel", "returned_at")
    return dossier
