from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from core import views as core_views
from motcua.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    # No language prefix in URLs: a link or a receipt's QR code opens in the
    # reader's own language (browser, or the switcher's cookie).
    path("", core_views.home, name="home"),
    path("accounts/login/", account_views.signin, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("procedures/", include("catalog.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("desk/", include("desk.urls")),
    path("work/", include("work.urls")),
    path("queue/", include("queueing.urls")),
    path("reports/", include("reports.urls")),
    path("sync/", include("sync.urls")),
    path("", include("portal.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "MotCua"
admin.site.site_title = "MotCua"
