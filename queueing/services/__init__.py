"""Every change to the queue: one keyword-only function per action, one transaction each.

Pages, the desk, the portal and the synchronisation call these through this
package (``from queueing import services``):

- ``common``: the error the rules raise, the clock, the lock on an officer's counter;
- ``opening``: the days a center is open (its hours and the working calendar) and
  each day's hours, for the kiosk, bookings and the demo;
- ``tickets``: issuing, calling in policy order, recall, no-show, service, transfer,
  the link to a dossier, and the wait a ticket holder is shown;
- ``counters``: opening, pausing, resuming and closing a counter, and its areas;
- ``online_days``: the days on which people who booked are served as priority;
- ``bookings``: slots, booking, cancelling and checking in, and where that is done
  for a center that runs a ward node.
"""

from queueing.services.bookings import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_record_check_in,
    bookings_from_hub,
    slots_open,
)
from queueing.services.common import QueueError
from queueing.services.counters import (
    counter_close,
    counter_open,
    counter_pause,
    counter_resume,
    counter_set_areas,
)
from queueing.services.online_days import (
    online_priority_day_add,
    online_priority_day_remove,
)
from queueing.services.opening import (
    days_open,
    hours_on,
    is_open,
    is_open_on,
    next_day_open,
)
from queueing.services.tickets import (
    WaitEstimate,
    current_ticket,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_link_dossier,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
    wait_estimate,
)

__all__ = [
    "QueueError",
    "WaitEstimate",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_record_check_in",
    "bookings_from_hub",
    "counter_close",
    "counter_open",
    "counter_pause",
    "counter_resume",
    "counter_set_areas",
    "current_ticket",
    "days_open",
    "hours_on",
    "is_open",
    "is_open_on",
    "next_day_open",
    "online_priority_day_add",
    "online_priority_day_remove",
    "slots_open",
    "ticket_call_next",
    "ticket_finish",
    "ticket_issue",
    "ticket_link_dossier",
    "ticket_no_show",
    "ticket_recall",
    "ticket_start",
    "ticket_transfer",
    "wait_estimate",
]
