from django.urls import path

from work import views

app_name = "work"
urlpatterns = [
    path("", views.index, name="index"),
    path("center/", views.center, name="center"),
    path("dossiers/<str:code>/", views.dossier_page, name="dossier"),
    path("dossiers/<str:code>/act/<str:name>/", views.act, name="act"),
    path("dossiers/<str:code>/papers/<uuid:pk>/", views.paper, name="paper"),
    path("dossiers/<str:code>/result/", views.result_document, name="result"),
    path("apologies/<uuid:pk>/", views.apology, name="apology"),
    path("apologies/<uuid:pk>/preview.pdf", views.apology_preview, name="apology_preview"),
]
