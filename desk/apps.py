from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = _("Front desk")

    def ready(self) -> None:
        from desk.signals import applicant_name_index
        from dossiers.models import Applicant

        post_save.connect(
            applicant_name_index, sender=Applicant, dispatch_uid="desk.applicant_name_index"
        )
