"""MySQL/MariaDB and SQLite renderers, and ``renderer()`` that picks one by dialect name.

MySQL: DDL commits itself, so there is no transaction to stay out of; a column change is one
MODIFY that restates the column's type, nullability, default and comment (Alembic's ``existing_*``),
so nothing the change did not mean to touch is lost. SQLite can alter little in place: a table whose
columns or constraints change is rebuilt (new table, copy, drop, rename), with foreign-key
enforcement off around the script, the way SQLite's documentation prescribes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.operations import ops as aop
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable
from sqlalchemy.sql.elements import TextClause

from ..ddl.base import Emitter
from ..document import Check, PrimaryKey, Unique
from . import ops as o
from .batch import RebuildTableOp
from .postgres import PostgresRenderer
from .render import Renderer, Step, execute

if TYPE_CHECKING:
    from . import Plan


class MysqlRenderer(Renderer):
    dialect = "mysql"

    def preamble(self) -> list[Step]:
        if not self.plan.ops:
            return []
        # The emitter's own preamble: ANSI_QUOTES when the design's expressions quote with ".
        out = [execute(s) for s in self.b.preamble()]
        if self.safe:
            # Fail fast rather than queue behind a long transaction (and block everything behind us).
            out.append(execute("SET SESSION lock_wait_timeout = 5"))
        return out

    def existing(self, column: sa.Column[Any]) -> dict[str, Any]:
        return {
            "existing_type": column.type,
            "existing_nullable": column.nullable,
            "existing_server_default": column.server_default if column.server_default is not None else False,
            "existing_comment": column.comment,
            "existing_autoincrement": column.autoincrement is True,
        }

    def modify(self, t: sa.Table, old: sa.Column[Any], new: sa.Column[Any]) -> Step:
        """One MODIFY restating the whole new column."""
        return Step(
            aop.AlterColumnOp(
                t.name,
                old.name,
                schema=t.schema,
                modify_type=new.type,
                modify_nullable=new.nullable,
                modify_server_default=new.server_default if new.server_default is not None else None,
                modify_comment=new.comment,  # None removes it
                autoincrement=new.autoincrement is True,
                **self.existing(old),
            )
        )

    def r_alter_enum(self, op: o.AlterEnum) -> list[Step]:
        # MySQL enums live in the column: restate each column holding the type. Added values run
        # early, while columns still have their old names and definitions; a rebuild runs last.
        early = op.only_adds
        names = self.a if early else self.b
        doc = self.plan.old if early else self.plan.new
        out = []
        for table in doc.tables:
            if table.id not in self.b.tables:
                continue
            for column in table.columns:
                if (
                    column.type.name != "enum"
                    or column.type.enum != op.old.id
                    or column.id not in self.b.tables[table.id].c
                ):
                    continue
                current = names.tables[table.id].c[column.id]
                new = current._copy()
                new.type = self.b.enum_types[op.new.id]
                out.append(self.modify(names.tables[table.id], current, new))
        return out

    def r_alter_column(self, op: o.AlterColumn) -> list[Step]:
        t = self.t(self.b, op.table.id)
        old, new = self.col(self.a, op.table.id, op.old.id), t.c[op.new.id]
        old = old._copy()
        old.name = new.name  # renamed already (phase order)
        out = []
        if "nullable" in op.changes and not op.new.nullable and new.server_default is not None:
            default = self.default_sql(new)
            q = self.q(new.name)
            out.append(execute(f"UPDATE {self.ref(t)} SET {q} = {default} WHERE {q} IS NULL"))  # noqa: S608
        out.append(self.modify(t, old, new))
        return out

    def r_drop_index(self, op: o.DropIndex) -> list[Step]:
        built = self.index(self.a, op.index.id)
        if built is None or op.with_table:
            return []
        t = self.t(self.a, op.table.id)
        return [Step(aop.DropIndexOp(str(built.name), table_name=t.name, schema=t.schema))]

    def r_rename_index(self, op: o.RenameIndex) -> list[Step]:
        a, b = self.index(self.a, op.old.id), self.index(self.b, op.new.id)
        if a is None or b is None or a.name == b.name:
            return []
        t = self.ref(self.t(self.b, op.table.id))
        return [execute(f"ALTER TABLE {t} RENAME INDEX {self.q(str(a.name))} TO {self.q(str(b.name))}")]

    def r_replace_index(self, op: o.ReplaceIndex) -> list[Step]:
        return self.r_drop_index(o.DropIndex(op.table, op.old)) + self.r_add_index(o.AddIndex(op.table, op.new))

    def r_add_constraint(self, op: o.AddConstraint) -> list[Step]:
        built = self.constraint(self.b, op.table.id, op.constraint)
        return [execute(self.compile(self.b, AddConstraint(built)))] if built is not None else []

    def r_drop_constraint(self, op: o.DropConstraint) -> list[Step]:
        if not isinstance(op.constraint, Check):
            return super().r_drop_constraint(op)
        built = self.constraint(self.a, op.table.id, op.constraint)
        if built is None:
            return []
        # DROP CONSTRAINT, which MariaDB and MySQL 8 both read (Alembic writes MySQL's DROP CHECK).
        return [
            execute(f"ALTER TABLE {self.ref(self.t(self.a, op.table.id))} DROP CONSTRAINT {self.q(str(built.name))}")
        ]

    def r_rename_constraint(self, op: o.RenameConstraint) -> list[Step]:
        a, b = self.constraint(self.a, op.table.id, op.old), self.constraint(self.b, op.table.id, op.new)
        if a is None or b is None or a.name == b.name:
            return []
        t = self.t(self.b, op.table.id)
        if isinstance(op.new, Unique):
            return [execute(f"ALTER TABLE {self.ref(t)} RENAME INDEX {self.q(str(a.name))} TO {self.q(str(b.name))}")]
        if isinstance(op.new, PrimaryKey):
            return []  # MySQL calls every primary key PRIMARY
        return [
            execute(f"ALTER TABLE {self.ref(t)} DROP CONSTRAINT {self.q(str(a.name))}"),
            execute(self.compile(self.b, AddConstraint(b))),
        ]

    def r_drop_foreign_key(self, op: o.DropForeignKey) -> list[Step]:
        out = super().r_drop_foreign_key(op)
        fk = self.fk(self.a, op.relationship.id)
        if fk is not None and not op.with_table and not served(fk):
            # InnoDB made an index for the key, named after it, since none served it; it outlives the key.
            t = self.ref(self.t(self.a, op.relationship.from_table))
            out.append(execute(f"ALTER TABLE {t} DROP INDEX {self.q(str(fk.name))}"))
        return out

    def r_add_foreign_key(self, op: o.AddForeignKey) -> list[Step]:
        fk = self.fk(self.b, op.relationship.id)
        return [execute(self.compile(self.b, AddConstraint(fk)))] if fk is not None else []

    def r_rename_foreign_key(self, op: o.RenameForeignKey) -> list[Step]:
        a, b = self.fk(self.a, op.old.id), self.fk(self.b, op.new.id)
        if a is None or b is None or a.name == b.name:
            return []
        # MySQL cannot rename a foreign key: drop it (on the table's new name) and add it again.
        t = self.ref(self.t(self.b, op.new.from_table))
        drop_implicit = [] if served(a) else [execute(f"ALTER TABLE {t} DROP INDEX {self.q(str(a.name))}")]
        return [
            execute(f"ALTER TABLE {t} DROP FOREIGN KEY {self.q(str(a.name))}"),
            *drop_implicit,
            *self.r_add_foreign_key(o.AddForeignKey(op.new)),
        ]


def served(fk: sa.ForeignKeyConstraint) -> bool:
    """Whether an index the DDL created serves ``fk`` in InnoDB's eyes: it starts with the key's columns,
    in order. If none does, InnoDB adds one named after the key when the key is created, and drops it
    by itself once one does. (MariaDB could say ``DROP INDEX IF EXISTS``; MySQL 8 cannot.)
    """
    table = fk.table
    key = [c.name for c in fk.columns]
    candidates: list[list[str]] = [[c.name for c in table.primary_key.columns]]
    candidates += [[c.name for c in u.columns] for u in table.constraints if isinstance(u, sa.UniqueConstraint)]
    for index in table.indexes:
        fulltext = index.dialect_options["mysql"].get("prefix")  # FULLTEXT and SPATIAL serve no key
        columns = [e for e in index.expressions if isinstance(e, sa.Column)]
        if not fulltext and len(columns) == len(index.expressions):
            candidates.append([c.name for c in columns])
    return any(names[: len(key)] == key for names in candidates)


SQLITE_IN_PLACE = (
    o.RenameTable,
    o.AddIndex,
    o.DropIndex,
    o.RenameIndex,
    o.ReplaceIndex,
    o.SetIndexComment,
    o.SetTableComment,
    o.SetRowLevelSecurity,
    o.AddPartition,
    o.DropPartition,
)


class SqliteRenderer(Renderer):
    dialect = "sqlite"

    def __init__(self, plan: Plan, safe: bool = True, emitters: dict[int, Emitter] | None = None):
        super().__init__(plan, safe, emitters)
        self.rebuilt = self._rebuilt_tables()

    def _rebuilt_tables(self) -> set[str]:
        both = {t.id for t in self.plan.old.tables} & {t.id for t in self.plan.new.tables}
        out: set[str] = set()
        for op in self.plan.ops:
            table_id = self._table_of(op)
            if table_id is None or table_id not in both or isinstance(op, SQLITE_IN_PLACE):
                continue
            if isinstance(op, o.AddColumn) and self._simple(op):
                continue
            if isinstance(op, o.RenameColumn) and not self._names_follow(op):
                continue
            out.add(table_id)
        for op in self.plan.ops:
            if isinstance(op, o.AlterEnum):
                for table in self.plan.new.tables:
                    if table.id in both and any(c.type.enum == op.new.id for c in table.columns):
                        out.add(table.id)
        return out

    @staticmethod
    def _table_of(op: o.Op) -> str | None:
        if isinstance(op, o.AddForeignKey | o.DropForeignKey | o.RenameForeignKey):
            rel = op.new if isinstance(op, o.RenameForeignKey) else op.relationship
            return rel.from_table
        table = getattr(op, "table", None)
        return table.id if table is not None else None

    @staticmethod
    def _simple(op: o.AddColumn) -> bool:
        c = op.column
        literal = c.default is None or c.default.kind == "literal"
        plain = c.identity is None and not c.generated and c.type.name != "enum"  # an enum needs its CHECK
        return (c.nullable or c.default is not None) and literal and plain

    def _names_follow(self, op: o.RenameColumn) -> bool:
        """Whether a generated name (an enum CHECK) carries the column's name, so a rebuild is needed."""
        return op.new.type.name == "enum"

    def outside_before(self) -> list[str]:
        return ["PRAGMA foreign_keys = OFF"] if self.plan.ops else []

    def outside_after(self) -> list[str]:
        return ["PRAGMA foreign_keys = ON"] if self.plan.ops else []

    def steps(self) -> list[Step]:
        out: list[Step] = []
        done = False
        for op in self.plan.ops:
            if op.phase >= 40 and not done:
                out.extend(s for table_id in sorted(self.rebuilt) for s in self.rebuild(table_id))
                done = True
            table_id = self._table_of(op)
            if table_id in self.rebuilt and not isinstance(op, o.RenameTable | o.RenameColumn):
                continue  # renames happen in place first; the rebuild does the rest
            handler = getattr(self, f"r_{op.kind}", None)
            if handler is not None:
                out.extend(handler(op))
        if not done:
            out.extend(s for table_id in sorted(self.rebuilt) for s in self.rebuild(table_id))
        return out

    def rebuild(self, table_id: str) -> list[Step]:
        """The table rebuilt through Alembic's batch mode (new table, copy, drop, rename), then its indexes.

        ``copy_from`` describes the table as it stands at this point (renamed in place, columns
        too), so no reflection is needed and the SQL runs offline. The batch operations turn it
        into the new design's table: columns dropped, changed and added, constraints that differ
        dropped and added, the new column order. A column becoming NOT NULL is first backfilled
        with its default.
        """
        a, b = self.t(self.a, table_id), self.t(self.b, table_id)
        old_doc, new_doc = self.plan.old.table(table_id), self.plan.new.table(table_id)
        assert old_doc is not None and new_doc is not None
        new_ids = {c.id for c in new_doc.columns}
        # Columns kept by the new design were renamed in place already (phase order).
        now = {c.id: (b.c[c.id].name if c.id in new_ids else a.c[c.id].name) for c in old_doc.columns}
        copy_from = self.copy_from(a, b.name, now)
        out: list[Step] = []
        ops: list[aop.MigrateOperation] = []
        pk = sa.PrimaryKeyConstraint
        old_keys = {_constraint_key(c): c for c in copy_from.constraints if not isinstance(c, pk)}
        new_keys = {_constraint_key(c): c for c in b.constraints if not isinstance(c, pk)}
        for key, c in old_keys.items():
            if key not in new_keys:
                ops.append(aop.DropConstraintOp(str(c.name), b.name, type_=_CONSTRAINT_TYPE[type(c)]))
        old_pk, new_pk = _pk_key(copy_from), _pk_key(b)
        if old_pk != new_pk and old_pk[1]:
            ops.append(aop.DropConstraintOp(str(old_pk[0]), b.name, type_="primary"))
        added: list[str] = []
        for column in old_doc.columns:
            kept = new_doc.column(column.id)
            if kept is None or kept.generated is not None or column.generated is not None:
                ops.append(aop.DropColumnOp(b.name, now[column.id]))
        for column in new_doc.columns:
            before = old_doc.column(column.id)
            new = b.c[column.id]
            if before is None or column.generated is not None or before.generated is not None:
                ops.append(aop.AddColumnOp(b.name, _bare(new, new.name)))
                added.append(new.name)
                continue
            old = a.c[column.id]
            default = self.default_sql(new)
            if not new.nullable and old.nullable and default is not None:
                q = self.q(new.name)
                out.append(execute(f"UPDATE {self.q(b.name)} SET {q} = {default} WHERE {q} IS NULL"))  # noqa: S608
            changes: dict[str, Any] = {}
            if self.type_sql(new) != str(old.type.compile(dialect=self.a.dialect)):
                changes["modify_type"] = new.type
            if new.nullable != old.nullable:
                changes["modify_nullable"] = new.nullable
            if default != self.a.dialect.ddl_compiler(self.a.dialect, None).get_column_default_string(old):  # type: ignore[arg-type]
                clause = _server_default(new)
                changes["modify_server_default"] = clause.arg if clause is not None else None
            if changes:
                ops.append(aop.AlterColumnOp(b.name, new.name, existing_type=old.type, **changes))
        if old_pk != new_pk and new_pk[1]:
            ops.append(aop.CreatePrimaryKeyOp(str(new_pk[0]), b.name, list(new_pk[1])))
        for key, c in new_keys.items():
            if key in old_keys:
                continue
            if isinstance(c, sa.CheckConstraint):
                # As text: an expression's columns are keyed by id, and batch mode would skip it.
                ops.append(aop.CreateCheckConstraintOp(str(c.name), b.name, sa.text(str(c.sqltext))))
            else:
                ops.append(aop.AddConstraintOp.from_constraint(c))
        order = tuple(c.name for c in b.columns)
        default_order = tuple(n for n in (c.name for c in copy_from.columns) if n in order) + tuple(added)
        table_kwargs = {k: v for k, v in b.kwargs.items() if v is not None}
        out.append(Step(RebuildTableOp(b.name, copy_from, ops, order if order != default_order else (), table_kwargs)))
        out.extend(execute(self.compile(self.b, CreateIndex(i))) for idx, i in self.b.indexes if i.table is b)
        return out

    def copy_from(self, a: sa.Table, name: str, now: dict[str, str]) -> sa.Table:
        """The old table as it stands now (its columns' current names), without its indexes."""
        columns = [_bare(a.c[column_id], now[column_id]) for column_id in now]
        by_key = {c.key: now[c.key] for c in a.columns}
        constraints: list[sa.Constraint] = []
        if a.primary_key is not None and a.primary_key.columns:
            pk = [by_key[c.key] for c in a.primary_key.columns]
            pk_name = a.primary_key.name
            constraints.append(sa.PrimaryKeyConstraint(*pk, name=pk_name if isinstance(pk_name, str) else None))
        for c in a.constraints:
            if isinstance(c, sa.UniqueConstraint):
                constraints.append(sa.UniqueConstraint(*[by_key[x.key] for x in c.columns], name=c.name))
            elif isinstance(c, sa.CheckConstraint):
                constraints.append(sa.CheckConstraint(str(c.sqltext), name=c.name))
            elif isinstance(c, sa.ForeignKeyConstraint):
                constraints.append(
                    sa.ForeignKeyConstraint(
                        [by_key[x.key] for x in c.columns],
                        _fk_targets(c),
                        name=c.name,
                        ondelete=c.ondelete,
                        onupdate=c.onupdate,
                        deferrable=c.deferrable,
                        initially=c.initially,
                    )
                )
        return sa.Table(name, sa.MetaData(), *columns, *constraints)

    def table_for_create(self, table_id: str) -> sa.Table:
        return self.b.tables[table_id]  # foreign keys inline: SQLite cannot add them later

    def r_create_table(self, op: o.CreateTable) -> list[Step]:
        return [execute(self.compile(self.b, CreateTable(self.b.tables[op.table.id])))]

    def r_drop_index(self, op: o.DropIndex) -> list[Step]:
        built = self.index(self.a, op.index.id)
        if built is None or op.with_table:
            return []
        return [execute(f"DROP INDEX {self.q(str(built.name))}")]

    def r_rename_index(self, op: o.RenameIndex) -> list[Step]:
        a, b = self.index(self.a, op.old.id), self.index(self.b, op.new.id)
        if a is None or b is None or a.name == b.name:
            return []
        return [execute(f"DROP INDEX {self.q(str(a.name))}"), execute(self.compile(self.b, CreateIndex(b)))]

    def r_replace_index(self, op: o.ReplaceIndex) -> list[Step]:
        return self.r_drop_index(o.DropIndex(op.table, op.old)) + self.r_add_index(o.AddIndex(op.table, op.new))

    def r_set_table_comment(self, op: o.SetTableComment) -> list[Step]:
        return []  # SQLite keeps no comments

    def r_drop_foreign_key(self, op: o.DropForeignKey) -> list[Step]:
        return []  # inline in the table: gone with a dropped table, replaced with a rebuilt one

    def r_drop_constraint(self, op: o.DropConstraint) -> list[Step]:
        return []


_CONSTRAINT_TYPE = {sa.UniqueConstraint: "unique", sa.CheckConstraint: "check", sa.ForeignKeyConstraint: "foreignkey"}


def _bare(column: sa.Column[Any], name: str) -> sa.Column[Any]:
    """A column's definition under ``name``, without keys or constraints (the table holds those)."""
    args: list[Any] = []
    if column.computed is not None:
        args.append(sa.Computed(column.computed.sqltext, persisted=column.computed.persisted))
    return sa.Column(
        name,
        column.type,
        *args,
        nullable=column.nullable,
        server_default=_server_default(column),
        autoincrement=column.autoincrement,
    )


def _server_default(column: sa.Column[Any]) -> Any:
    default = column.server_default
    if isinstance(default, sa.DefaultClause):
        arg = default.arg
        if isinstance(arg, str | TextClause):
            return sa.DefaultClause(arg)
        sql = arg.compile(dialect=SQLiteDialect(), compile_kwargs={"literal_binds": True})
        return sa.DefaultClause(sa.text(str(sql)))
    return None


def _constraint_key(c: sa.Constraint) -> tuple[Any, ...]:
    """What makes two constraints the same, by column names (an emitter's column keys are ids)."""
    cols = tuple(x.name for x in getattr(c, "columns", []))
    if isinstance(c, sa.ForeignKeyConstraint):
        target = tuple(_fk_targets(c))
        return ("f", c.name, cols, target, c.ondelete, c.onupdate, c.deferrable, c.initially)
    if isinstance(c, sa.CheckConstraint):
        return ("c", c.name, " ".join(str(c.sqltext).split()))
    return ("u", c.name, cols)


def _fk_targets(fk: sa.ForeignKeyConstraint) -> list[str]:
    """``table.column`` by name of each referenced column (an emitter's keys are ids, not names)."""
    out = []
    for e in fk.elements:
        try:
            out.append(f"{e.column.table.name}.{e.column.name}")
        except sa.exc.NoReferencedTableError:
            out.append(e.target_fullname)  # a copy_from table's own, already by name
    return out


def _pk_key(t: sa.Table) -> tuple[str | None, tuple[str, ...]]:
    pk = t.primary_key
    if pk is None:
        return (None, ())
    return (str(pk.name) if pk.name else None, tuple(c.name for c in pk.columns))


RENDERERS: dict[str, type[Renderer]] = {
    "postgresql": PostgresRenderer,
    "mysql": MysqlRenderer,
    "sqlite": SqliteRenderer,
}


def renderer(plan: Plan, dialect: str, safe: bool = True, emitters: dict[int, Emitter] | None = None) -> Renderer:
    """The renderer for ``dialect`` (postgresql, mysql or sqlite); ``emitters`` is a shared cache."""
    try:
        return RENDERERS[dialect](plan, safe, emitters)
    except KeyError:
        raise ValueError(f"unknown dialect {dialect!r}; one of {', '.join(RENDERERS)}") from None


__all__ = ["RENDERERS", "Check", "renderer"]
