"""Validation of design documents: every error, each with a JSON path such as ``tables[2].columns[0].type``.

Two passes. The structural pass is the document models' own (types, required fields, allowed
values). When that passes, the semantic pass checks what needs the whole document: ids are
unique and resolve, names are unique where the database needs them to be, parameters make sense
for their type. Both passes report everything they find, not just the first problem.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic

from .document import INTEGER_TYPES, PORTABLE_TYPES, Column, Document, Table, UpgradeError, upgrade


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


class InvalidDocument(ValueError):
    """Raised by ``load()``; ``problems`` holds every error found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


def json_path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validate(data: Any) -> tuple[Document | None, list[Problem]]:
    """Validate plain document data. Returns the parsed document (None if invalid) and every problem."""
    try:
        data = upgrade(data)
    except UpgradeError as exc:
        return None, [Problem("format", str(exc))]
    if not isinstance(data, dict):
        return None, [Problem("", "a design document must be a JSON object")]
    try:
        doc = Document.model_validate(data)
    except pydantic.ValidationError as exc:
        return None, [_structural(e) for e in exc.errors(include_url=False)]
    problems = list(check(doc))
    return (doc if not problems else None), problems


def load(data: Any) -> Document:
    """Parse and validate, raising ``InvalidDocument`` with every problem."""
    doc, problems = validate(data)
    if doc is None:
        raise InvalidDocument(problems)
    return doc


def _structural(error: Any) -> Problem:
    loc = [part for part in error["loc"] if not (isinstance(part, str) and "[" in part)]
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "literal_error":
        message = message.replace("Input should be", "must be one of")
    return Problem(json_path(loc), message)


def check(doc: Document) -> Iterator[Problem]:
    """The semantic pass over a structurally valid document."""
    yield from _check_ids(doc)
    yield from _check_names(doc)
    yield from _check_naming(doc)
    enum_ids = {e.id for e in doc.enums}
    tables = {t.id: t for t in doc.tables}
    roles = {r.id for r in doc.security.roles} | {"public"}
    for ti, table in enumerate(doc.tables):
        yield from _check_table(table, f"tables[{ti}]", enum_ids)
    for ri, rel in enumerate(doc.relationships):
        yield from _check_relationship(doc, rel, f"relationships[{ri}]", tables)
    for ei, enum in enumerate(doc.enums):
        for value, count in Counter(enum.values).items():
            if count > 1:
                yield Problem(f"enums[{ei}].values", f"value {value!r} appears {count} times")
    for ai, pattern in enumerate(doc.access_patterns):
        path = f"access_patterns[{ai}]"
        pattern_table = tables.get(pattern.table)
        if pattern_table is None:
            yield Problem(f"{path}.table", f"no table with id {pattern.table!r}")
            continue
        for field in ("equality", "range", "select", "contains", "text_search"):
            yield from _columns_exist(pattern_table, getattr(pattern, field), f"{path}.{field}")
        yield from _columns_exist(pattern_table, [o.column for o in pattern.order_by], f"{path}.order_by")
        if not (
            pattern.sql
            or pattern.equality
            or pattern.range
            or pattern.order_by
            or pattern.contains
            or pattern.text_search
            or pattern.where
        ):
            yield Problem(path, "give the query as sql or as equality/range/order_by/contains/text_search columns")
    yield from _check_security(doc, tables, roles)
    for ni, note in enumerate(doc.notes):
        if note.anchor is not None and note.anchor not in _all_ids(doc):
            yield Problem(f"notes[{ni}].anchor", f"no object with id {note.anchor!r}")


def _all_ids(doc: Document) -> set[str]:
    return {object_id for object_id, _ in _ids(doc)}


def _ids(doc: Document) -> Iterator[tuple[str, str]]:
    for ti, t in enumerate(doc.tables):
        yield t.id, f"tables[{ti}].id"
        for ci, c in enumerate(t.columns):
            yield c.id, f"tables[{ti}].columns[{ci}].id"
        for kind in ("uniques", "checks", "indexes"):
            for oi, o in enumerate(getattr(t, kind)):
                yield o.id, f"tables[{ti}].{kind}[{oi}].id"
        if t.partitioning:
            for pi, p in enumerate(t.partitioning.partitions):
                yield p.id, f"tables[{ti}].partitioning.partitions[{pi}].id"
    for kind in ("relationships", "enums", "notes", "areas", "access_patterns"):
        for oi, o in enumerate(getattr(doc, kind)):
            yield o.id, f"{kind}[{oi}].id"
    for kind in ("roles", "grants", "policies"):
        for oi, o in enumerate(getattr(doc.security, kind)):
            yield o.id, f"security.{kind}[{oi}].id"


def _check_ids(doc: Document) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for object_id, path in _ids(doc):
        if object_id in seen:
            yield Problem(path, f"id {object_id!r} is already used at {seen[object_id]}")
        else:
            seen[object_id] = path


def _duplicates(items: Iterable[tuple[Any, str]], what: str) -> Iterator[Problem]:
    seen: dict[Any, str] = {}
    for key, path in items:
        if key in seen:
            yield Problem(path, f"{what} {key[-1]!r} is already used at {seen[key]}")
        else:
            seen[key] = path


def _check_names(doc: Document) -> Iterator[Problem]:
    default = doc.settings.default_schema
    yield from _duplicates(
        ((((t.schema_ or default), t.name), f"tables[{ti}].name") for ti, t in enumerate(doc.tables)),
        "table name",
    )
    yield from _duplicates(
        ((((e.schema_ or default), e.name), f"enums[{ei}].name") for ei, e in enumerate(doc.enums)),
        "enum name",
    )
    yield from _duplicates(
        (((r.name,), f"security.roles[{ri}].name") for ri, r in enumerate(doc.security.roles)), "role name"
    )

    def constraint_names() -> Iterator[tuple[Any, str]]:
        # Constraint and index names share a namespace per schema on PostgreSQL.
        for ti, t in enumerate(doc.tables):
            schema = t.schema_ or default
            if t.primary_key and t.primary_key.name:
                yield (schema, t.primary_key.name), f"tables[{ti}].primary_key.name"
            for kind in ("uniques", "indexes"):
                for oi, o in enumerate(getattr(t, kind)):
                    if o.name:
                        yield (schema, o.name), f"tables[{ti}].{kind}[{oi}].name"
            for ci, c in enumerate(t.checks):
                if c.name:
                    yield (schema, t.name, c.name), f"tables[{ti}].checks[{ci}].name"
        for ri, r in enumerate(doc.relationships):
            table = doc.table(r.from_table)
            if r.name and table is not None:
                yield (table.schema_ or default, table.name, r.name), f"relationships[{ri}].name"

    yield from _duplicates(constraint_names(), "name")


def _columns_exist(table: Table, column_ids: Iterable[str], path: str) -> Iterator[Problem]:
    for i, column_id in enumerate(column_ids):
        if table.column(column_id) is None:
            yield Problem(f"{path}[{i}]", f"no column with id {column_id!r} in table {table.name!r}")


def _check_table(table: Table, path: str, enum_ids: set[str]) -> Iterator[Problem]:
    yield from _duplicates(
        (((c.name.lower(),), f"{path}.columns[{ci}].name") for ci, c in enumerate(table.columns)), "column name"
    )
    for ci, column in enumerate(table.columns):
        yield from _check_column(column, f"{path}.columns[{ci}]", enum_ids)
    if table.primary_key:
        yield from _columns_exist(table, table.primary_key.columns, f"{path}.primary_key.columns")
        for i, column_id in enumerate(table.primary_key.columns):
            pk_column = table.column(column_id)
            if pk_column is not None and pk_column.nullable:
                yield Problem(
                    f"{path}.primary_key.columns[{i}]", f"primary-key column {pk_column.name!r} must be NOT NULL"
                )
    if table.options.updated_at_column is not None and table.column(table.options.updated_at_column) is None:
        yield Problem(
            f"{path}.options.updated_at_column",
            f"no column with id {table.options.updated_at_column!r} in table {table.name!r}",
        )
    for ui, unique in enumerate(table.uniques):
        yield from _columns_exist(table, unique.columns, f"{path}.uniques[{ui}].columns")
    for xi, index in enumerate(table.indexes):
        ipath = f"{path}.indexes[{xi}]"
        for ki, key in enumerate(index.columns):
            if (key.column is None) == (key.expression is None):
                yield Problem(f"{ipath}.columns[{ki}]", "give exactly one of column or expression")
            elif key.column is not None and table.column(key.column) is None:
                yield Problem(
                    f"{ipath}.columns[{ki}].column", f"no column with id {key.column!r} in table {table.name!r}"
                )
        yield from _columns_exist(table, index.include, f"{ipath}.include")
        if index.include and index.method not in ("btree", "gist", "spgist"):
            yield Problem(f"{ipath}.include", f"a {index.method} index cannot INCLUDE columns")
        if index.unique and index.method not in ("btree",):
            yield Problem(f"{ipath}.unique", f"a {index.method} index cannot be unique")
    if table.partitioning:
        yield from _check_partitioning(table, f"{path}.partitioning")


def _check_column(column: Column, path: str, enum_ids: set[str]) -> Iterator[Problem]:
    ctype = column.type
    allowed = PORTABLE_TYPES[ctype.name]
    for param in ("length", "precision", "scale"):
        if getattr(ctype, param) is not None and param not in allowed:
            yield Problem(f"{path}.type.{param}", f"type {ctype.name} takes no {param}")
    if ctype.scale is not None and ctype.precision is None:
        yield Problem(f"{path}.type.scale", "a scale needs a precision")
    elif ctype.scale is not None and ctype.precision is not None and not 0 <= ctype.scale <= ctype.precision:
        yield Problem(f"{path}.type.scale", "scale must be between 0 and the precision")
    if ctype.name == "enum":
        if ctype.enum is None:
            yield Problem(f"{path}.type.enum", "an enum column needs the id of its enum")
        elif ctype.enum not in enum_ids:
            yield Problem(f"{path}.type.enum", f"no enum with id {ctype.enum!r}")
    elif ctype.enum is not None:
        yield Problem(f"{path}.type.enum", "only an enum column names an enum")
    if ctype.name == "raw" and not ctype.raw:
        yield Problem(f"{path}.type.raw", "a raw type needs its SQL for at least one dialect")
    if ctype.unsigned and ctype.name not in INTEGER_TYPES | {"numeric", "real", "double"}:
        yield Problem(f"{path}.type.unsigned", "only numeric types can be unsigned")
    if column.identity is not None:
        if ctype.name not in INTEGER_TYPES:
            yield Problem(f"{path}.identity", f"an identity column must have an integer type, not {ctype.name}")
        if column.identity.increment == 0:
            yield Problem(f"{path}.identity.increment", "the increment cannot be 0")
        if column.default is not None:
            yield Problem(f"{path}.default", "an identity column cannot have a default")
        if column.nullable:
            yield Problem(f"{path}.nullable", "an identity column is NOT NULL")
    if column.generated is not None:
        if column.default is not None:
            yield Problem(f"{path}.default", "a generated column cannot have a default")
        if column.identity is not None:
            yield Problem(f"{path}.generated", "a column cannot be both identity and generated")
    default = column.default
    if (
        default is not None
        and default.kind == "expression"
        and not (isinstance(default.value, str) and default.value.strip())
    ):
        yield Problem(f"{path}.default.value", "an expression default must be non-empty SQL text")


def _check_partitioning(table: Table, path: str) -> Iterator[Problem]:
    part = table.partitioning
    assert part is not None
    for ki, key in enumerate(part.key):
        if (key.column is None) == (key.expression is None):
            yield Problem(f"{path}.key[{ki}]", "give exactly one of column or expression")
        elif key.column is not None and table.column(key.column) is None:
            yield Problem(f"{path}.key[{ki}].column", f"no column with id {key.column!r} in table {table.name!r}")
    yield from _duplicates(
        (((p.name,), f"{path}.partitions[{pi}].name") for pi, p in enumerate(part.partitions)), "partition name"
    )
    defaults = [pi for pi, p in enumerate(part.partitions) if p.is_default]
    for pi in defaults[1:]:
        yield Problem(f"{path}.partitions[{pi}]", "only one default partition is allowed")
    for pi, p in enumerate(part.partitions):
        ppath = f"{path}.partitions[{pi}]"
        if p.is_default:
            if part.strategy == "hash":
                yield Problem(ppath, "a hash-partitioned table has no default partition")
            continue
        if part.strategy == "list" and not p.values:
            yield Problem(f"{ppath}.values", "a list partition needs values")
        if part.strategy == "range" and (len(p.from_values) != len(part.key) or len(p.to_values) != len(part.key)):
            yield Problem(
                ppath, f"a range partition needs from_values and to_values, one per key part ({len(part.key)})"
            )
        if part.strategy == "hash":
            if p.modulus is None or p.remainder is None:
                yield Problem(ppath, "a hash partition needs modulus and remainder")
            elif p.remainder >= p.modulus:
                yield Problem(f"{ppath}.remainder", "the remainder must be less than the modulus")


def _check_relationship(doc: Document, rel: Any, path: str, tables: dict[str, Table]) -> Iterator[Problem]:
    child = tables.get(rel.from_table)
    parent = tables.get(rel.to_table)
    if child is None:
        yield Problem(f"{path}.from_table", f"no table with id {rel.from_table!r}")
    else:
        yield from _columns_exist(child, rel.from_columns, f"{path}.from_columns")
    if parent is None:
        yield Problem(f"{path}.to_table", f"no table with id {rel.to_table!r}")
    else:
        yield from _columns_exist(parent, rel.to_columns, f"{path}.to_columns")
    if len(rel.from_columns) != len(rel.to_columns):
        yield Problem(f"{path}.to_columns", "from_columns and to_columns must pair up (same number of columns)")
    if rel.initially_deferred and not rel.deferrable:
        yield Problem(f"{path}.initially_deferred", "only a deferrable constraint can be initially deferred")
    if child is not None and "set_null" in (rel.on_delete, rel.on_update):
        for i, column_id in enumerate(rel.from_columns):
            column = child.column(column_id)
            if column is not None and not column.nullable:
                yield Problem(f"{path}.from_columns[{i}]", f"SET NULL needs {column.name!r} to be nullable")


def _check_security(doc: Document, tables: dict[str, Table], roles: set[str]) -> Iterator[Problem]:
    role_ids = {r.id for r in doc.security.roles}
    yield from _role_cycles(doc)
    yield from _duplicates(
        (((p.table, p.name), f"security.policies[{pi}].name") for pi, p in enumerate(doc.security.policies)),
        "policy name",
    )
    for ri, role in enumerate(doc.security.roles):
        for i, parent in enumerate(role.inherits):
            if parent not in role_ids:
                yield Problem(f"security.roles[{ri}].inherits[{i}]", f"no role with id {parent!r}")
            elif parent == role.id:
                yield Problem(f"security.roles[{ri}].inherits[{i}]", "a role cannot be a member of itself")
    for gi, grant in enumerate(doc.security.grants):
        path = f"security.grants[{gi}]"
        if grant.role not in roles:
            yield Problem(f"{path}.role", f"no role with id {grant.role!r}")
        for i, table_id in enumerate(grant.tables):
            if table_id not in tables:
                yield Problem(f"{path}.tables[{i}]", f"no table with id {table_id!r}")
        if grant.columns:
            if len(grant.tables) != 1:
                yield Problem(f"{path}.columns", "a column grant names exactly one table")
            elif grant.tables[0] in tables:
                yield from _columns_exist(tables[grant.tables[0]], grant.columns, f"{path}.columns")
    for pi, policy in enumerate(doc.security.policies):
        path = f"security.policies[{pi}]"
        if policy.table not in tables:
            yield Problem(f"{path}.table", f"no table with id {policy.table!r}")
        for i, role_id in enumerate(policy.roles):
            if role_id not in roles:
                yield Problem(f"{path}.roles[{i}]", f"no role with id {role_id!r}")
        if policy.using is None and policy.with_check is None:
            yield Problem(path, "a policy needs a using or a with_check expression")
        if policy.command == "insert" and policy.using is not None:
            yield Problem(f"{path}.using", "an INSERT policy takes only with_check")
        if policy.command in ("select", "delete") and policy.with_check is not None:
            yield Problem(f"{path}.with_check", f"a {policy.command.upper()} policy takes only using")


def _role_cycles(doc: Document) -> Iterator[Problem]:
    """Report each membership edge that closes a loop (a role cannot end up a member of itself)."""
    index = {r.id: ri for ri, r in enumerate(doc.security.roles)}
    parents = {r.id: r.inherits for r in doc.security.roles}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(role_id: str) -> Iterator[Problem]:
        state[role_id] = 1
        for i, parent in enumerate(parents.get(role_id, [])):
            if parent == role_id or parent not in parents:
                continue  # reported elsewhere (self-membership, unknown role)
            if state.get(parent) == 1:
                yield Problem(
                    f"security.roles[{index[role_id]}].inherits[{i}]", f"role membership cycle through {parent!r}"
                )
            elif parent not in state:
                yield from visit(parent)
        state[role_id] = 2

    for role in doc.security.roles:
        if role.id not in state:
            yield from visit(role.id)


NAMING_PLACEHOLDERS = {"table", "columns", "referred_table", "name"}


def _check_naming(doc: Document) -> Iterator[Problem]:
    for field, template in doc.settings.naming.model_dump().items():
        if not isinstance(template, str) or field in ("table_case", "table_number"):
            continue
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        except ValueError as exc:
            yield Problem(f"settings.naming.{field}", f"not a valid template: {exc}")
            continue
        for name in names:
            if name not in NAMING_PLACEHOLDERS:
                allowed = ", ".join(f"{{{p}}}" for p in sorted(NAMING_PLACEHOLDERS))
                yield Problem(f"settings.naming.{field}", f"unknown placeholder {{{name}}}; use {allowed}")
