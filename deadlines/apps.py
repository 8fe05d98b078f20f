from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and working calendar")

    def ready(self) -> None:
        from . import signals

        signals.connect()
