from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("Synchronisation")

    def ready(self) -> None:
        from sync import log  # noqa: F401  (connects the change log to the models it follows)
        from sync.reference import reference_follow

        reference_follow()
