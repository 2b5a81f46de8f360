"""How tests reach the real servers (PostgreSQL, MariaDB/MySQL, Redis), and scratch databases on them.

Servers are found through environment variables, with defaults matching a developer machine:

    TEST_POSTGRES_URL  postgresql://postgres@127.0.0.1:5432/postgres
    TEST_MYSQL_URL     mysql://root@127.0.0.1:3306/test
    TEST_REDIS_URL     redis://127.0.0.1:6379/15

A test that needs a database asks for a scratch one, so parallel runs never collide::

    with scratch_postgres("ddl") as url:      # postgresql+psycopg://.../dbs_ddl_1a2b3c4d
        engine = sqlalchemy.create_engine(url)
        ...
    # the database is dropped here, even if the block raised

``python -m tests.services check|wait`` is what ``scripts/test`` uses to see whether the servers are
up, so the URLs and the way to connect live in this one module.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url

DEFAULT_URLS = {
    "postgres": "postgresql://postgres@127.0.0.1:5432/postgres",
    "mysql": "mysql://root@127.0.0.1:3306/test",
    "redis": "redis://127.0.0.1:6379/15",
}
ENV_VARS = {"postgres": "TEST_POSTGRES_URL", "mysql": "TEST_MYSQL_URL", "redis": "TEST_REDIS_URL"}

# Short enough that a missing server is reported quickly, long enough for a loaded 2-core machine.
CONNECT_TIMEOUT_SECONDS = 3

# Scratch names are `dbs_<prefix>_<8 hex>`; both engines allow 63+ characters, so 40 leaves room.
_PREFIX = re.compile(r"[a-z0-9_]{1,40}")


def server_url(kind: str) -> str:
    """The configured URL of the `kind` server ("postgres", "mysql" or "redis")."""
    return os.environ.get(ENV_VARS[kind]) or DEFAULT_URLS[kind]


def postgres_url() -> str:
    """The PostgreSQL server's URL (TEST_POSTGRES_URL), as configured: not a scratch database."""
    return server_url("postgres")


def mysql_url() -> str:
    """The MariaDB/MySQL server's URL (TEST_MYSQL_URL), as configured: not a scratch database."""
    return server_url("mysql")


def redis_url() -> str:
    """The Redis URL (TEST_REDIS_URL); database 15 by default, away from a developer's own data."""
    return server_url("redis")


def scratch_name(prefix: str = "t") -> str:
    """A fresh database name `dbs_<prefix>_<random>`; the prefix is checked so it needs no escaping."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"scratch database prefix must match {_PREFIX.pattern}, not {prefix!r}")
    return f"dbs_{prefix}_{secrets.token_hex(4)}"


def quote_mysql(name: str) -> str:
    """A MySQL identifier in backticks, with embedded backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def _postgres_admin(server: URL) -> Any:
    """An autocommit psycopg connection to the server's own database (CREATE DATABASE needs autocommit)."""
    import psycopg

    params: dict[str, Any] = {key: value for key, value in server.query.items() if isinstance(value, str)}
    params.update(
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        user=server.username or "postgres",
        dbname=server.database or "postgres",
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        autocommit=True,
    )
    if server.password is not None:
        params["password"] = server.password
    return psycopg.connect(**params)


def _mysql_admin(server: URL) -> Any:
    """A pymysql connection to the server with no default database, so a missing one cannot stop us."""
    import pymysql

    return pymysql.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 3306,
        user=server.username or "root",
        password=server.password or "",
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        autocommit=True,
        charset="utf8mb4",
    )


@contextmanager
def scratch_postgres(prefix: str = "t") -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its SQLAlchemy URL (psycopg 3), drop it on exit.

    The drop uses WITH (FORCE), so connections a test forgot to close do not keep it alive.
    """
    from psycopg import sql

    server = make_url(postgres_url())
    name = scratch_name(prefix)
    ident = sql.Identifier(name)
    with _postgres_admin(server) as conn:
        # template0 accepts no connections, so a parallel run connected to template1 cannot block us.
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(ident))
    try:
        url = server.set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with _postgres_admin(server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


@contextmanager
def scratch_mysql(prefix: str = "t") -> Iterator[str]:
    """Create an empty utf8mb4 MariaDB/MySQL database, yield its SQLAlchemy URL (PyMySQL), drop it on exit.

    Before the drop, connections still using the database are killed: an open transaction would
    otherwise hold a metadata lock and make DROP DATABASE wait forever.
    """
    server = make_url(mysql_url())
    name = scratch_name(prefix)
    conn = _mysql_admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {quote_mysql(name)} CHARACTER SET utf8mb4")
    finally:
        conn.close()
    try:
        query = {**server.query, "charset": "utf8mb4"}
        url = server.set(drivername="mysql+pymysql", database=name, query=query)
        yield url.render_as_string(hide_password=False)
    finally:
        conn = _mysql_admin(server)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> CONNECTION_ID()",
                    (name,),
                )
                for (thread_id,) in cur.fetchall():
                    # The connection may have ended on its own meanwhile; that is what we wanted.
                    with suppress(Exception):
                        cur.execute(f"KILL {int(thread_id)}")
                cur.execute(f"DROP DATABASE IF EXISTS {quote_mysql(name)}")
        finally:
            conn.close()


@contextmanager
def scratch_sqlite(tmp_path: Path) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new SQLite file under `tmp_path`; remove it (and WAL files) on exit."""
    path = tmp_path / f"{scratch_name()}.sqlite3"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- reachability, for scripts/test --------------------------------------------------------------


def _ping_postgres(url: str) -> None:
    with _postgres_admin(make_url(url)) as conn:
        conn.execute("SELECT 1")


def _ping_mysql(url: str) -> None:
    _mysql_admin(make_url(url)).close()


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=CONNECT_TIMEOUT_SECONDS
    )
    try:
        if not client.ping():
            raise ConnectionError("PING was not answered with PONG")
    finally:
        client.close()


PINGS: dict[str, Callable[[str], None]] = {
    "postgres": _ping_postgres,
    "mysql": _ping_mysql,
    "redis": _ping_redis,
}


def problem(kind: str) -> str | None:
    """Why the `kind` server cannot be used right now, or None when it answers."""
    try:
        PINGS[kind](server_url(kind))
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def is_local(url: str) -> bool:
    """Whether the URL points at this machine, where scripts/test may install and start the server."""
    host = urlsplit(url).hostname or ""
    return host in {"", "localhost", "::1"} or host.startswith("127.") or host.startswith("/")


def _describe(kind: str) -> str:
    """One tab-separated line: kind, ok|down, local|remote, port, URL without password, problem."""
    url = server_url(kind)
    parts = urlsplit(url)
    shown = make_url(url).render_as_string(hide_password=True)
    issue = problem(kind)
    return "\t".join(
        [
            kind,
            "down" if issue else "ok",
            "local" if is_local(url) else "remote",
            str(parts.port or ""),
            shown,
            issue or "",
        ]
    )


def main(argv: list[str]) -> int:
    """`check [KIND...]`: one line per server (see _describe), exit 0 only when all answer.

    `wait KIND SECONDS`: poll until the server answers; exit 1 with the last problem if it never does.
    `url KIND DATABASE`: the server's URL with another database name (for DATABASE_URL).
    """
    if argv[:1] == ["check"]:
        kinds = argv[1:] or list(PINGS)
        lines = [_describe(kind) for kind in kinds]
        print("\n".join(lines))
        return 0 if all(line.split("\t")[1] == "ok" for line in lines) else 1
    if argv[:1] == ["wait"] and len(argv) == 3:
        kind, deadline = argv[1], time.monotonic() + float(argv[2])
        while (issue := problem(kind)) and time.monotonic() < deadline:
            time.sleep(0.5)
        if issue:
            print(f"{kind} did not answer within {argv[2]}s: {issue}", file=sys.stderr)
            return 1
        return 0
    if argv[:1] == ["url"] and len(argv) == 3:
        print(make_url(server_url(argv[1])).set(database=argv[2]).render_as_string(hide_password=False))
        return 0
    print(
        "usage: python -m tests.services check [KIND...] | wait KIND SECONDS | url KIND DATABASE",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
