from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Procedure catalog")

    def ready(self) -> None:
        from catalog.models import Field
        from catalog.search import forget_fields

        post_save.connect(forget_fields, sender=Field, dispatch_uid="catalog.forget_fields")
        post_delete.connect(forget_fields, sender=Field, dispatch_uid="catalog.forget_fields")
