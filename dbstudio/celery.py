"""The Celery app. Eager (in-process) in the embedded default; real workers on Redis when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")

app = Celery("dbstudio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
