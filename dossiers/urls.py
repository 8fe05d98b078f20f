from django.urls import path

from dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("<str:code>/forms/<str:number>.pdf", views.form_pdf, name="form_pdf"),
]
