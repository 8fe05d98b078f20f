from django.urls import path

from sync import api, views

app_name = "sync"

urlpatterns = [
    # What ward nodes call on the hub (signed requests, JSON).
    path("push", api.push, name="push"),
    path("pull", api.pull, name="pull"),
    path("bookings", api.bookings, name="bookings"),
    path("reference", api.reference, name="reference"),
    path("blobs/missing", api.blobs_missing, name="blobs_missing"),
    path("blobs/<str:sha>", api.blob, name="blob"),
    # Pages: a ward node's link to the hub; the hub's nodes and conflicts.
    path("status/", views.status, name="status"),
    path("nodes/", views.nodes, name="nodes"),
    path("conflicts/", views.conflicts, name="conflicts"),
]
