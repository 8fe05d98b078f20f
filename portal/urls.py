from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", views.lookup_rate, name="lookup_rate"),
    path("su-kien/<slug:slug>/", views.life_event, name="life_event"),
    path("dang-nhap/", views.signin, name="signin"),
    path("dang-nhap/ma/", views.signin_code, name="signin_code"),
    path("ca-nhan/", views.mine, name="mine"),
    path("ca-nhan/thong-tin/", views.profile, name="profile"),
    path("ca-nhan/giay-to/", views.wallet, name="wallet"),
    path("ca-nhan/giay-to/<uuid:paper_id>/", views.paper_download, name="paper"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/", views.dossier_detail, name="dossier"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/bo-sung/", views.dossier_supplement, name="supplement"),
    path(
        "ca-nhan/ho-so/<uuid:dossier_id>/bo-sung/tai-len/",
        views.supplement_upload,
        name="supplement_upload",
    ),
    path("ca-nhan/tai-len/<uuid:upload_id>/", views.upload_piece, name="upload"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/ket-qua/", views.result_download, name="result"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/nhan-ket-qua/", views.dossier_delivery, name="delivery"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/danh-gia/", views.dossier_rate, name="rate"),
    path("ca-nhan/ho-so/<uuid:dossier_id>/dat-lich/", views.dossier_book, name="book"),
    path("nop/<uuid:case_id>/", views.file_start, name="file_start"),
    path("nop/ho-so/<uuid:dossier_id>/", views.file_details, name="file_details"),
    path("nop/ho-so/<uuid:dossier_id>/giay-to/", views.file_papers, name="file_papers"),
    path(
        "nop/ho-so/<uuid:dossier_id>/giay-to/tai-len/",
        views.file_paper_upload,
        name="file_paper_upload",
    ),
    path("nop/ho-so/<uuid:dossier_id>/xem-lai/", views.file_review, name="file_review"),
    path("nop/ho-so/<uuid:dossier_id>/da-nop/", views.file_done, name="file_done"),
]
