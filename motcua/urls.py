from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from sequences.models import Sequence

from accounts import views as account_views
from core import views as core_views
from motcua.api import api


class SequenceAdmin(admin.ModelAdmin):
    """The counters behind dossier codes and node sequence numbers, to look at only:
    a value typed back here would issue a code or a sequence number twice."""

    list_display = ["name", "last"]
    ordering = ["name"]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Sequence | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Sequence | None = None) -> bool:
        return False


# Before the admin's URLs are built below: they are bound to the ModelAdmin instances.
admin.site.unregister(Sequence)
admin.site.register(Sequence, SequenceAdmin)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    # Asked for by browsers on pages without an icon link (the admin's, a PDF's).
    path("favicon.ico", RedirectView.as_view(url=static_url("favicon.svg"), permanent=True)),
    # No language prefix in URLs: a link or a receipt's QR code opens in the
    # reader's own language (browser, or the switcher's cookie).
    path("", core_views.home, name="home"),
    path("accounts/login/", account_views.signin, name="login"),
    path("accounts/tokens/", account_views.tokens, name="api_tokens"),
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
