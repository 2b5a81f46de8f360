"""Settings come from the environment: embedded by default, PostgreSQL/Redis when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import json, dbstudio.settings as s; print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
    " 'name': str(s.DATABASES['default']['NAME']), 'layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG,"
    " 'data': str(s.DATA_DIR), 'hosts': s.ALLOWED_HOSTS}))"
)


def settings_with(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    clean |= {"DBSTUDIO_DATA_DIR": str(tmp_path / "data")} | env
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True)


def test_no_environment_means_embedded(tmp_path: Path) -> None:
    result = settings_with({}, tmp_path)
    s = json.loads(result.stdout)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "data" / "dbstudio.sqlite3")
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["eager"] is True and s["debug"] is True
    assert (tmp_path / "data" / "secret_key").exists()


def test_database_and_redis_urls_switch_to_production_services(tmp_path: Path) -> None:
    result = settings_with(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/studio", "REDIS_URL": "redis://cache:6379/0"}, tmp_path
    )
    s = json.loads(result.stdout)
    assert s["engine"] == "django.db.backends.postgresql" and s["name"] == "studio"
    assert s["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert s["eager"] is False and s["broker"] == "redis://cache:6379/0"


def test_a_sqlite_database_url_is_honoured(tmp_path: Path) -> None:
    result = settings_with({"DATABASE_URL": f"sqlite:///{tmp_path}/other.db"}, tmp_path)
    assert json.loads(result.stdout)["name"] == f"{tmp_path}/other.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "studio.example"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "k" * 50}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ],
)
def test_production_mode_refuses_to_start_half_configured(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = settings_with(env, tmp_path)
    assert result.returncode != 0 and message in result.stderr


def test_production_mode_starts_when_configured(tmp_path: Path) -> None:
    result = settings_with({"DEBUG": "false", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "a.example,b.example"}, tmp_path)
    s = json.loads(result.stdout)
    assert s["debug"] is False and s["hosts"] == ["a.example", "b.example"]
