"""Portable column types → SQLAlchemy types, one table per dialect.

Each entry says which SQLAlchemy type class renders the portable type, which design parameters
it passes on (and under which keyword), constant keywords, and — when the target has no real
equivalent — a note that becomes a warning naming the column, so an approximation is never silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import TypeEngine, UserDefinedType

from ..document import ColumnType

_RAW_INTEGER = re.compile(r"^\s*(tiny|small|medium|big)?int(eger)?\b", re.IGNORECASE)


class RawType(UserDefinedType[Any]):
    """A type written as SQL text: a ``raw`` type from the design, or a keyword such as SERIAL."""

    cache_ok = True

    def __init__(self, sql: str):
        self.sql = sql

    def get_col_spec(self, **kw: Any) -> str:
        return self.sql

    @property
    def _type_affinity(self) -> Any:
        # SQLAlchemy allows AUTO_INCREMENT/SERIAL only on integer-like types; a raw "TINYINT UNSIGNED"
        # (MySQL's sakila) is one, so say so instead of the generic user-defined affinity.
        if _RAW_INTEGER.match(self.sql):
            return sa.Integer
        return super()._type_affinity


@dataclass(frozen=True)
class T:
    """How one portable type renders on one dialect."""

    factory: Callable[..., TypeEngine[Any]]
    params: Mapping[str, str] = field(default_factory=dict)  # design parameter → keyword argument
    fixed: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    unsigned: bool = False  # the factory takes unsigned=True (MySQL numerics)


_LEN = {"length": "length"}
_NUM = {"precision": "precision", "scale": "scale"}

POSTGRESQL: dict[str, T] = {
    "smallint": T(sa.SMALLINT),
    "integer": T(sa.INTEGER),
    "bigint": T(sa.BIGINT),
    "smallserial": T(RawType, fixed={"sql": "SMALLSERIAL"}),
    "serial": T(RawType, fixed={"sql": "SERIAL"}),
    "bigserial": T(RawType, fixed={"sql": "BIGSERIAL"}),
    "numeric": T(sa.NUMERIC, _NUM),
    "real": T(postgresql.REAL),
    "double": T(postgresql.DOUBLE_PRECISION),
    "money": T(postgresql.MONEY),
    "boolean": T(sa.BOOLEAN),
    "text": T(sa.TEXT),
    "varchar": T(sa.VARCHAR, _LEN),
    "char": T(sa.CHAR, _LEN),
    "citext": T(postgresql.CITEXT),
    "bytea": T(postgresql.BYTEA, _LEN, note=None),
    "date": T(sa.DATE),
    "time": T(postgresql.TIME, {"precision": "precision"}),
    "timetz": T(postgresql.TIME, {"precision": "precision"}, {"timezone": True}),
    "timestamp": T(postgresql.TIMESTAMP, {"precision": "precision"}),
    "timestamptz": T(postgresql.TIMESTAMP, {"precision": "precision"}, {"timezone": True}),
    "interval": T(postgresql.INTERVAL),
    "uuid": T(postgresql.UUID),
    "json": T(postgresql.JSON),
    "jsonb": T(postgresql.JSONB),
    "xml": T(RawType, fixed={"sql": "XML"}),
    "inet": T(postgresql.INET),
    "cidr": T(postgresql.CIDR),
    "macaddr": T(postgresql.MACADDR),
    "tsvector": T(postgresql.TSVECTOR),
    "year": T(sa.SMALLINT, note="PostgreSQL has no YEAR type; stored as SMALLINT"),
    "raw": T(sa.TEXT, note="no raw type given for PostgreSQL; stored as TEXT"),
}

# MySQL and MariaDB share one table: only types both understand.
MYSQL: dict[str, T] = {
    "smallint": T(mysql.SMALLINT, unsigned=True),
    "integer": T(mysql.INTEGER, unsigned=True),
    "bigint": T(mysql.BIGINT, unsigned=True),
    "smallserial": T(mysql.SMALLINT, unsigned=True),
    "serial": T(mysql.INTEGER, unsigned=True),
    "bigserial": T(mysql.BIGINT, unsigned=True),
    "numeric": T(mysql.NUMERIC, _NUM, unsigned=True),
    "real": T(mysql.FLOAT, unsigned=True),
    "double": T(mysql.DOUBLE, unsigned=True),
    "money": T(mysql.NUMERIC, fixed={"precision": 19, "scale": 4}, note="MySQL has no MONEY; NUMERIC(19,4)"),
    "boolean": T(mysql.BOOLEAN),
    "text": T(mysql.TEXT),
    "varchar": T(mysql.VARCHAR, _LEN),
    "char": T(mysql.CHAR, _LEN),
    "citext": T(
        mysql.VARCHAR,
        fixed={"length": 255},
        note="MySQL has no CITEXT; VARCHAR(255) under the case-insensitive utf8mb4_unicode_ci",
    ),
    "bytea": T(mysql.LONGBLOB),
    "date": T(mysql.DATE),
    "time": T(mysql.TIME, {"precision": "fsp"}),
    "timetz": T(mysql.TIME, {"precision": "fsp"}, note="MySQL TIME has no time zone; store UTC"),
    "timestamp": T(mysql.DATETIME, {"precision": "fsp"}),
    "timestamptz": T(mysql.DATETIME, {"precision": "fsp"}, note="MySQL DATETIME has no time zone; store UTC"),
    "interval": T(mysql.VARCHAR, fixed={"length": 64}, note="MySQL has no INTERVAL; VARCHAR(64)"),
    "uuid": T(mysql.CHAR, fixed={"length": 36}, note="UUID stored as CHAR(36)"),
    "json": T(mysql.JSON),
    "jsonb": T(mysql.JSON, note="MySQL has no JSONB; JSON"),
    "xml": T(mysql.LONGTEXT, note="MySQL has no XML type; LONGTEXT"),
    "inet": T(mysql.VARCHAR, fixed={"length": 45}, note="MySQL has no INET; VARCHAR(45)"),
    "cidr": T(mysql.VARCHAR, fixed={"length": 49}, note="MySQL has no CIDR; VARCHAR(49)"),
    "macaddr": T(mysql.VARCHAR, fixed={"length": 17}, note="MySQL has no MACADDR; VARCHAR(17)"),
    "tsvector": T(mysql.LONGTEXT, note="MySQL has no TSVECTOR; LONGTEXT (use a FULLTEXT index)"),
    "year": T(mysql.YEAR),
    "raw": T(mysql.LONGTEXT, note="no raw type given for MySQL; stored as LONGTEXT"),
}

# SQLite: the declared name decides the column's affinity; keep names SQLAlchemy reads back well.
SQLITE: dict[str, T] = {
    "smallint": T(sa.SMALLINT),
    "integer": T(sa.INTEGER),
    "bigint": T(sa.BIGINT),
    "smallserial": T(sa.INTEGER),
    "serial": T(sa.INTEGER),
    "bigserial": T(sa.INTEGER),
    "numeric": T(sa.NUMERIC, _NUM),
    "real": T(sa.REAL),
    "double": T(sa.DOUBLE),
    "money": T(sa.NUMERIC, fixed={"precision": 19, "scale": 4}, note="SQLite has no MONEY; NUMERIC(19,4)"),
    "boolean": T(sa.BOOLEAN),
    "text": T(sa.TEXT),
    "varchar": T(sa.VARCHAR, _LEN),
    "char": T(sa.CHAR, _LEN),
    "citext": T(
        RawType,
        fixed={"sql": "TEXT COLLATE NOCASE"},
        note="SQLite has no CITEXT; TEXT COLLATE NOCASE (ASCII-only case folding)",
    ),
    "bytea": T(sa.BLOB),
    "date": T(sa.DATE),
    "time": T(sa.TIME),
    "timetz": T(sa.TIME, note="SQLite has no time zones; store UTC"),
    "timestamp": T(sa.DATETIME),
    "timestamptz": T(sa.DATETIME, note="SQLite has no time zones; store UTC"),
    "interval": T(sa.VARCHAR, fixed={"length": 64}, note="SQLite has no INTERVAL; VARCHAR(64)"),
    "uuid": T(sa.CHAR, fixed={"length": 36}, note="UUID stored as CHAR(36)"),
    "json": T(sqlite.JSON),
    "jsonb": T(sqlite.JSON, note="SQLite has no JSONB column type; JSON"),
    "xml": T(sa.TEXT, note="SQLite has no XML type; TEXT"),
    "inet": T(sa.VARCHAR, fixed={"length": 45}, note="SQLite has no INET; VARCHAR(45)"),
    "cidr": T(sa.VARCHAR, fixed={"length": 49}, note="SQLite has no CIDR; VARCHAR(49)"),
    "macaddr": T(sa.VARCHAR, fixed={"length": 17}, note="SQLite has no MACADDR; VARCHAR(17)"),
    "tsvector": T(sa.TEXT, note="SQLite has no TSVECTOR; TEXT (use FTS5)"),
    "year": T(sa.SMALLINT, note="SQLite has no YEAR; SMALLINT"),
    "raw": T(sa.TEXT, note="no raw type given for SQLite; stored as TEXT"),
}

TABLES: dict[str, dict[str, T]] = {"postgresql": POSTGRESQL, "mysql": MYSQL, "sqlite": SQLITE}


# (dialect, name, length, precision, scale, unsigned, raw SQL) → (type, notes). Big designs repeat
# a handful of types thousands of times; resolving each once keeps emitting linear and cheap.
_Key = tuple[str, str, int | None, int | None, int | None, bool, str | None]
_CACHE: dict[_Key, tuple[TypeEngine[Any], tuple[str, ...]]] = {}


def resolve(ctype: ColumnType, dialect: str, *, fresh: bool = False) -> tuple[TypeEngine[Any], list[str]]:
    """The SQLAlchemy type of a design type on ``dialect`` and the notes on how it was approximated.

    Enums and arrays are the emitters' business (they depend on more than the type); this maps
    the scalar type only. Type instances are shared between columns (SQLAlchemy types are
    immutable once built) unless ``fresh`` asks for one the caller may change; types that attach
    themselves to a column (``SchemaType``: BOOLEAN, ENUM) are never shared.
    """
    raw = next((sql for name, sql in ctype.raw.items() if name == dialect), None) if ctype.raw else None
    key: _Key = (dialect, ctype.name, ctype.length, ctype.precision, ctype.scale, ctype.unsigned, raw)
    cached = None if fresh else _CACHE.get(key)
    if cached is None:
        built, notes = _resolve(ctype, dialect, raw)
        if fresh or isinstance(built, sa.types.SchemaType):
            return built, notes
        cached = _CACHE[key] = (built, tuple(notes))
    return cached[0], list(cached[1])


def _resolve(ctype: ColumnType, dialect: str, raw: str | None) -> tuple[TypeEngine[Any], list[str]]:
    notes: list[str] = []
    if raw is not None:
        return RawType(raw), notes
    spec = TABLES[dialect][ctype.name]
    kwargs: dict[str, Any] = dict(spec.fixed)
    for param, keyword in spec.params.items():
        value = getattr(ctype, param)
        if value is not None:
            kwargs[keyword] = value
    for param in ("length", "precision", "scale"):
        if getattr(ctype, param) is not None and param not in spec.params:
            notes.append(f"{param} {getattr(ctype, param)} of {ctype.name} is not used on {dialect}")
    if ctype.unsigned:
        if spec.unsigned:
            kwargs["unsigned"] = True
        else:
            notes.append(f"{dialect} has no UNSIGNED; the sign is not restricted (add a CHECK)")
    if spec.note:
        notes.append(spec.note)
    if ctype.name == "varchar" and ctype.length is None and dialect == "mysql":
        kwargs["length"] = 255
        notes.append("MySQL VARCHAR needs a length; VARCHAR(255)")
    return spec.factory(**kwargs), notes
