from django.urls import path

from desk import views

app_name = "desk"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("send/", views.route_all, name="route_all"),
    path("receive/", views.receive, name="receive"),
    path("receive/scans/<uuid:pk>/", views.staged_scan, name="staged_scan"),
    path("papers/<uuid:pk>/", views.paper, name="paper"),
    path("return/", views.return_find, name="return"),
    path("dossiers/<str:code>/", views.dossier, name="dossier"),
    path("dossiers/<str:code>/received/", views.received, name="received"),
    path("dossiers/<str:code>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("dossiers/<str:code>/send/", views.route, name="route"),
    path("dossiers/<str:code>/check/", views.check, name="check"),
    path("dossiers/<str:code>/supplement/", views.supplement, name="supplement"),
    path("dossiers/<str:code>/return/", views.return_dossier, name="return_dossier"),
    path("dossiers/<str:code>/papers/<uuid:pk>/", views.dossier_paper, name="dossier_paper"),
    path("guide/", views.guide_index, name="guide_index"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>.pdf", views.guide_pdf, name="guide_pdf"),
]
