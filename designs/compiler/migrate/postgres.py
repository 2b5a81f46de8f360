"""The safe PostgreSQL renderer: no lock that can be avoided, every long step outside a lock.

CREATE/DROP INDEX CONCURRENTLY and ALTER TYPE … ADD VALUE run outside the transaction; foreign keys
and checks are added NOT VALID and validated in a transaction of their own; SET NOT NULL goes through
a validated CHECK after NULLs are backfilled with the new default; type changes say USING; a
replaced index is built before the old one is dropped; lock_timeout and statement_timeout come first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, CreateIndex

from ..ddl.base import Emitter
from ..document import Column, Enum, Index, Unique
from . import ops as o
from .render import Renderer, Step, execute

BATCH_ROWS = 10_000


class PostgresRenderer(Renderer):
    """The safe PostgreSQL plan: no lock that can be avoided, every long step outside a lock."""

    dialect = "postgresql"
    lock_timeout = "5s"
    statement_timeout = "30min"

    def preamble(self) -> list[Step]:
        if not self.plan.ops:
            return []
        out = []
        if self.safe:
            # Session-level (not SET LOCAL), so they also cover the steps run outside the transaction.
            out += [
                execute(f"SET lock_timeout = '{self.lock_timeout}'"),
                execute(f"SET statement_timeout = '{self.statement_timeout}'"),
            ]
        # Extensions the new design's SQL needs (pg_trgm, citext, ...). Never dropped on the way
        # back: other objects may use them, and an unused extension does no harm.
        have = set(self.a.extensions())
        out += [execute(e) for e in self.b.extensions() if e not in have]
        return out

    def r_create_schema(self, op: o.CreateSchema) -> list[Step]:
        return [execute(f"CREATE SCHEMA IF NOT EXISTS {self.b.preparer.quote_schema(op.name)}")]

    def r_drop_schema(self, op: o.DropSchema) -> list[Step]:
        # Not CASCADE: whatever else lives in the schema stops the drop rather than vanishing.
        return [execute(f"DROP SCHEMA IF EXISTS {self.b.preparer.quote_schema(op.name)}")]

    @staticmethod
    def validate(ref: str, constraint: str) -> Step:
        """VALIDATE in a transaction of its own: it scans the table holding only a SHARE UPDATE
        EXCLUSIVE lock, but inside the migration's transaction the ADD's exclusive lock would stay."""
        return execute(f"ALTER TABLE {ref} VALIDATE CONSTRAINT {constraint}", autocommit=True, alone=True)

    def qualified(self, schema: str | None, name: str) -> str:
        return f"{self.b.preparer.quote_schema(schema or 'public')}.{self.q(name)}"

    def enum_ref(self, e: Emitter, enum: Enum) -> str:
        return self.qualified(e.schema_of(enum.schema_), enum.name)

    # ---- enums -----------------------------------------------------------------------------
    def r_create_enum(self, op: o.CreateEnum) -> list[Step]:
        out = [execute(self.compile(self.b, postgresql.CreateEnumType(self.b.enum_types[op.enum.id])))]
        return out + self.enum_comment(op.enum, None)

    def enum_comment(self, enum: Enum, before: str | None) -> list[Step]:
        if enum.comment == before:
            return []
        text = self.b.literal(enum.comment) if enum.comment is not None else "NULL"
        return [execute(f"COMMENT ON TYPE {self.enum_ref(self.b, enum)} IS {text}")]

    def r_drop_enum(self, op: o.DropEnum) -> list[Step]:
        return [execute(f"DROP TYPE {self.enum_ref(self.a, op.enum)}")]

    def r_alter_enum(self, op: o.AlterEnum) -> list[Step]:
        out = []
        if op.old.name != op.new.name:
            out.append(execute(f"ALTER TYPE {self.enum_ref(self.a, op.old)} RENAME TO {self.q(op.new.name)}"))
        ref = self.enum_ref(self.b, op.new)
        if op.only_adds:
            values = op.new.values
            for i, value in enumerate(values):
                if value in op.old.values:
                    continue
                later = next((v for v in values[i + 1 :] if v in op.old.values), None)
                # Always placed explicitly, so the order matches the design whatever the engine's default.
                where = f" BEFORE {self.b.literal(later)}" if later else f" AFTER {self.b.literal(values[i - 1])}"
                # Outside the transaction: a value added inside one cannot be used before it commits.
                out.append(execute(f"ALTER TYPE {ref} ADD VALUE {self.b.literal(value)}{where}", autocommit=True))
            return out + self.enum_comment(op.new, op.old.comment)
        # Values removed or reordered: a new type, every column converted through text, the old one dropped.
        old_name = self.b.namer.fit(f"{op.new.name}__old")
        out.append(execute(f"ALTER TYPE {ref} RENAME TO {self.q(old_name)}"))
        out.append(execute(self.compile(self.b, postgresql.CreateEnumType(self.b.enum_types[op.new.id]))))
        for table in self.plan.new.tables:
            for column in table.columns:
                if column.type.name == "enum" and column.type.enum == op.new.id:
                    out.extend(self.retype(table.id, column, self.col(self.b, table.id, column.id), column))
        out.append(execute(f"DROP TYPE {self.qualified(self.b.schema_of(op.new.schema_), old_name)}"))
        return out + self.enum_comment(op.new, None)

    def retype(self, table_id: str, design: Column, built: sa.Column[Any], old: Column | None) -> list[Step]:
        """ALTER COLUMN … TYPE … USING, with the default set aside while the type changes."""
        t = self.t(self.b, table_id)
        name = self.q(built.name)
        target = self.type_sql(built)
        through = "::text" if design.type.name == "enum" else ""
        out = []
        had_default = old is not None and old.default is not None
        if had_default:
            out.append(execute(f"ALTER TABLE {self.ref(t)} ALTER COLUMN {name} DROP DEFAULT"))
        out.append(
            execute(f"ALTER TABLE {self.ref(t)} ALTER COLUMN {name} TYPE {target} USING {name}{through}::{target}")
        )
        default = self.default_sql(built)
        if had_default and default is not None:
            out.append(execute(f"ALTER TABLE {self.ref(t)} ALTER COLUMN {name} SET DEFAULT {default}"))
        return out

    # ---- tables ----------------------------------------------------------------------------
    def r_create_table(self, op: o.CreateTable) -> list[Step]:
        out = super().r_create_table(op)
        out.extend(execute(s) for s in self.b.after_table(op.table))  # partitions
        default = type(op.table.rls)()
        if op.table.rls != default:
            out.extend(self.r_set_row_level_security(o.SetRowLevelSecurity(op.table, default, op.table.rls)))
        return out

    def r_set_row_level_security(self, op: o.SetRowLevelSecurity) -> list[Step]:
        ref = self.ref(self.t(self.b, op.table.id))
        out = []
        if op.old.enabled != op.new.enabled:
            out.append(execute(f"ALTER TABLE {ref} {'ENABLE' if op.new.enabled else 'DISABLE'} ROW LEVEL SECURITY"))
        if op.old.force != op.new.force:
            out.append(execute(f"ALTER TABLE {ref} {'' if op.new.force else 'NO '}FORCE ROW LEVEL SECURITY"))
        return out

    def r_add_partition(self, op: o.AddPartition) -> list[Step]:
        t = self.t(self.b, op.table.id)
        part = self.qualified(t.schema, op.partition.name)
        bound = self.b._bound(op.table, op.partition)  # type: ignore[attr-defined]
        return [execute(f"CREATE TABLE {part} PARTITION OF {self.ref(t)} {bound}")]

    def r_drop_partition(self, op: o.DropPartition) -> list[Step]:
        t = self.t(self.b, op.table.id)
        return [execute(f"DROP TABLE {self.qualified(t.schema, op.partition.name)}")]

    # ---- columns ---------------------------------------------------------------------------
    def r_alter_column(self, op: o.AlterColumn) -> list[Step]:
        t = self.t(self.b, op.table.id)
        built = t.c[op.new.id]
        ref, name = self.ref(t), self.q(built.name)
        alter = f"ALTER TABLE {ref} ALTER COLUMN {name}"
        out: list[Step] = []
        if "identity" in op.changes and op.old.identity is not None and op.new.identity is None:
            out.append(execute(f"{alter} DROP IDENTITY IF EXISTS"))
        if "type" in op.changes:
            out.extend(self.retype(op.table.id, op.new, built, op.old))
        if "default" in op.changes:
            default = self.default_sql(built)
            out.append(execute(f"{alter} SET DEFAULT {default}" if default else f"{alter} DROP DEFAULT"))
        if "nullable" in op.changes:
            out.extend(self.nullability(op, t, built))
        if "identity" in op.changes and op.new.identity is not None:
            out.extend(self.identity(op, alter))
        if "comment" in op.changes:
            comment = self.b.literal(op.new.comment) if op.new.comment is not None else "NULL"
            out.append(execute(f"COMMENT ON COLUMN {ref}.{name} IS {comment}"))
        return out

    def identity(self, op: o.AlterColumn, alter: str) -> list[Step]:
        new = op.new.identity
        assert new is not None
        kind = "ALWAYS" if new.always else "BY DEFAULT"
        if op.old.identity is None:
            options = []
            if new.start is not None:
                options.append(f"START WITH {new.start}")
            if new.increment is not None:
                options.append(f"INCREMENT BY {new.increment}")
            suffix = f" ({' '.join(options)})" if options else ""
            return [execute(f"{alter} ADD GENERATED {kind} AS IDENTITY{suffix}")]
        sets = [f"SET GENERATED {kind}"]
        sets.append(f"SET START WITH {new.start if new.start is not None else 1}")
        sets.append(f"SET INCREMENT BY {new.increment if new.increment is not None else 1}")
        return [execute(f"{alter} {' '.join(sets)}")]

    def nullability(self, op: o.AlterColumn, t: sa.Table, built: sa.Column[Any]) -> list[Step]:
        ref, name = self.ref(t), self.q(built.name)
        alter = f"ALTER TABLE {ref} ALTER COLUMN {name}"
        if op.new.nullable:
            return [execute(f"{alter} DROP NOT NULL")]
        out: list[Step] = []
        default = self.default_sql(built)
        if default is not None and op.new.generated is None:
            rows = op.table.estimated_rows or 0
            if rows >= BATCH_ROWS:
                # In batches, each committed, so no long-held row locks and no huge transaction.
                # Every identifier is quoted by the dialect's preparer.
                update = f"UPDATE {ref} SET {name} = {default}"  # noqa: S608
                batch = f"SELECT ctid FROM {ref} WHERE {name} IS NULL LIMIT {BATCH_ROWS}"  # noqa: S608
                body = (
                    "DECLARE n bigint;\nBEGIN\n  LOOP\n"
                    f"    {update} WHERE ctid IN ({batch});\n"
                    "    GET DIAGNOSTICS n = ROW_COUNT;\n    EXIT WHEN n = 0;\n    COMMIT;\n  END LOOP;\nEND;"
                )
                out.append(execute(f"DO {self.b.dollar_quote(body)}", autocommit=True))  # type: ignore[attr-defined]
            else:
                out.append(execute(f"UPDATE {ref} SET {name} = {default} WHERE {name} IS NULL"))  # noqa: S608
        if self.safe:
            # A validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its full-table scan under lock.
            check = self.q(self.b.namer.fit(f"{t.name}_{built.name}_not_null"))
            out.append(execute(f"ALTER TABLE {ref} ADD CONSTRAINT {check} CHECK ({name} IS NOT NULL) NOT VALID"))
            out.append(self.validate(ref, check))
            out.append(execute(f"{alter} SET NOT NULL"))
            # Our own helper, redundant now that the column is NOT NULL: no guarantee is lost.
            out.append(execute(f"ALTER TABLE {ref} DROP CONSTRAINT {check}", lint_ignore="ban-drop-constraint"))
        else:
            out.append(execute(f"{alter} SET NOT NULL"))
        return out

    # ---- indexes ---------------------------------------------------------------------------
    def create_index_sql(self, built: sa.Index, concurrently: bool, name: str | None = None) -> str:
        text = self.compile(self.b, CreateIndex(built))
        head = "CREATE UNIQUE INDEX" if built.unique else "CREATE INDEX"
        if name is not None:
            text = text.replace(f"{head} {self.q(str(built.name))} ON", f"{head} {self.q(name)} ON", 1)
        if concurrently:
            # IF NOT EXISTS: a rerun after a failure part way through does not stop here.
            text = text.replace(head, f"{head} CONCURRENTLY IF NOT EXISTS", 1)
        return text

    def r_add_index(self, op: o.AddIndex) -> list[Step]:
        built = self.index(self.b, op.index.id)
        if built is None:
            return []
        concurrent = self.safe and not op.with_table
        out = [execute(self.create_index_sql(built, concurrent), autocommit=concurrent)]
        return out + self.index_comment(op.index)

    def index_comment(self, index: Index) -> list[Step]:
        return self.comment_on_index(index, index.comment) if index.comment else []

    def drop_index_sql(self, built: sa.Index, concurrently: bool) -> str:
        assert built.table is not None
        how = " CONCURRENTLY IF EXISTS" if concurrently else ""
        return f"DROP INDEX{how} {self.qualified(built.table.schema, str(built.name))}"

    def r_drop_index(self, op: o.DropIndex) -> list[Step]:
        built = self.index(self.a, op.index.id)
        if built is None or op.with_table:
            return []
        concurrent = self.safe
        return [execute(self.drop_index_sql(built, concurrent), autocommit=concurrent)]

    def r_rename_index(self, op: o.RenameIndex) -> list[Step]:
        a, b = self.index(self.a, op.old.id), self.index(self.b, op.new.id)
        if a is None or b is None or a.name == b.name:
            return []
        assert a.table is not None
        return [execute(f"ALTER INDEX {self.qualified(a.table.schema, str(a.name))} RENAME TO {self.q(str(b.name))}")]

    def r_replace_index(self, op: o.ReplaceIndex) -> list[Step]:
        a, b = self.index(self.a, op.old.id), self.index(self.b, op.new.id)
        out: list[Step] = []
        if b is None:
            return [execute(self.drop_index_sql(a, self.safe), autocommit=self.safe)] if a is not None else []
        if a is None:
            return [execute(self.create_index_sql(b, self.safe), autocommit=self.safe), *self.index_comment(op.new)]
        assert b.table is not None
        same = a.name == b.name
        temp = self.b.namer.fit(f"{b.name}__new") if same else None
        # Build the new index first, so queries are never left without one.
        out.append(execute(self.create_index_sql(b, self.safe, temp), autocommit=self.safe))
        out.append(execute(self.drop_index_sql(a, self.safe), autocommit=self.safe))
        if temp is not None:
            out.append(execute(f"ALTER INDEX {self.qualified(b.table.schema, temp)} RENAME TO {self.q(str(b.name))}"))
        return out + self.index_comment(op.new)

    def r_set_index_comment(self, op: o.SetIndexComment) -> list[Step]:
        return self.comment_on_index(op.index, op.new)

    def comment_on_index(self, index: Index, text: str | None) -> list[Step]:
        b = self.index(self.b, index.id)
        if b is None:
            return []
        assert b.table is not None
        comment = self.b.literal(text) if text is not None else "NULL"
        return [execute(f"COMMENT ON INDEX {self.qualified(b.table.schema, str(b.name))} IS {comment}")]

    # ---- constraints -----------------------------------------------------------------------
    def r_add_constraint(self, op: o.AddConstraint) -> list[Step]:
        built = self.constraint(self.b, op.table.id, op.constraint)
        if built is None:
            return []
        t = self.t(self.b, op.table.id)
        text = self.compile(self.b, AddConstraint(built))
        if not self.safe:
            return [execute(text)]
        if isinstance(built, sa.CheckConstraint):
            return [execute(f"{text} NOT VALID"), self.validate(self.ref(t), self.q(str(built.name)))]
        # Unique and primary keys: build the index without blocking writes, then attach it.
        name = self.q(str(built.name))
        assert isinstance(built, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
        cols = ", ".join(self.q(c.name) for c in built.columns)
        nnd = " NULLS NOT DISTINCT" if isinstance(op.constraint, Unique) and op.constraint.nulls_not_distinct else ""
        kind = "PRIMARY KEY" if isinstance(built, sa.PrimaryKeyConstraint) else "UNIQUE"
        return [
            execute(
                f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {self.ref(t)} ({cols}){nnd}", autocommit=True
            ),
            execute(f"ALTER TABLE {self.ref(t)} ADD CONSTRAINT {name} {kind} USING INDEX {name}"),
        ]

    def r_rename_constraint(self, op: o.RenameConstraint) -> list[Step]:
        a, b = self.constraint(self.a, op.table.id, op.old), self.constraint(self.b, op.table.id, op.new)
        if a is None or b is None or a.name == b.name:
            return []
        t = self.t(self.b, op.table.id)
        return [execute(f"ALTER TABLE {self.ref(t)} RENAME CONSTRAINT {self.q(str(a.name))} TO {self.q(str(b.name))}")]

    def r_add_foreign_key(self, op: o.AddForeignKey) -> list[Step]:
        fk = self.fk(self.b, op.relationship.id)
        if fk is None:
            return []
        text = self.compile(self.b, AddConstraint(fk))
        if not self.safe or op.with_table:
            return [execute(text)]
        t = self.t(self.b, op.relationship.from_table)
        return [execute(f"{text} NOT VALID"), self.validate(self.ref(t), self.q(str(fk.name)))]

    def r_rename_foreign_key(self, op: o.RenameForeignKey) -> list[Step]:
        a, b = self.fk(self.a, op.old.id), self.fk(self.b, op.new.id)
        if a is None or b is None or a.name == b.name:
            return []
        t = self.t(self.b, op.new.from_table)
        return [execute(f"ALTER TABLE {self.ref(t)} RENAME CONSTRAINT {self.q(str(a.name))} TO {self.q(str(b.name))}")]

    # ---- policies --------------------------------------------------------------------------
    def r_create_policy(self, op: o.CreatePolicy) -> list[Step]:
        p = op.policy
        roles = {r.id: r.name for r in self.plan.new.security.roles}
        to = ", ".join("PUBLIC" if r == "public" else self.q(roles[r]) for r in p.roles) or "PUBLIC"
        kind = "PERMISSIVE" if p.permissive else "RESTRICTIVE"
        text = f"CREATE POLICY {self.q(p.name)} ON {self.ref(self.t(self.b, p.table))} AS {kind} "
        text += f"FOR {p.command.upper()} TO {to}"
        if p.using:
            text += f" USING ({p.using})"
        if p.with_check:
            text += f" WITH CHECK ({p.with_check})"
        return [execute(text)]

    def r_drop_policy(self, op: o.DropPolicy) -> list[Step]:
        return [execute(f"DROP POLICY {self.q(op.policy.name)} ON {self.ref(self.t(self.a, op.policy.table))}")]

    def r_rename_policy(self, op: o.RenamePolicy) -> list[Step]:
        t = self.ref(self.t(self.b, op.new.table))
        return [execute(f"ALTER POLICY {self.q(op.old.name)} ON {t} RENAME TO {self.q(op.new.name)}")]
