from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"
    verbose_name = "Designs"
    default_auto_field = "django.db.models.BigAutoField"
