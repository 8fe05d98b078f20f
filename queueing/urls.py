from django.urls import path

from queueing import views

app_name = "queueing"
urlpatterns = [
    path("", views.index, name="index"),
    path("counter/", views.counter, name="counter"),
    path("counter/sit/<uuid:counter_id>/", views.counter_sit, name="counter_sit"),
    path("counter/<slug:action>/", views.counter_act, name="counter_act"),
    path("manage/", views.manage, name="manage"),
    path("manage/counters/<uuid:counter_id>/areas/", views.counter_areas, name="counter_areas"),
    path("manage/online-days/", views.online_day_add, name="online_day_add"),
    path("manage/online-days/remove/", views.online_day_remove, name="online_day_remove"),
    path("kiosk/<str:center_code>/", views.kiosk, name="kiosk"),
    path("kiosk/<str:center_code>/issue/", views.kiosk_issue, name="kiosk_issue"),
    path("kiosk/<str:center_code>/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("kiosk/<str:center_code>/ticket/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("guide/<str:center_code>/", views.guide, name="guide"),
    path("board/<str:center_code>/", views.display, name="board"),
    path("board/<str:center_code>/events/", views.display_events, name="board_events"),
    path("t/<str:token>/", views.ticket_status, name="ticket_status"),
    path("book/", views.book, name="book"),
    path("book/submit/", views.book_submit, name="book_submit"),
    path("book/<str:code>/", views.booking, name="booking"),
    path("book/<str:code>/cancel/", views.booking_cancel, name="booking_cancel"),
]
