"""Design document → DDL for PostgreSQL, MySQL/MariaDB and SQLite, through SQLAlchemy's DDL compilers.

    from designs.compiler.ddl import emit, DIALECTS
    result = emit(doc, "postgresql")
    result.sql, result.statements, result.warnings

``emit`` is deterministic (same document, same bytes) and never drops a thing silently: whatever
the target cannot express is a ``DdlWarning`` naming the object and what was done instead.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..document import Document
from .base import DdlResult, DdlWarning, Emitter
from .mysql import MysqlEmitter
from .postgres import PostgresEmitter
from .sqlite import SqliteEmitter

EMITTERS: dict[str, type[Emitter]] = {
    "postgresql": PostgresEmitter,
    "mysql": MysqlEmitter,
    "sqlite": SqliteEmitter,
}
DIALECTS: tuple[str, ...] = tuple(EMITTERS)

__all__ = ["DIALECTS", "DdlResult", "DdlWarning", "emit", "metadata"]


def _emitter(doc: Document, dialect: str) -> Emitter:
    try:
        return EMITTERS[dialect](doc)
    except KeyError:
        raise ValueError(f"unknown dialect {dialect!r}; one of {', '.join(DIALECTS)}") from None


def emit(doc: Document, dialect: str) -> DdlResult:
    """The DDL script for ``dialect`` (one of ``DIALECTS``), its statements and its warnings."""
    return _emitter(doc, dialect).emit()


def metadata(doc: Document, dialect: str) -> sa.MetaData:
    """The SQLAlchemy ``MetaData`` the DDL for ``dialect`` is compiled from."""
    return _emitter(doc, dialect).metadata
