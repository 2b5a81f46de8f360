"""What is dangerous about each operation, in words a reviewer acts on.

Kinds: ``data_loss`` (rows or values are gone), ``data_dependent`` (fails on some existing data),
``incompatible`` (running application code breaks), ``lock`` (blocks writes or rewrites the table),
``unsupported`` (the target cannot do it in place). Each hazard names the safe alternative when
there is one.
"""

from __future__ import annotations

import re

from ..document import Column, PrimaryKey, Unique
from . import ops as o

BIG_TABLE_ROWS = 100_000
# Default expressions PostgreSQL cannot evaluate once for all rows: adding such a column rewrites the table.
VOLATILE = re.compile(r"\b(random|gen_random_uuid|uuid_generate_v\w*|clock_timestamp|nextval|timeofday)\s*\(", re.I)
EXPAND_CONTRACT = (
    "expand/contract: add the new one beside the old, write both from the application, backfill, "
    "switch reads, then drop the old one in a later release"
)


def _label(op: o.Op) -> str:
    return type(op).__name__


def describe(op: o.Op) -> str:
    """One line saying what the operation does, with names from the design."""
    if isinstance(op, o.CreateSchema | o.DropSchema):
        return f"{_label(op)} {op.name}"
    if isinstance(op, o.CreateTable | o.DropTable):
        return f"{_label(op)} {op.table.name}"
    if isinstance(op, o.RenameTable):
        return f"RenameTable {op.old.name} → {op.new.name}"
    if isinstance(op, o.AddColumn | o.DropColumn):
        return f"{_label(op)} {op.table.name}.{op.column.name}"
    if isinstance(op, o.RenameColumn):
        return f"RenameColumn {op.table.name}.{op.old.name} → {op.new.name}"
    if isinstance(op, o.AlterColumn):
        return f"AlterColumn {op.table.name}.{op.new.name} ({', '.join(op.changes)})"
    if isinstance(op, o.AddIndex | o.DropIndex):
        return f"{_label(op)} {op.index.name or op.index.id} on {op.table.name}"
    if isinstance(op, o.RenameIndex | o.ReplaceIndex):
        return f"{_label(op)} {op.old.name or op.old.id} on {op.table.name}"
    if isinstance(op, o.AddConstraint | o.DropConstraint):
        return f"{_label(op)} {_constraint_kind(op.constraint)} on {op.table.name}"
    if isinstance(op, o.RenameConstraint):
        return f"RenameConstraint {_constraint_kind(op.new)} on {op.table.name}"
    if isinstance(op, o.AddForeignKey | o.DropForeignKey):
        return f"{_label(op)} {op.relationship.name or op.relationship.id}"
    if isinstance(op, o.CreateEnum | o.DropEnum):
        return f"{_label(op)} {op.enum.name}"
    if isinstance(op, o.AlterEnum):
        return f"AlterEnum {op.old.name} ({', '.join(op.old.values)}) → {op.new.name} ({', '.join(op.new.values)})"
    if isinstance(op, o.CreatePolicy | o.DropPolicy):
        return f"{_label(op)} {op.policy.name}"
    if isinstance(op, o.RenamePolicy):
        return f"RenamePolicy {op.old.name} → {op.new.name}"
    if isinstance(op, o.AddPartition | o.DropPartition):
        return f"{_label(op)} {op.partition.name} of {op.table.name}"
    if isinstance(op, o.SetTableComment | o.SetRowLevelSecurity | o.SetIndexComment):
        return f"{_label(op)} on {op.table.name}"
    return _label(op)


def _constraint_kind(c: object) -> str:
    if isinstance(c, PrimaryKey):
        return "primary key"
    if isinstance(c, Unique):
        return f"unique {c.name or c.id}"
    return f"check {getattr(c, 'name', None) or getattr(c, 'id', '')}"


def _big(table: object) -> bool:
    rows = getattr(table, "estimated_rows", None)
    return rows is not None and rows >= BIG_TABLE_ROWS


def hazards_of(op: o.Op) -> list[o.Hazard]:
    """Every hazard ``op`` carries (an empty list for a safe operation)."""
    H = o.Hazard
    if isinstance(op, o.DropTable):
        return [
            H("data_loss", f"dropping table {op.table.name} deletes all its rows"),
            H("incompatible", f"code still reading {op.table.name} fails", "stop using the table in a release first"),
        ]
    if isinstance(op, o.DropColumn):
        return [
            H("data_loss", f"dropping {op.table.name}.{op.column.name} deletes its values"),
            H(
                "incompatible",
                f"code still reading {op.table.name}.{op.column.name} fails",
                "stop using the column in a release first",
            ),
        ]
    if isinstance(op, o.RenameTable | o.RenameColumn):
        what = "table" if isinstance(op, o.RenameTable) else "column"
        return [H("incompatible", f"running code still uses the old {what} name {op.old.name!r}", EXPAND_CONTRACT)]
    if isinstance(op, o.AddColumn):
        return _add_column(op)
    if isinstance(op, o.AlterColumn):
        return _alter_column(op)
    if isinstance(op, o.AddConstraint) and not op.with_table:
        c = op.constraint
        if isinstance(c, Unique | PrimaryKey):
            return [
                H(
                    "data_dependent",
                    f"the new {_constraint_kind(c)} on {op.table.name} fails if existing rows hold duplicates",
                    "deduplicate first; on PostgreSQL the index is built CONCURRENTLY",
                )
            ]
        return [
            H(
                "data_dependent",
                f"the new {_constraint_kind(c)} on {op.table.name} fails on existing rows that break it",
                "added NOT VALID, then validated without blocking writes",
            )
        ]
    if isinstance(op, o.AddForeignKey) and not op.with_table:
        return [
            H(
                "data_dependent",
                f"foreign key {op.relationship.name or op.relationship.id} fails on orphaned rows",
                "added NOT VALID, then validated without blocking writes",
            )
        ]
    if isinstance(op, o.DropConstraint | o.DropForeignKey) and not op.with_table:
        what = describe(op).split(" ", 1)[1]
        return [H("incompatible", f"{what}: code relying on the guarantee it gave may now store bad data")]
    if isinstance(op, o.DropForeignKey):
        return [H("incompatible", f"foreign key {op.relationship.name or op.relationship.id} goes with its table")]
    if isinstance(op, o.RenameIndex | o.RenameConstraint | o.RenameForeignKey | o.RenamePolicy):
        return [
            H(
                "incompatible",
                f"{describe(op)}: anything naming it by its old name (hints, error handling, scripts) breaks",
            )
        ]
    if isinstance(op, o.AlterEnum) and op.old.name != op.new.name and op.only_adds:
        return [H("incompatible", f"code naming type {op.old.name} (casts, functions) breaks")]
    if isinstance(op, o.DropEnum):
        return [H("incompatible", f"code still using enum {op.enum.name} fails")]
    if isinstance(op, o.AlterEnum) and not op.only_adds:
        gone = [v for v in op.old.values if v not in op.new.values]
        return [
            H("data_dependent", f"enum {op.new.name} loses {', '.join(gone) or 'its order'}; rows holding it fail"),
            H("lock", f"every column of type {op.new.name} is rewritten"),
            H("incompatible", f"the type is replaced; running code writing {', '.join(gone) or 'values'} fails"),
        ]
    if isinstance(op, o.DropPartition):
        return [H("data_loss", f"dropping partition {op.partition.name} deletes its rows")]
    if isinstance(op, o.DropPolicy | o.SetRowLevelSecurity):
        return [H("incompatible", "row visibility changes for running code")]
    return []


def _add_column(op: o.AddColumn) -> list[o.Hazard]:
    c: Column = op.column
    out: list[o.Hazard] = []
    if not c.nullable and c.default is None and c.identity is None and c.generated is None:
        out.append(
            o.Hazard(
                "data_dependent",
                f"{op.table.name}.{c.name} is NOT NULL without a default: adding it fails if the table has rows",
                "add it nullable, backfill, then set NOT NULL; or give it a default",
            )
        )
    volatile = c.default is not None and c.default.kind == "expression" and VOLATILE.search(str(c.default.value))
    if volatile or c.identity is not None or c.generated is not None:
        out.append(
            o.Hazard(
                "lock",
                f"adding {op.table.name}.{c.name} rewrites the table under an exclusive lock",
                "add it without the default, set the default, then backfill in batches",
            )
        )
    return out


def _alter_column(op: o.AlterColumn) -> list[o.Hazard]:
    out: list[o.Hazard] = []
    where = f"{op.table.name}.{op.new.name}"
    if "type" in op.changes:
        out.append(
            o.Hazard(
                "lock",
                f"changing the type of {where} rewrites the table under an exclusive lock",
                EXPAND_CONTRACT.replace("one", "column"),
            )
        )
        out.append(o.Hazard("data_dependent", f"existing values of {where} must convert to the new type"))
        out.append(o.Hazard("incompatible", f"running code may still write the old type to {where}"))
    if "nullable" in op.changes and not op.new.nullable:
        if op.new.default is not None:
            batches = " in batches" if _big(op.table) else ""
            out.append(
                o.Hazard(
                    "data_dependent",
                    f"existing NULLs in {where} are backfilled{batches} with its default before NOT NULL is set",
                )
            )
        else:
            out.append(
                o.Hazard(
                    "data_dependent",
                    f"setting {where} NOT NULL fails on existing NULLs (the design gives no default to backfill)",
                    "give the column a default, or backfill before migrating",
                )
            )
        out.append(o.Hazard("incompatible", f"running code that writes NULL to {where} fails"))
    if "identity" in op.changes:
        if op.new.identity is not None and op.old.identity is None:
            out.append(o.Hazard("data_dependent", f"{where} becomes an identity; it must be NOT NULL"))
        out.append(o.Hazard("lock", f"changing the identity of {where} takes an exclusive lock on {op.table.name}"))
    if "default" in op.changes and op.new.default is None:
        out.append(o.Hazard("incompatible", f"inserts that leave out {where} stored its default; now NULL or an error"))
    if "nullable" in op.changes and op.new.nullable:
        out.append(o.Hazard("incompatible", f"code reading {where} may now get NULLs"))
    return out
