"""Migration operations: plain objects that say what changes, by stable id, with ``reverse()``.

An operation holds the design objects it is about (the old and/or the new version), never SQL: the
renderers (``render.py`` per dialect, then ``alembic.py`` or ``sql.py``) decide how each one is
written. ``reverse()`` gives the operation that undoes it, so a downgrade is derived, never written.

Every operation belongs to a *phase*; a plan is always sorted by phase, in both directions. The
phases put drops before renames and creations after them, so an operation that removes something
always sees the old names and one that adds or changes something always sees the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ..document import Check, Column, Enum, Index, Partition, Policy, PrimaryKey, Relationship, RowLevelSecurity, Unique
from ..document import Table as DocTable


@dataclass(frozen=True)
class Hazard:
    """Something dangerous about an operation, and the safer way when there is one."""

    kind: str  # data_loss | data_dependent | incompatible | lock | unsupported
    message: str
    safe_alternative: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "safe_alternative": self.safe_alternative}


@dataclass(frozen=True)
class Op:
    """Base class. ``phase`` orders a plan; ``table_id`` says which table (if any) is touched."""

    phase: ClassVar[int] = 0

    def reverse(self) -> Op:
        raise NotImplementedError

    @property
    def kind(self) -> str:
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    @property
    def hazards(self) -> list[Hazard]:
        from .hazards import hazards_of

        return hazards_of(self)

    def describe(self) -> str:
        from .hazards import describe

        return describe(self)


# ---- schemas ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateSchema(Op):
    """A schema the new design puts a table or type in, missing before (PostgreSQL only)."""

    phase: ClassVar[int] = 5
    name: str

    def reverse(self) -> Op:
        return DropSchema(self.name)


@dataclass(frozen=True)
class DropSchema(Op):
    phase: ClassVar[int] = 95
    name: str

    def reverse(self) -> Op:
        return CreateSchema(self.name)


# ---- enums -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateEnum(Op):
    phase: ClassVar[int] = 10
    enum: Enum

    def reverse(self) -> Op:
        return DropEnum(self.enum)


@dataclass(frozen=True)
class DropEnum(Op):
    phase: ClassVar[int] = 90
    enum: Enum

    def reverse(self) -> Op:
        return CreateEnum(self.enum)


@dataclass(frozen=True)
class AlterEnum(Op):
    """A rename and/or new values. Values only added run first; anything else rebuilds the type last."""

    old: Enum
    new: Enum

    @property
    def only_adds(self) -> bool:
        it = iter(self.new.values)
        return all(v in it for v in self.old.values)  # old values are a subsequence of the new

    @property
    def phase(self) -> int:  # type: ignore[override]
        return 11 if self.only_adds else 91

    def reverse(self) -> Op:
        return AlterEnum(self.new, self.old)


# ---- tables ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateTable(Op):
    phase: ClassVar[int] = 40
    table: DocTable

    def reverse(self) -> Op:
        return DropTable(self.table)


@dataclass(frozen=True)
class DropTable(Op):
    phase: ClassVar[int] = 50
    table: DocTable

    def reverse(self) -> Op:
        return CreateTable(self.table)


@dataclass(frozen=True)
class RenameTable(Op):
    phase: ClassVar[int] = 30
    old: DocTable
    new: DocTable

    def reverse(self) -> Op:
        return RenameTable(self.new, self.old)


@dataclass(frozen=True)
class SetTableComment(Op):
    phase: ClassVar[int] = 70
    table: DocTable
    old: str | None
    new: str | None

    def reverse(self) -> Op:
        return SetTableComment(self.table, self.new, self.old)


@dataclass(frozen=True)
class SetRowLevelSecurity(Op):
    phase: ClassVar[int] = 68
    table: DocTable
    old: RowLevelSecurity
    new: RowLevelSecurity

    def reverse(self) -> Op:
        return SetRowLevelSecurity(self.table, self.new, self.old)


@dataclass(frozen=True)
class AddPartition(Op):
    phase: ClassVar[int] = 45
    table: DocTable
    partition: Partition

    def reverse(self) -> Op:
        return DropPartition(self.table, self.partition)


@dataclass(frozen=True)
class DropPartition(Op):
    phase: ClassVar[int] = 44
    table: DocTable
    partition: Partition

    def reverse(self) -> Op:
        return AddPartition(self.table, self.partition)


# ---- columns -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddColumn(Op):
    phase: ClassVar[int] = 41
    table: DocTable
    column: Column

    def reverse(self) -> Op:
        return DropColumn(self.table, self.column)


@dataclass(frozen=True)
class DropColumn(Op):
    phase: ClassVar[int] = 43
    table: DocTable
    column: Column

    def reverse(self) -> Op:
        return AddColumn(self.table, self.column)


@dataclass(frozen=True)
class RenameColumn(Op):
    phase: ClassVar[int] = 31
    table: DocTable
    old: Column
    new: Column

    def reverse(self) -> Op:
        return RenameColumn(self.table, self.new, self.old)


@dataclass(frozen=True)
class AlterColumn(Op):
    """Type, nullability, default, comment and/or identity of one column (the name is RenameColumn's)."""

    phase: ClassVar[int] = 42
    table: DocTable
    old: Column
    new: Column
    changes: tuple[str, ...] = field(default=())

    def reverse(self) -> Op:
        return AlterColumn(self.table, self.new, self.old, self.changes)


# ---- indexes and constraints ---------------------------------------------------------------------
@dataclass(frozen=True)
class AddIndex(Op):
    """``with_table``: the table is created in the same plan, so no CONCURRENTLY is needed."""

    phase: ClassVar[int] = 62
    table: DocTable
    index: Index
    with_table: bool = False

    def reverse(self) -> Op:
        return DropIndex(self.table, self.index, self.with_table)


@dataclass(frozen=True)
class DropIndex(Op):
    """``with_table``: the table is dropped in the same plan and takes the index with it."""

    phase: ClassVar[int] = 22
    table: DocTable
    index: Index
    with_table: bool = False

    def reverse(self) -> Op:
        return AddIndex(self.table, self.index, self.with_table)


@dataclass(frozen=True)
class RenameIndex(Op):
    phase: ClassVar[int] = 32
    table: DocTable
    old: Index
    new: Index

    def reverse(self) -> Op:
        return RenameIndex(self.table, self.new, self.old)


@dataclass(frozen=True)
class ReplaceIndex(Op):
    """The index definition changed: the new one is built before the old one is dropped."""

    phase: ClassVar[int] = 63
    table: DocTable
    old: Index
    new: Index

    def reverse(self) -> Op:
        return ReplaceIndex(self.table, self.new, self.old)


@dataclass(frozen=True)
class SetIndexComment(Op):
    phase: ClassVar[int] = 71
    table: DocTable
    index: Index
    old: str | None
    new: str | None

    def reverse(self) -> Op:
        return SetIndexComment(self.table, self.index, self.new, self.old)


Constraint = Unique | Check | PrimaryKey


@dataclass(frozen=True)
class AddConstraint(Op):
    """A primary key, unique or check on ``table``. ``with_table``: created with the table."""

    phase: ClassVar[int] = 60
    table: DocTable
    constraint: Constraint
    with_table: bool = False

    def reverse(self) -> Op:
        return DropConstraint(self.table, self.constraint, self.with_table)


@dataclass(frozen=True)
class DropConstraint(Op):
    phase: ClassVar[int] = 21
    table: DocTable
    constraint: Constraint
    with_table: bool = False

    def reverse(self) -> Op:
        return AddConstraint(self.table, self.constraint, self.with_table)


@dataclass(frozen=True)
class RenameConstraint(Op):
    phase: ClassVar[int] = 33
    table: DocTable
    old: Unique | Check | PrimaryKey
    new: Unique | Check | PrimaryKey

    def reverse(self) -> Op:
        return RenameConstraint(self.table, self.new, self.old)


@dataclass(frozen=True)
class AddForeignKey(Op):
    phase: ClassVar[int] = 65
    relationship: Relationship
    with_table: bool = False

    def reverse(self) -> Op:
        return DropForeignKey(self.relationship, self.with_table)


@dataclass(frozen=True)
class DropForeignKey(Op):
    phase: ClassVar[int] = 20
    relationship: Relationship
    with_table: bool = False

    def reverse(self) -> Op:
        return AddForeignKey(self.relationship, self.with_table)


@dataclass(frozen=True)
class RenameForeignKey(Op):
    phase: ClassVar[int] = 34
    old: Relationship
    new: Relationship

    def reverse(self) -> Op:
        return RenameForeignKey(self.new, self.old)


# ---- security ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreatePolicy(Op):
    phase: ClassVar[int] = 69
    policy: Policy

    def reverse(self) -> Op:
        return DropPolicy(self.policy)


@dataclass(frozen=True)
class DropPolicy(Op):
    phase: ClassVar[int] = 19
    policy: Policy

    def reverse(self) -> Op:
        return CreatePolicy(self.policy)


@dataclass(frozen=True)
class RenamePolicy(Op):
    phase: ClassVar[int] = 35
    old: Policy
    new: Policy

    def reverse(self) -> Op:
        return RenamePolicy(self.new, self.old)


def with_changes(op: AlterColumn, changes: tuple[str, ...]) -> AlterColumn:
    return replace(op, changes=changes)
