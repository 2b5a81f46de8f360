"""SQLite: foreign keys inline in CREATE TABLE (SQLite cannot add them later), enums as CHECK.

``PRAGMA foreign_keys = ON`` comes first because SQLite enforces foreign keys only when asked.
A single integer identity primary key is declared INTEGER so it becomes the rowid alias.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from ..document import Column, Table
from . import audit
from .base import Emitter

# A version-4 UUID as text, from SQLite's own random source.
UUID4 = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)"
    " || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-'"
    " || hex(randomblob(6)))"
)


class SqliteEmitter(Emitter):
    name = "sqlite"
    dialect_class = SQLiteDialect
    fks_inline = True
    enum_mode = "check"
    partial_indexes = True
    deferrable = True
    default_expressions = {
        "now()": ("CURRENT_TIMESTAMP", None),
        "current_timestamp": ("CURRENT_TIMESTAMP", None),
        "gen_random_uuid()": (UUID4, None),
        "uuid_generate_v4()": (UUID4, None),
    }

    def preamble(self) -> list[str]:
        return ["PRAGMA foreign_keys = ON"]

    def extra_checks(self, table: Table) -> list[tuple[str, str]]:
        out = []
        for column in table.columns:
            if column.type.name != "enum" or column.type.enum is None or column.type.array:
                continue
            if column.type.raw and self.name in column.type.raw:
                continue
            enum = self.doc_enums[column.type.enum]
            assert enum is not None
            name = self.constraint_name(
                table, column.id, None, self.doc.settings.naming.check, columns=[column.name], name=column.name
            )
            values = ", ".join(self.literal(v) for v in enum.values)
            out.append((name, f"{self.quote(self.column_name(column))} IN ({values})"))
            self.warn(column.id, f"SQLite has no enum types; {enum.name} as TEXT with CHECK {name}")
        return out

    def identity(self, table: Table, column: Column, args: list[Any], kwargs: dict[str, Any]) -> None:
        pk = table.primary_key.columns if table.primary_key else []
        if pk != [column.id]:
            self.warn(column.id, "SQLite numbers only a single INTEGER PRIMARY KEY; a plain integer column")
            return
        kwargs["type"] = sa.INTEGER()  # exactly INTEGER: the rowid alias
        ident = column.identity
        if ident is not None and (ident.always or ident.start is not None or ident.increment not in (None, 1)):
            self.warn(
                column.id,
                "SQLite's rowid key takes explicit values and always starts at 1 step 1; "
                "GENERATED ALWAYS/start/increment not emitted",
            )

    def triggers(self) -> list[str]:
        out = []
        for table in self.doc.tables:
            if self.uses_updated_at_trigger(table):
                column = self.updated_at_column(table)
                if column is None:
                    self.warn(table.id, "updated_at trigger needs a column named updated_at; no trigger")
                else:
                    out.append(self._updated_at(table, column))
            if table.options.audit and self.audit_table is not None:
                out.extend(audit.row_triggers(self, table))
        return out

    def _updated_at(self, table: Table, column: Column) -> str:
        ref = self.table_ref(table.id)
        col = self.quote(self.column_name(column))
        keys = table.primary_key.columns if table.primary_key else []
        names = [self.column_name(c) for c in table.columns if c.id in keys] or ["rowid"]
        match = " AND ".join(f"{self.quote(n)} = NEW.{self.quote(n)}" for n in names)
        trigger = self.quote(self.namer.fit(f"{table.name}_set_updated_at"))
        # Fires after the row changed unless the statement set updated_at itself; SQLite does not
        # re-fire it for its own UPDATE because recursive_triggers is off by default.
        return (
            f"CREATE TRIGGER {trigger} AFTER UPDATE ON {ref} FOR EACH ROW "  # noqa: S608 (all quoted)
            f"WHEN NEW.{col} IS OLD.{col} BEGIN "
            f"UPDATE {ref} SET {col} = CURRENT_TIMESTAMP WHERE {match}; END"
        )
