"""Compare two design documents by stable id → a list of operations.

Objects are matched by id, never by name: the same id with a new name is a rename, an id that
disappears is a drop. Generated constraint and index names (from the naming convention) change when
their table or columns are renamed, so those get a rename too; the renderer skips a rename whose
resolved names turn out equal on its dialect.
"""

from __future__ import annotations

from typing import Any

from ..document import Column, Document, Index, PrimaryKey, Relationship, Table
from . import ops as o


def _dump(model: Any, *exclude: str) -> Any:
    return model.model_dump(mode="json", exclude=set(exclude)) if model is not None else None


def _by_id(items: list[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def compare(old: Document, new: Document) -> tuple[list[o.Op], list[str]]:
    """The operations that turn ``old`` into ``new``, and notes on changes no operation carries."""
    out: list[o.Op] = []
    notes: list[str] = []
    old_tables, new_tables = _by_id(old.tables), _by_id(new.tables)
    old_schemas, new_schemas = _schemas(old), _schemas(new)
    out.extend(o.CreateSchema(name) for name in new_schemas if name not in old_schemas)
    out.extend(o.DropSchema(name) for name in old_schemas if name not in new_schemas)

    for enum_id, enum in _by_id(new.enums).items():
        before = old.enum(enum_id)
        if before is None:
            out.append(o.CreateEnum(enum))
        elif (before.name, before.schema_, before.values, before.comment) != (
            enum.name,
            enum.schema_,
            enum.values,
            enum.comment,
        ):
            out.append(o.AlterEnum(before, enum))
    out.extend(o.DropEnum(e) for e in old.enums if new.enum(e.id) is None)

    for table_id, table in new_tables.items():
        before = old_tables.get(table_id)
        if before is None:
            out.extend(_created(table))
        else:
            out.extend(_table(before, table, old, new, notes))
    for table_id, table in old_tables.items():
        if table_id not in new_tables:
            out.extend(o.DropIndex(table, i, with_table=True) for i in table.indexes)
            out.append(o.DropTable(table))

    out.extend(_relationships(old, new))
    out.extend(_policies(old, new, _retyped_tables(out)))
    notes.extend(_unsupported(old, new))
    return out, notes


def _schemas(doc: Document) -> list[str]:
    """The schemas a design's tables and types live in, besides ``public``, in order of first use."""
    default = doc.settings.default_schema
    names = [t.schema_ or default for t in doc.tables] + [e.schema_ or default for e in doc.enums]
    return [n for n in dict.fromkeys(names) if n != "public"]


def _created(table: Table) -> list[o.Op]:
    # Row-level security and index comments come with CreateTable and AddIndex themselves, so
    # the reverse of a DropTable restores them too.
    out: list[o.Op] = [o.CreateTable(table)]
    out.extend(o.AddIndex(table, i, with_table=True) for i in table.indexes)
    return out


def _names_moved(old_table: Table, new_table: Table, old_cols: list[str], new_cols: list[str]) -> bool:
    """Whether a generated name's inputs changed: the table's name or its columns' names."""

    def names(table: Table, ids: list[str]) -> list[str]:
        return [c.name for i in ids if (c := table.column(i)) is not None]

    return old_table.name != new_table.name or names(old_table, old_cols) != names(new_table, new_cols)


def _table(old: Table, new: Table, old_doc: Document, new_doc: Document, notes: list[str]) -> list[o.Op]:
    out: list[o.Op] = []
    if (old.name, old.schema_) != (new.name, new.schema_):
        out.append(o.RenameTable(old, new))
    if old.comment != new.comment:
        out.append(o.SetTableComment(new, old.comment, new.comment))
    if old.rls != new.rls:
        out.append(o.SetRowLevelSecurity(new, old.rls, new.rls))
    out.extend(_columns(old, new))
    out.extend(_primary_key(old, new))
    for kind in ("uniques", "checks"):
        before, after = _by_id(getattr(old, kind)), _by_id(getattr(new, kind))
        for cid, c in after.items():
            b = before.get(cid)
            if b is None:
                out.append(o.AddConstraint(new, c))
            elif _dump(b, "name") != _dump(c, "name"):
                out.extend([o.DropConstraint(old, b), o.AddConstraint(new, c)])
            elif b.name != c.name or (
                c.name is None and _names_moved(old, new, getattr(b, "columns", []), getattr(c, "columns", []))
            ):
                out.append(o.RenameConstraint(new, b, c))
        out.extend(o.DropConstraint(old, b) for cid, b in before.items() if cid not in after)
    out.extend(_indexes(old, new))
    out.extend(_partitions(old, new, notes))
    return out


def _columns(old: Table, new: Table) -> list[o.Op]:
    out: list[o.Op] = []
    before = _by_id(old.columns)
    for column in new.columns:
        b: Column | None = before.get(column.id)
        if b is None:
            out.append(o.AddColumn(new, column))
            continue
        if b.name != column.name:
            out.append(o.RenameColumn(new, b, column))
        if _dump(b.generated) != _dump(column.generated):
            # A generation expression cannot be altered in place on every engine: drop and add.
            out.extend([o.DropColumn(old, b), o.AddColumn(new, column)])
            continue
        changes = []
        if _dump(b.type) != _dump(column.type) or b.collation != column.collation:
            changes.append("type")
        if _dump(b.default) != _dump(column.default):
            changes.append("default")
        if b.nullable != column.nullable:
            changes.append("nullable")
        if _dump(b.identity) != _dump(column.identity):
            changes.append("identity")
        if b.comment != column.comment:
            changes.append("comment")
        if changes:
            out.append(o.AlterColumn(new, b, column, tuple(changes)))
    ids = {c.id for c in new.columns}
    out.extend(o.DropColumn(old, c) for c in old.columns if c.id not in ids)
    return out


def _primary_key(old: Table, new: Table) -> list[o.Op]:
    a, b = old.primary_key, new.primary_key
    if a is None and b is None:
        return []
    if a is None:
        assert b is not None
        return [o.AddConstraint(new, b)]
    if b is None:
        return [o.DropConstraint(old, a)]
    if a.columns != b.columns:
        return [o.DropConstraint(old, a), o.AddConstraint(new, b)]
    if a.name != b.name or (b.name is None and _names_moved(old, new, a.columns, b.columns)):
        return [o.RenameConstraint(new, a, b)]
    return []


def _indexes(old: Table, new: Table) -> list[o.Op]:
    out: list[o.Op] = []
    before: dict[str, Index] = _by_id(old.indexes)
    for index in new.indexes:
        b = before.get(index.id)
        if b is None:
            out.append(o.AddIndex(new, index))
            continue
        if _dump(b, "name", "comment") != _dump(index, "name", "comment"):
            out.append(o.ReplaceIndex(new, b, index))
            continue
        else:
            cols_b = [k.column for k in b.columns if k.column]
            cols_n = [k.column for k in index.columns if k.column]
            if b.name != index.name or (index.name is None and _names_moved(old, new, cols_b, cols_n)):
                out.append(o.RenameIndex(new, b, index))
        if b.comment != index.comment:
            out.append(o.SetIndexComment(new, index, b.comment, index.comment))
    ids = {i.id for i in new.indexes}
    out.extend(o.DropIndex(old, i) for i in old.indexes if i.id not in ids)
    return out


def _partitions(old: Table, new: Table, notes: list[str]) -> list[o.Op]:
    a, b = old.partitioning, new.partitioning
    if a is None or b is None:
        if a != b:
            notes.append(f"table {new.name!r}: partitioning turned on or off; rebuild the table by hand")
        return []
    if (a.strategy, _dump_list(a.key)) != (b.strategy, _dump_list(b.key)):
        notes.append(f"table {new.name!r}: the partition key changed; rebuild the table by hand")
        return []
    out: list[o.Op] = []
    before = _by_id(a.partitions)
    for part in b.partitions:
        p = before.get(part.id)
        if p is None:
            out.append(o.AddPartition(new, part))
        elif _dump(p) != _dump(part):
            out.extend([o.DropPartition(old, p), o.AddPartition(new, part)])
    ids = {p.id for p in b.partitions}
    out.extend(o.DropPartition(old, p) for p in a.partitions if p.id not in ids)
    return out


def _dump_list(items: list[Any]) -> list[Any]:
    return [_dump(i) for i in items]


def _relationships(old: Document, new: Document) -> list[o.Op]:
    out: list[o.Op] = []
    before: dict[str, Relationship] = _by_id(old.relationships)
    fresh = {t.id for t in new.tables} - {t.id for t in old.tables}
    ignored = ("name", "comment", "label", "from_cardinality", "to_cardinality", "identifying")
    for rel in new.relationships:
        b = before.get(rel.id)
        if b is None or not b.from_columns:
            if rel.from_columns:
                out.append(o.AddForeignKey(rel, with_table=rel.from_table in fresh))
            continue
        if not rel.from_columns:
            out.append(o.DropForeignKey(b))
        elif _dump(b, *ignored) != _dump(rel, *ignored):
            out.extend([o.DropForeignKey(b), o.AddForeignKey(rel)])
        else:
            ot, nt = old.table(b.from_table), new.table(rel.from_table)
            assert ot is not None and nt is not None
            moved = _names_moved(ot, nt, b.from_columns, rel.from_columns)
            ref_a, ref_b = old.table(b.to_table), new.table(rel.to_table)
            if rel.name != b.name or (
                rel.name is None and (moved or (ref_a is not None and ref_b is not None and ref_a.name != ref_b.name))
            ):
                out.append(o.RenameForeignKey(b, rel))
    ids = {r.id for r in new.relationships}
    dropped = {t.id for t in old.tables} - {t.id for t in new.tables}
    out.extend(
        o.DropForeignKey(r, with_table=r.from_table in dropped)
        for r in old.relationships
        if r.id not in ids and r.from_columns
    )
    return out


def _retyped_tables(ops: list[o.Op]) -> set[str]:
    return {op.table.id for op in ops if isinstance(op, o.AlterColumn) and "type" in op.changes}


def _policies(old: Document, new: Document, retyped: set[str]) -> list[o.Op]:
    """Policies by id. PostgreSQL cannot change the type of a column a policy reads, so a table
    with a retyped column has its policies dropped first and created again afterwards."""
    out: list[o.Op] = []
    before = _by_id(old.security.policies)
    for policy in new.security.policies:
        b = before.get(policy.id)
        if b is None:
            out.append(o.CreatePolicy(policy))
        elif _dump(b, "name") != _dump(policy, "name") or policy.table in retyped:
            out.extend([o.DropPolicy(b), o.CreatePolicy(policy)])
        elif b.name != policy.name:
            out.append(o.RenamePolicy(b, policy))
    ids = {p.id for p in new.security.policies}
    out.extend(o.DropPolicy(p) for p in old.security.policies if p.id not in ids)
    return out


def _unsupported(old: Document, new: Document) -> list[str]:
    """Changes outside the schema objects migrations manage: said, never silently dropped."""
    notes = []
    if _dump(old.settings.naming) != _dump(new.settings.naming):
        notes.append("the naming convention changed; constraint names follow it only where a rename was planned")
    if old.settings.default_schema != new.settings.default_schema:
        notes.append("the default schema changed; move tables with ALTER TABLE … SET SCHEMA by hand")
    if _dump(old.security, "policies") != _dump(new.security, "policies"):
        notes.append("roles and grants changed; they are not part of a schema migration")
    for table in new.tables:
        before = old.table(table.id)
        was = before.options if before is not None else type(table.options)()
        if _dump(was) != _dump(table.options):
            notes.append(
                f"table {table.name!r}: trigger options (updated_at, audit) changed; triggers and the audit "
                "table are not migrated: take them from the DDL export"
            )
    old_rels = {r.id: r for r in old.relationships}
    for rel in new.relationships:
        b = old_rels.get(rel.id)
        if b is not None and b.comment != rel.comment:
            notes.append(f"relationship {rel.id!r}: its comment is not migrated")
    return notes


__all__ = ["PrimaryKey", "compare"]
