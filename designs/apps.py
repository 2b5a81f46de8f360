from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"
    verbose_name = "Designs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from designs import collab
        from designs.models import Revision

        # A document saved outside the live session (REST PUT, import, review fix) reaches open editors.
        post_save.connect(collab.revision_created, sender=Revision, dispatch_uid="designs.collab.revision_created")
