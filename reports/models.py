"""Counters the reports read instead of the event log.

One table, ``Tally``, holds every counter. A row is a bucket of time (a day,
a month or a year) for one receiving unit and one procedure version, or for
the unit's total over all procedures; its columns are what happened in that
bucket. Two more kinds of rows serve the
dashboards: receptions per hour of a day (``h``) and what each officer did on
a day (``o``).

Flow columns (received, processed, returned, ...) count events in the bucket.
Stock columns (``running``, ``paused`` and their overdue parts) hold changes:
the number of dossiers in process at the end of a day is the sum of the
``running`` changes of every bucket up to that day. Every change is written
to its day, its month and its year at once, so any sum over time reads at
most a few dozen rows per unit and procedure. See ``reports.counters``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class Grain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")
    YEAR = "y", _("Year")
    HOUR = "h", _("Hour of a day")
    OFFICER = "o", _("Officer on a day")


# Columns counting events in the bucket.
FLOWS = (
    "submitted",
    "refused",
    "received_online",
    "received_direct",
    "received_post",
    "done_early",
    "done_on_time",
    "done_late",
    "withdrawn",
    "stopped_on_time",
    "stopped_overdue",
    "returned_direct",
    "returned_online",
    "returned_post",
    "papers",
    "papers_digitised",
    "papers_reused",
    "dossiers_digitised",
)
# Columns holding changes of a stock: summed from the beginning of time.
STOCKS = ("running", "running_overdue", "paused", "paused_overdue")
MEASURES = FLOWS + STOCKS


def _counter(label: str | _StrPromise) -> models.IntegerField:
    return models.IntegerField(label, db_default=0, default=0)


class Tally(models.Model):
    grain = models.CharField(_("grain"), max_length=1, choices=Grain.choices)
    # First day of the bucket: the day itself, the 1st of the month, 1 January.
    day = models.DateField(_("day"))
    # Plain ids, not foreign keys: counters outlive nothing and are rebuilt
    # from the event log, and an upsert must not check five other tables.
    unit_id = models.UUIDField(_("receiving unit"))
    # The nil UUID: the unit's total over every procedure (and h and o rows).
    version_id = models.UUIDField(_("procedure version"))
    # The hour ("07") of an ``h`` row, the officer's id of an ``o`` row.
    tag = models.CharField(_("tag"), max_length=32, blank=True, default="", db_default="")

    submitted = _counter(_("submitted online"))
    refused = _counter(_("not accepted"))
    received_online = _counter(_("received online"))
    received_direct = _counter(_("received at the desk"))
    received_post = _counter(_("received by post"))
    done_early = _counter(_("processed early"))
    done_on_time = _counter(_("processed on time"))
    done_late = _counter(_("processed late"))
    withdrawn = _counter(_("withdrawn"))
    stopped_on_time = _counter(_("stopped, on time"))
    stopped_overdue = _counter(_("stopped, overdue"))
    returned_direct = _counter(_("returned at the desk"))
    returned_online = _counter(_("returned online"))
    returned_post = _counter(_("returned by post"))
    papers = _counter(_("papers received"))
    papers_digitised = _counter(_("papers digitised"))
    papers_reused = _counter(_("papers reused"))
    dossiers_digitised = _counter(_("dossiers fully digitised"))
    running = _counter(_("change in process"))
    running_overdue = _counter(_("change in process, overdue"))
    paused = _counter(_("change paused"))
    paused_overdue = _counter(_("change paused, overdue"))

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            # Unit first: every report reads a few units' rows over a range of days.
            models.UniqueConstraint(
                fields=["unit_id", "grain", "day", "version_id", "tag"], name="one_tally_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.unit_id} {self.version_id} {self.tag}"
