from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
]
