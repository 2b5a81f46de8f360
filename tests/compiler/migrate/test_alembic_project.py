"""The downloadable Alembic project works as written out: ``alembic upgrade head`` builds the last
version on a scratch PostgreSQL (the same schema its DDL builds), ``downgrade base`` empties it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from designs.compiler.ddl import emit
from designs.compiler.migrate.alembic import alembic_project
from tests.services import scratch_postgres

from .conftest import Database, pair, snapshot

ALEMBIC = str(Path(sys.executable).with_name("alembic"))


def alembic(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [ALEMBIC, "-c", str(project / "alembic.ini"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def without_alembic_version(snap: dict[str, Any]) -> dict[str, Any]:
    """The snapshot minus Alembic's own bookkeeping table."""
    snap.pop("public.alembic_version", None)
    catalog = snap["~catalog"]
    for key, rows in catalog.items():
        catalog[key] = [r for r in rows if not any("alembic_version" in str(v) for v in r)]
    return snap


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_alembic_upgrade_head_and_downgrade_base_work_as_downloaded(tmp_path: Path) -> None:
    versions = [
        ("v1", pair("add_table").old),
        ("v2", pair("add_table").new),
        ("v3 renamed", pair("compound_rename_and_extend").new),
    ]
    project = tmp_path / "migrations"
    for path, text in alembic_project(versions).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")

    with scratch_postgres("migrate") as url, scratch_postgres("migrate") as fresh_url:
        fresh = Database("postgresql", fresh_url)
        fresh.run(emit(versions[-1][1], "postgresql").statements)
        with fresh.engine.connect() as conn:
            expected = snapshot(conn, "postgresql")
        fresh.engine.dispose()

        up = alembic(project, url, "upgrade", "head")
        assert up.returncode == 0, up.stderr
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            assert without_alembic_version(snapshot(conn, "postgresql")) == expected
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "v3_renamed"

        down = alembic(project, url, "downgrade", "base")
        assert down.returncode == 0, down.stderr
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["alembic_version"]
        engine.dispose()


def test_the_project_writes_sql_offline_without_a_database(tmp_path: Path) -> None:
    project = tmp_path / "migrations"
    for path, text in alembic_project([("v1", pair("add_index").old), ("v2", pair("add_index").new)]).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    result = alembic(project, "postgresql://nobody@invalid/none", "upgrade", "head", "--sql")
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE customers" in result.stdout
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_code" in result.stdout


def test_the_project_asks_for_database_url(tmp_path: Path) -> None:
    project = tmp_path / "migrations"
    for path, text in alembic_project([("v1", pair("add_index").old)]).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [ALEMBIC, "-c", str(project / "alembic.ini"), "upgrade", "head"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_a_sqlite_project_rebuilds_tables_in_batch_mode_online_and_offline(tmp_path: Path) -> None:
    versions = [("v1", pair("add_table").old), ("v2", pair("compound_rename_and_extend").new)]
    project = tmp_path / "migrations"
    for path, text in alembic_project(versions, "sqlite").items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")

    # Offline: copy_from describes each rebuilt table, so no database is read.
    offline = alembic(project, f"sqlite:///{tmp_path / 'never.db'}", "upgrade", "head", "--sql")
    assert offline.returncode == 0, offline.stderr
    assert "CREATE TABLE _alembic_tmp_purchases" in offline.stdout
    assert not (tmp_path / "never.db").exists()

    url = f"sqlite:///{tmp_path / 'live.db'}"
    fresh = Database("sqlite", f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.run(emit(versions[-1][1], "sqlite").statements)
    with fresh.engine.connect() as conn:
        expected = snapshot(conn, "sqlite")
    fresh.engine.dispose()
    up = alembic(project, url, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        got = snapshot(conn, "sqlite")
        got.pop("alembic_version", None)
        got["~sqlite_indexes"] = [i for i in got["~sqlite_indexes"] if i[1] != "alembic_version"]
        assert got == expected
    down = alembic(project, url, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
    engine.dispose()
