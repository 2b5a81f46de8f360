"""The design being built from SQL statements: tables by name, pending foreign keys, skipped objects.

``sql.py`` reads statements and records what they say here; ``finish()`` resolves names to ids
(foreign keys may point forward), folds sequences into serial columns and partitions into their
parent, and reports everything it could not place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .mermaid import slug, table_slug


@dataclass
class TableState:
    id: str
    name: str
    schema: str | None
    line: int
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)  # folded name → column data
    primary_key: dict[str, Any] | None = None
    uniques: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    comment: str | None = None
    partitioning: dict[str, Any] | None = None
    rls: dict[str, bool] = field(default_factory=dict)
    partition_of: tuple[tuple[str | None, str], dict[str, Any]] | None = None
    on_update: list[tuple[str, str, int]] = field(default_factory=list)  # MySQL ON UPDATE: (column, expr, line)

    def column(self, name: str) -> dict[str, Any] | None:
        return self.columns.get(name.lower())


@dataclass
class PendingKey:
    """A foreign key by names, resolved to ids when every table is known."""

    table: TableState
    columns: list[str]
    parent: tuple[str | None, str]
    parent_columns: list[str]
    name: str | None
    on_delete: str
    on_update: str
    deferrable: bool
    initially_deferred: bool
    line: int


@dataclass
class Sequence:
    owner: tuple[tuple[str | None, str], str] | None = None  # (table key, column)
    start: int | None = None
    increment: int | None = None


_SERIAL = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}
_NEXTVAL = re.compile(r"nextval\(\s*(?:CAST\(\s*)?'([^']+)'", re.IGNORECASE)


class Model:
    """Everything read so far. Table keys are (schema, lower-cased name)."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.tables: dict[tuple[str | None, str], TableState] = {}
        self.keys: list[PendingKey] = []
        self.enums: dict[str, dict[str, Any]] = {}  # lower-cased bare name → enum data
        self.sequences: dict[str, Sequence] = {}  # lower-cased bare name
        self.identities: dict[tuple[tuple[str | None, str], str], dict[str, Any]] = {}
        self.policies: list[dict[str, Any]] = []
        self.roles: dict[str, dict[str, Any]] = {}
        self.skipped: dict[str, list[int]] = defaultdict(list)
        self.notes: list[str] = []
        self._ids: set[str] = set()

    # -- ids -------------------------------------------------------------------------------------

    def new_id(self, base: str) -> str:
        """A deterministic id unique in the document: ``base``, else ``base_2``, ``base_3``, ..."""
        candidate, n = base[:60], 1
        while candidate in self._ids:
            n += 1
            candidate = f"{base[:55]}_{n}"
        self._ids.add(candidate)
        return candidate

    def add_table(self, name: str, schema: str | None, line: int) -> TableState:
        key = (schema, name.lower())
        if key in self.tables:
            self.notes.append(f"line {line}: table {name!r} defined again; the later definition wins")
        table = TableState(self.new_id(f"t_{table_slug(name, schema)}"), name, schema, line)
        self.tables[key] = table
        return table

    def add_column(self, table: TableState, data: dict[str, Any]) -> dict[str, Any]:
        data["id"] = self.new_id(f"{table.id}.{slug(data['name'])}")
        table.columns[data["name"].lower()] = data
        return data

    def find(self, schema: str | None, name: str) -> TableState | None:
        table = self.tables.get((schema, name.lower()))
        if table is None and schema is None:
            # An unqualified name: the only table of that name in any schema.
            found = [t for (s, n), t in self.tables.items() if n == name.lower()]
            table = found[0] if len(found) == 1 else None
        return table

    def skip(self, kind: str, line: int) -> None:
        self.skipped[kind].append(line)

    # -- the end ---------------------------------------------------------------------------------

    def finish(self) -> tuple[dict[str, Any], list[str]]:
        """The document data and the warnings, in order: notes first, then the skipped summary."""
        self._fold_sequences()
        self._fold_partitions()
        relationships = self._relationships()
        tables = [self._table_data(t) for t in self.tables.values()]
        data: dict[str, Any] = {
            "format": 1,
            "settings": {"target": self.dialect},
            "tables": tables,
            "relationships": relationships,
            "enums": list(self.enums.values()),
        }
        if self.policies or self.roles:
            data["security"] = {"roles": list(self.roles.values()), "policies": self.policies}
        return data, self.notes + summary(self.skipped)

    def _fold_sequences(self) -> None:
        for key, table in self.tables.items():
            for column in table.columns.values():
                identity = self.identities.get((key, column["name"].lower()))
                if identity is not None:
                    column["identity"] = identity
                    continue
                default = column.get("default")
                if not default or default["kind"] != "expression":
                    continue
                match = _NEXTVAL.search(str(default["value"]))
                if not match or column["type"]["name"] not in _SERIAL or column["type"].get("array"):
                    continue
                seq_name = match.group(1).rsplit(".", 1)[-1].strip('"').lower()
                seq = self.sequences.get(seq_name)
                if seq is None:
                    continue
                if seq.start not in (None, 1) or seq.increment not in (None, 1):
                    # A serial cannot start elsewhere; an identity column can, and keeps the numbering.
                    started: dict[str, Any] = {"always": False}
                    if seq.start not in (None, 1):
                        started["start"] = seq.start
                    if seq.increment not in (None, 1):
                        started["increment"] = seq.increment
                    column["identity"] = started
                    del column["default"]
                    self.sequences.pop(seq_name)
                    self.notes.append(f"{table.name}.{column['name']}: sequence {seq_name!r} (START {seq.start}) "
                                      "becomes an identity column with the same start")
                    continue
                conventional = seq_name == f"{table.name}_{column['name']}_seq".lower()
                column["type"]["name"] = _SERIAL[column["type"]["name"]]
                del column["default"]
                self.sequences.pop(seq_name)
                if not conventional:
                    self.notes.append(
                        f"{table.name}.{column['name']}: sequence {seq_name!r} becomes the serial column's own "
                        f"sequence ({table.name}_{column['name']}_seq)"
                    )
        for name in self.sequences:
            self.notes.append(f"sequence {name!r} is not modelled (only sequences owned by a serial column are)")

    def _fold_partitions(self) -> None:
        folded = 0
        for key, table in list(self.tables.items()):
            if table.partition_of is None:
                continue
            parent = self.find(*table.partition_of[0])
            if parent is None or parent.partitioning is None:
                self.notes.append(
                    f"line {table.line}: {table.name!r} is a partition of an unknown table; kept as a table")
                continue
            bound = dict(table.partition_of[1])
            bound["id"] = self.new_id(f"p_{slug(table.name)}")
            bound["name"] = table.name
            parent.partitioning["partitions"].append(bound)
            del self.tables[key]
            folded += 1
        if folded:
            self.notes.append(
                f"{folded} partitions folded into their partitioned tables; their own indexes and keys "
                "are the parent's (PostgreSQL creates them on each partition)"
            )

    def _relationships(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        live = {id(t) for t in self.tables.values()}
        for key in self.keys:
            if id(key.table) not in live:
                continue  # a key on a folded partition: the parent has it
            parent = self.find(*key.parent)
            where = f"line {key.line}: foreign key {key.name or ''} on {key.table.name!r}".replace("  ", " ")
            if parent is None:
                self.notes.append(f"{where} references {key.parent[1]!r}, which is not in the file; skipped")
                continue
            parent_columns = key.parent_columns
            if not parent_columns:
                pk = parent.primary_key
                if pk is None:
                    self.notes.append(f"{where}: {parent.name!r} has no primary key to reference; skipped")
                    continue
                by_id = {c["id"]: c["name"] for c in parent.columns.values()}
                parent_columns = [by_id[c] for c in pk["columns"]]
            child_cols = [key.table.column(c) for c in key.columns]
            parent_cols = [parent.column(c) for c in parent_columns]
            if any(c is None for c in child_cols + parent_cols) or len(child_cols) != len(parent_cols):
                self.notes.append(f"{where}: a column it names does not exist; skipped")
                continue
            rel: dict[str, Any] = {
                "id": self.new_id(
                    f"r_{slug(key.name)}" if key.name else f"r_{key.table.id[2:]}_{slug(key.columns[0])}"),
                "from_table": key.table.id,
                "from_columns": [c["id"] for c in child_cols if c],
                "to_table": parent.id,
                "to_columns": [c["id"] for c in parent_cols if c],
                "on_delete": key.on_delete,
                "on_update": key.on_update,
                "deferrable": key.deferrable,
                "initially_deferred": key.initially_deferred,
            }
            if key.name:
                rel["name"] = key.name
            if all(not c.get("nullable", True) for c in child_cols if c):
                rel["from_cardinality"] = "zero_or_many"
            else:
                rel["to_cardinality"] = "zero_or_one"
            out.append(rel)
        return out

    def _table_data(self, table: TableState) -> dict[str, Any]:
        data: dict[str, Any] = {"id": table.id, "name": table.name, "columns": list(table.columns.values())}
        if table.schema:
            data["schema"] = table.schema
        for key in ("comment", "primary_key", "partitioning"):
            if getattr(table, key):
                data[key] = getattr(table, key)
        for key in ("uniques", "checks", "indexes"):
            if getattr(table, key):
                data[key] = getattr(table, key)
        if table.rls:
            data["rls"] = table.rls
        options = self.on_update(table)
        if options:
            data["options"] = options
        return data

    def on_update(self, table: TableState) -> dict[str, Any]:
        """MySQL's ``DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`` as the table's updated_at trigger.

        The design keeps one such column per table (``options.updated_at_column``), which the MySQL
        emitter writes back the same way and PostgreSQL/SQLite maintain with a trigger. Anything
        else (another ON UPDATE expression, no current-timestamp default, a second column) is warned.
        """
        options: dict[str, Any] = {}
        for name, expression, line in table.on_update:
            column = table.column(name)
            default = str(((column or {}).get("default") or {}).get("value", ""))
            if column is not None and not options and _NOW.fullmatch(expression) and _NOW.fullmatch(default) \
                    and _is_timestamp(column["type"]):
                options = {"updated_at_trigger": True, "updated_at_column": column["id"]}
            else:
                self.notes.append(f"line {line}: {table.name}.{name}: ON UPDATE {expression} is not modelled "
                                  "(only DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, once per table)")
        return options


_NOW = re.compile(r"(?i)\s*(CURRENT_TIMESTAMP|NOW|LOCALTIMESTAMP)\s*(\(\s*\d?\s*\))?\s*")


_RAW_TIMESTAMP = re.compile(r"(?i)\s*(TIMESTAMP|DATETIME)\s*(\(\s*\d\s*\))?\s*")


def _is_timestamp(column_type: dict[str, Any]) -> bool:
    if column_type.get("array"):
        return False
    if column_type.get("name") in ("timestamp", "timestamptz"):
        return True
    raw = (column_type.get("raw") or {}).get("mysql", "")
    return column_type.get("name") == "raw" and bool(_RAW_TIMESTAMP.fullmatch(raw))


def summary(skipped: dict[str, list[int]]) -> list[str]:
    """One warning per kind of statement skipped, with the lines (the first ten) it was found on."""
    out = []
    for kind, lines in sorted(skipped.items(), key=lambda item: item[1][0]):
        shown = ", ".join(str(n) for n in lines[:10])
        more = f", … ({len(lines) - 10} more)" if len(lines) > 10 else ""
        count = f"{len(lines)} statements" if len(lines) != 1 else "1 statement"
        out.append(f"skipped {kind}: {count} not modelled, at line{'s' if len(lines) > 1 else ''} {shown}{more}")
    return out
