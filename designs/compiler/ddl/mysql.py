"""MySQL and MariaDB: InnoDB tables in utf8mb4, inline ENUM, AUTO_INCREMENT, inline comments.

The DDL is the common ground of MySQL 8 and MariaDB 10.11. Foreign keys are added by ALTER TABLE
after every table exists, as on PostgreSQL. What InnoDB lacks (deferrable constraints, SET
DEFAULT, partial and expression indexes, INCLUDE, NULLS FIRST/LAST, RLS, ...) is warned about.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.mysql.base import MySQLDialect

from ..document import Check, Column, Table
from . import audit
from .base import ACTIONS, Emitter, sql

# Types InnoDB can key only with a prefix length; a keyed text column becomes VARCHAR instead.
UNKEYABLE = (sa.TEXT, sa.LargeBinary, mysql.LONGTEXT, sa.JSON)
KEYED_VARCHAR = 255


class MysqlEmitter(Emitter):
    name = "mysql"
    index_methods = frozenset({"btree", "fulltext", "spatial"})
    dialect_class = MySQLDialect
    engine_max_identifier_bytes = 64
    enum_mode = "inline"
    index_expressions = False  # MariaDB has no functional key parts
    comments = "inline"
    actions = frozenset(ACTIONS) - {"set_default"}  # InnoDB rejects SET DEFAULT
    table_kwargs = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}
    default_expressions = {
        "now()": ("CURRENT_TIMESTAMP", None),
        "current_timestamp": ("CURRENT_TIMESTAMP", None),
        "gen_random_uuid()": ("uuid()", None),
        "uuid_generate_v4()": ("uuid()", "MySQL/MariaDB uuid() is version 1, not random"),
    }

    def preamble(self) -> list[str]:
        # Design expressions are standard SQL, where "x" is an identifier; MySQL reads it as a
        # string unless ANSI_QUOTES is on. Stored expressions are normalised, so it only matters now.
        if self.doc.settings.target == "mysql" or not any('"' in text for text in self._expressions()):
            return []
        return ["SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES')"]

    def _expressions(self) -> list[str]:
        texts = []
        for table in self.doc.tables:
            texts += [c.expression for c in table.checks]
            for column in table.columns:
                if column.generated:
                    texts.append(column.generated.expression)
                if column.default and column.default.kind == "expression":
                    texts.append(str(column.default.value))
            for index in table.indexes:
                texts += [k.expression for k in index.columns if k.expression]
        return texts

    def _build(self) -> None:
        self.keyed: set[str] = set()
        for table in self.doc.tables:
            if table.primary_key:
                self.keyed.update(table.primary_key.columns)
            for unique in table.uniques:
                self.keyed.update(unique.columns)
            for index in table.indexes:
                if index.method not in ("fulltext", "spatial"):  # these index TEXT and GEOMETRY whole
                    self.keyed.update(k.column for k in index.columns if k.column)
        for rel in self.doc.relationships:
            self.keyed.update(rel.from_columns)
            self.keyed.update(rel.to_columns)
        super()._build()

    def enum_type(self, enum_id: str) -> sa.types.TypeEngine[Any]:
        enum = self.doc_enums[enum_id]
        assert enum is not None
        return mysql.ENUM(*enum.values)

    def column_type(self, table: Table, column: Column) -> sa.types.TypeEngine[Any]:
        ctype = super().column_type(table, column)
        if column.id in self.keyed and isinstance(ctype, UNKEYABLE) and not isinstance(ctype, sa.Enum):
            self.warn(column.id, f"InnoDB cannot key a {column.type.name} column in full; VARCHAR({KEYED_VARCHAR})")
            return mysql.VARCHAR(KEYED_VARCHAR)
        return ctype

    def table_options(self, table: Table) -> dict[str, Any]:
        options = super().table_options(table)
        for column in table.columns:
            if column.identity is not None and column.identity.start is not None:
                options["mysql_auto_increment"] = str(column.identity.start)
        return options

    def identity(self, table: Table, column: Column, args: list[Any], kwargs: dict[str, Any]) -> None:
        pk = table.primary_key.columns if table.primary_key else []
        if pk != [column.id]:
            self.warn(
                column.id, "AUTO_INCREMENT is emitted only for a single-column primary key; a plain integer column"
            )
            return
        kwargs["autoincrement"] = True
        ident = column.identity
        if ident is not None and ident.always:
            self.warn(column.id, "MySQL has no GENERATED ALWAYS identity; AUTO_INCREMENT accepts explicit values")
        if ident is not None and ident.increment not in (None, 1):
            self.warn(
                column.id,
                f"MySQL sets the AUTO_INCREMENT step per server "
                f"(auto_increment_increment), not per column; step {ident.increment} not emitted",
            )

    def keeps_check(self, table: Table, check: Check) -> bool:
        # InnoDB refuses a CHECK that reads an AUTO_INCREMENT column (the value is not known yet
        # when the check runs), e.g. a tree's "parent_id <> id".
        pk = table.primary_key.columns if table.primary_key else []
        for column in table.columns:
            numbered = column.identity is not None or column.type.name in ("smallserial", "serial", "bigserial")
            if not (numbered and pk == [column.id]):
                continue
            if re.search(rf"(?<![\w$]){re.escape(self.column_name(column))}(?![\w$])", check.expression, re.IGNORECASE):
                self.warn(check.id, f"MySQL cannot CHECK the AUTO_INCREMENT column {column.name!r}; check not emitted")
                return False
        return True

    def server_default(self, table: Table, column: Column) -> Any:
        if self._on_update(table, column):
            return None  # build_column sets the ON UPDATE default
        return super().server_default(table, column)

    def build_column(self, table: Table, column: Column) -> sa.Column[Any]:
        built = super().build_column(table, column)
        if self._on_update(table, column):
            # MySQL's own form of the updated_at trigger.
            raw = self._raw_timestamp(column)
            digits = column.type.precision or (raw.group(2) if raw else None)
            precision = f"({digits})" if digits else ""
            now = f"CURRENT_TIMESTAMP{precision}"
            built.server_default = sa.DefaultClause(sql(f"{now} ON UPDATE {now}"))
            built.server_default._set_parent(built)
        return built

    def _on_update(self, table: Table, column: Column) -> bool:
        maintained = self.updated_at_column(table)
        if not self.uses_updated_at_trigger(table) or maintained is None or maintained.id != column.id:
            return False
        if column.type.array:
            return False
        return column.type.name in ("timestamp", "timestamptz") or self._raw_timestamp(column) is not None

    @staticmethod
    def _raw_timestamp(column: Column) -> re.Match[str] | None:
        """A raw MySQL TIMESTAMP/DATETIME(p) (how MySQL imports keep them), with its precision as group 2."""
        raw = (column.type.raw or {}).get("mysql", "") if column.type.name == "raw" else ""
        return re.fullmatch(r"(?i)\s*(TIMESTAMP|DATETIME)\s*(?:\(\s*(\d)\s*\))?\s*", raw)

    def triggers(self) -> list[str]:
        for table in self.doc.tables:
            if self.uses_updated_at_trigger(table):
                column = self.updated_at_column(table)
                if column is None or not self._on_update(table, column):
                    self.warn(
                        table.id,
                        "updated_at needs a timestamp column (named updated_at, or options.updated_at_column) for "
                        "ON UPDATE CURRENT_TIMESTAMP; not maintained",
                    )
        # The audit table is None when its name clashes with a design table (warned when built).
        return [
            statement
            for table in self.doc.tables
            if table.options.audit and self.audit_table is not None
            for statement in audit.row_triggers(self, table)
        ]

    def create_comments(self) -> list[str]:
        for table in self.doc.tables:
            for column in table.columns:
                if column.comment and len(column.comment) > 1024:
                    self.warn(column.id, "MySQL keeps column comments up to 1024 characters")
        return super().create_comments()
