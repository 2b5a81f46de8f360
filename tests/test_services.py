"""The shared test-services module really creates, hands out and drops scratch databases."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from tests import services

ScratchFactory = Callable[[Path], AbstractContextManager[str]]
Scratch = tuple[ScratchFactory, str, Callable[[str], bool], Path]


def postgres_exists(name: str) -> bool:
    with services._postgres_admin(sa.make_url(services.postgres_url())) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def mysql_exists(name: str) -> bool:
    conn = services._mysql_admin(sa.make_url(services.mysql_url()))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,))
            return cur.fetchone() is not None
    finally:
        conn.close()


def database_name(url: str) -> str:
    return sa.make_url(url).database or ""


# (id, scratch factory taking tmp_path, expected URL scheme, does the database still exist?)
SCRATCHES: list[tuple[str, ScratchFactory, str, Callable[[str], bool]]] = [
    ("postgres", lambda _: services.scratch_postgres("ci"), "postgresql+psycopg", postgres_exists),
    ("mysql", lambda _: services.scratch_mysql("ci"), "mysql+pymysql", mysql_exists),
    ("sqlite", services.scratch_sqlite, "sqlite", lambda name: Path(name).exists()),
]


@pytest.fixture(params=SCRATCHES, ids=[row[0] for row in SCRATCHES])
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> Scratch:
    _, factory, scheme, exists = request.param
    return factory, scheme, exists, tmp_path


def test_a_scratch_database_is_usable_and_gone_afterwards(scratch: Scratch) -> None:
    factory, scheme, exists, tmp_path = scratch
    with factory(tmp_path) as url:
        assert sa.make_url(url).drivername == scheme
        name = database_name(url)
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE pet (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)"))
                conn.execute(sa.text("INSERT INTO pet (id, name) VALUES (1, 'Grüße 🐘')"))
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT name FROM pet")).scalar_one() == "Grüße 🐘"
                # A scratch database starts empty: ours is the only table in it.
                assert sa.inspect(conn).get_table_names() == ["pet"]
            assert exists(name)
        finally:
            engine.dispose()
    assert not exists(name)


def test_a_scratch_database_is_dropped_even_when_the_block_fails(scratch: Scratch) -> None:
    factory, _, exists, tmp_path = scratch
    name = ""
    with pytest.raises(RuntimeError, match="boom"), factory(tmp_path) as url:
        name = database_name(url)
        # Touch the database so SQLite creates its file; a left-open connection must not block the drop.
        sa.create_engine(url).connect().execute(sa.text("CREATE TABLE t (id INTEGER)"))
        raise RuntimeError("boom")
    assert name
    assert not exists(name)


def test_two_scratch_databases_get_different_names(tmp_path: Path) -> None:
    with services.scratch_postgres("ci") as first, services.scratch_postgres("ci") as second:
        assert database_name(first) != database_name(second)
        assert database_name(first).startswith("dbs_ci_")


@pytest.mark.parametrize("prefix", ["", "Upper", "semi;colon", "back`tick", "x" * 41])
def test_it_rejects_a_prefix_that_would_need_quoting(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        services.scratch_name(prefix)


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("plain", "`plain`"), ("we`ird", "`we``ird`"), ("with space", "`with space`")],
)
def test_mysql_identifiers_are_quoted_with_backticks(name: str, quoted: str) -> None:
    assert services.quote_mysql(name) == quoted


@pytest.mark.parametrize(
    ("getter", "variable", "default"),
    [
        (services.postgres_url, "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        (services.mysql_url, "TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        (services.redis_url, "TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    ],
)
def test_server_urls_come_from_the_environment_with_defaults(
    monkeypatch: pytest.MonkeyPatch, getter: Callable[[], str], variable: str, default: str
) -> None:
    monkeypatch.delenv(variable, raising=False)
    assert getter() == default
    monkeypatch.setenv(variable, "x://elsewhere:1/db")
    assert getter() == "x://elsewhere:1/db"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("redis://127.0.0.1:6379/0", True),
        ("postgresql://postgres@localhost/postgres", True),
        ("mysql://root@[::1]:3306/test", True),
        ("postgresql://postgres@db.example.com/postgres", False),
        ("redis://10.0.0.7:6379/0", False),
    ],
)
def test_it_knows_which_servers_it_may_start_itself(url: str, local: bool) -> None:
    assert services.is_local(url) is local


def test_redis_answers_ping() -> None:
    client = redis.Redis.from_url(services.redis_url(), socket_connect_timeout=3)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_the_check_command_reports_a_closed_port_as_down(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on loopback is never a Redis server, so this is refused at once.
    monkeypatch.setenv("TEST_REDIS_URL", "redis://127.0.0.1:1/0")
    assert services.main(["check", "redis"]) == 1
    kind, state, where, port, _url, problem = capsys.readouterr().out.strip().split("\t")
    assert (kind, state, where, port) == ("redis", "down", "local", "1")
    assert "refused" in problem.lower()
