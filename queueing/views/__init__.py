"""Queue pages: kiosk, counter, display board, booking, the manager's view."""

from queueing.views.booking import book, book_submit, booking, booking_cancel
from queueing.views.counter import counter, counter_act, counter_sit
from queueing.views.display import display, display_events
from queueing.views.kiosk import (
    guide,
    kiosk,
    kiosk_check_in,
    kiosk_issue,
    kiosk_ticket,
    ticket_status,
)
from queueing.views.manage import counter_areas, index, manage, online_day_add, online_day_remove

__all__ = [
    "book",
    "book_submit",
    "booking",
    "booking_cancel",
    "counter",
    "counter_act",
    "counter_areas",
    "counter_sit",
    "display",
    "display_events",
    "guide",
    "index",
    "kiosk",
    "kiosk_check_in",
    "kiosk_issue",
    "kiosk_ticket",
    "manage",
    "online_day_add",
    "online_day_remove",
    "ticket_status",
]
