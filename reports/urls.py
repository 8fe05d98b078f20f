from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("progress/", views.progress_page, name="progress"),
    path("center/", views.center_page, name="center"),
    path("province/", views.province_page, name="province"),
    path("scores/", views.scores_page, name="scores"),
    path("register/", views.register_page, name="register"),
]
