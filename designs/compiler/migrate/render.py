"""Operations → Alembic operations for one dialect: the shared base (dialects in ``postgres.py``, ``dialects.py``).

Each design operation becomes a few *steps*: an Alembic operation object (``alembic.operations.ops``)
plus whether it must run outside the transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE … ADD VALUE).
``alembic.py`` renders the steps with Alembic's renderer; ``sql.py`` runs them through Alembic's
offline mode. Names and SQL text come from the DDL emitters of the two documents, so a migrated
database matches the new design's DDL applied directly. Operations that remove something read the
old document's emitter; operations that add or change something read the new one's (see ``ops.py``
for why the phase order makes that right).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.operations import ops as aop
from sqlalchemy.schema import CreateIndex

from ..ddl import EMITTERS
from ..ddl.base import Emitter
from ..document import Check, PrimaryKey, Unique
from . import ops as o

if TYPE_CHECKING:
    from . import Plan


@dataclass
class Step:
    """One Alembic operation; ``autocommit`` steps run outside the migration's transaction."""

    op: aop.MigrateOperation
    autocommit: bool = False
    lint_ignore: str | None = None  # a squawk rule this statement breaks on purpose (sql.py says so)
    alone: bool = False  # not forbidden in a transaction, but must not share the migration's (VALIDATE)


# How SQLAlchemy's text() finds a bind parameter; Alembic runs op.execute() strings through text().
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


def execute(sql: str, autocommit: bool = False, lint_ignore: str | None = None, alone: bool = False) -> Step:
    """A statement as written. A ``:name`` inside it (in a string literal, say) is escaped so
    text() does not take it for a bind parameter; ``::type`` casts are left alone."""
    return Step(aop.ExecuteSQLOp(_BIND.sub(r"\\:\1", sql)), autocommit, lint_ignore, alone)


class Renderer:
    """Shared lookups and the operations every dialect writes alike."""

    dialect: str = ""

    def __init__(self, plan: Plan, safe: bool = True, emitters: dict[int, Emitter] | None = None):
        self.plan = plan
        self.safe = safe
        # Building an emitter settles every name; ``emitters`` lets the upgrade and the downgrade
        # of one plan share the two (keyed by document identity).
        cache = emitters if emitters is not None else {}
        for doc in (plan.old, plan.new):
            if id(doc) not in cache:
                cache[id(doc)] = EMITTERS[self.dialect](doc)
        self.a: Emitter = cache[id(plan.old)]
        self.b: Emitter = cache[id(plan.new)]

    # ---- lookups ---------------------------------------------------------------------------
    def t(self, e: Emitter, table_id: str) -> sa.Table:
        return e.tables[table_id]

    def col(self, e: Emitter, table_id: str, column_id: str) -> sa.Column[Any]:
        return e.tables[table_id].c[column_id]

    def index(self, e: Emitter, index_id: str) -> sa.Index | None:
        return next((built for idx, built in e.indexes if idx.id == index_id), None)

    def fk(self, e: Emitter, rel_id: str) -> sa.ForeignKeyConstraint | None:
        return next((fk for rel, fk in e.foreign_keys if rel.id == rel_id), None)

    def constraint(self, e: Emitter, table_id: str, c: Unique | Check | PrimaryKey) -> sa.Constraint | None:
        t = e.tables[table_id]
        if isinstance(c, PrimaryKey):
            return t.primary_key
        for built in t.constraints:
            unique = isinstance(c, Unique) and isinstance(built, sa.UniqueConstraint)
            if unique and [x.key for x in built.columns] == c.columns:  # type: ignore[attr-defined,union-attr]
                return built
            check = isinstance(c, Check) and isinstance(built, sa.CheckConstraint)
            if check and str(built.sqltext) == c.expression:  # type: ignore[attr-defined,union-attr]
                return built
        return None

    def ref(self, t: sa.Table) -> str:
        return self.b.preparer.format_table(t)

    def q(self, name: str) -> str:
        return self.b.quote(name)

    def compile(self, e: Emitter, element: Any) -> str:
        return e.compile(element)

    def type_sql(self, column: sa.Column[Any]) -> str:
        return str(column.type.compile(dialect=self.b.dialect))

    def default_sql(self, column: sa.Column[Any]) -> str | None:
        compiler = self.b.dialect.ddl_compiler(self.b.dialect, None)  # type: ignore[arg-type]
        return compiler.get_column_default_string(column)

    # ---- entry -----------------------------------------------------------------------------
    def steps(self) -> list[Step]:
        out: list[Step] = self.preamble()
        for op in self.plan.ops:
            handler: Callable[[Any], list[Step]] | None = getattr(self, f"r_{op.kind}", None)
            if handler is None:
                continue
            out.extend(handler(op))
        return out

    def preamble(self) -> list[Step]:
        return []

    def outside_before(self) -> list[str]:
        """Statements a plain SQL script runs before any transaction (SQLite's foreign_keys pragma)."""
        return []

    def outside_after(self) -> list[str]:
        return []

    # ---- operations written the same way everywhere ----------------------------------------
    def table_for_create(self, table_id: str) -> sa.Table:
        """A copy of the new table without its foreign keys (they are added after every table exists)."""
        t = self.b.tables[table_id]
        copy = t.to_metadata(sa.MetaData())
        for fk in list(copy.foreign_key_constraints):
            copy.constraints.discard(fk)
        for column in copy.columns:
            column.foreign_keys.clear()
            # to_metadata moves a schema-less enum type into the table's schema; keep the original.
            column.type = t.c[column.key].type
        return copy

    def r_create_table(self, op: o.CreateTable) -> list[Step]:
        return [Step(aop.CreateTableOp.from_table(self.table_for_create(op.table.id)))]

    def r_drop_table(self, op: o.DropTable) -> list[Step]:
        t = self.t(self.a, op.table.id)
        return [Step(aop.DropTableOp(t.name, schema=t.schema))]

    def r_rename_table(self, op: o.RenameTable) -> list[Step]:
        a, b = self.t(self.a, op.old.id), self.t(self.b, op.new.id)
        out = []
        if a.schema != b.schema:
            out.append(execute(f"ALTER TABLE {self.ref(a)} SET SCHEMA {self.q(b.schema or 'public')}"))
        if a.name != b.name:
            out.append(Step(aop.RenameTableOp(a.name, b.name, schema=b.schema)))
        return out

    def r_add_column(self, op: o.AddColumn) -> list[Step]:
        t = self.t(self.b, op.table.id)
        column = t.c[op.column.id]._copy()
        column.key = column.name
        return [Step(aop.AddColumnOp(t.name, column, schema=t.schema))]

    def r_drop_column(self, op: o.DropColumn) -> list[Step]:
        t = self.t(self.b, op.table.id)
        return [Step(aop.DropColumnOp(t.name, self.col(self.a, op.table.id, op.column.id).name, schema=t.schema))]

    def r_rename_column(self, op: o.RenameColumn) -> list[Step]:
        t = self.t(self.b, op.table.id)
        a, b = self.col(self.a, op.table.id, op.old.id), self.col(self.b, op.table.id, op.new.id)
        if a.name == b.name:
            return []
        return [Step(aop.AlterColumnOp(t.name, a.name, schema=t.schema, modify_name=b.name, **self.existing(a)))]

    def existing(self, column: sa.Column[Any]) -> dict[str, Any]:
        """What MySQL's CHANGE/MODIFY must restate so it keeps type, nullability, default and comment."""
        return {}

    def r_set_table_comment(self, op: o.SetTableComment) -> list[Step]:
        t = self.t(self.b, op.table.id)
        if op.new is None:
            return [Step(aop.DropTableCommentOp(t.name, schema=t.schema, existing_comment=op.old))]
        return [Step(aop.CreateTableCommentOp(t.name, op.new, schema=t.schema, existing_comment=op.old))]

    def r_add_index(self, op: o.AddIndex) -> list[Step]:
        built = self.index(self.b, op.index.id)
        return [execute(self.compile(self.b, CreateIndex(built)))] if built is not None else []

    def r_drop_constraint(self, op: o.DropConstraint) -> list[Step]:
        built = self.constraint(self.a, op.table.id, op.constraint)
        if built is None:
            return []
        t = self.t(self.a, op.table.id)
        kind = {sa.PrimaryKeyConstraint: "primary", sa.UniqueConstraint: "unique"}.get(type(built), "check")
        return [Step(aop.DropConstraintOp(str(built.name), t.name, type_=kind, schema=t.schema))]

    def r_drop_foreign_key(self, op: o.DropForeignKey) -> list[Step]:
        fk = self.fk(self.a, op.relationship.id)
        if fk is None:
            return []
        t = self.t(self.a, op.relationship.from_table)
        return [Step(aop.DropConstraintOp(str(fk.name), t.name, type_="foreignkey", schema=t.schema))]
