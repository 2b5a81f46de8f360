"""DB Studio: design databases together."""

from dbstudio.celery import app as celery_app

__all__ = ["celery_app"]
