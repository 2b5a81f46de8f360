"""The shared half of every DDL emitter: design document → SQLAlchemy ``MetaData`` → statements.

A dialect is a subclass that sets capability flags and a type table and overrides a few stage
methods (``postgres.py``, ``mysql.py``, ``sqlite.py``). SQLAlchemy's DDL compiler renders every
statement it has a construct for; the few it has none for (policies, triggers, grants, ...) are
small renderers in the dialect modules that quote every identifier with the dialect's
``IdentifierPreparer``. Whatever a target cannot express becomes a ``DdlWarning`` naming the object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable, ExecutableDDLElement
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from ..document import Check, Column, Document, Enum, Index, Relationship, Table
from . import audit, indexes, types
from .naming import Namer, render


@dataclass(frozen=True)
class DdlWarning:
    """Something the target cannot express, and what was emitted instead."""

    object_id: str
    message: str


@dataclass
class DdlResult:
    statements: list[str]
    warnings: list[DdlWarning] = field(default_factory=list)

    @property
    def sql(self) -> str:
        """The whole script: statements separated by a semicolon and a blank line."""
        return ";\n\n".join(self.statements) + (";\n" if self.statements else "\n")


ACTIONS: dict[str, str | None] = {
    "no_action": None,  # the engines' default; left out to keep the DDL short
    "restrict": "RESTRICT",
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "set_default": "SET DEFAULT",
}


def sql(text: str) -> ColumnElement[Any]:
    """Design SQL (a check, a default, a predicate) as an element rendered exactly as written.

    ``literal_column`` rather than ``text()``: ``text()`` would read ``:word`` as a bind parameter.
    """
    return sa.literal_column(text)


class Emitter:
    """Base emitter. Subclasses are mostly data: the flags below and a type table."""

    name: ClassVar[str]
    dialect_class: ClassVar[Callable[..., Dialect]]
    engine_max_identifier_bytes: ClassVar[int | None] = None
    schemas: ClassVar[bool] = False
    fks_inline: ClassVar[bool] = False
    enum_mode: ClassVar[Literal["type", "inline", "check"]] = "check"
    arrays: ClassVar[bool] = False
    partial_indexes: ClassVar[bool] = False
    include_columns: ClassVar[bool] = False
    index_methods: ClassVar[frozenset[str]] = frozenset({"btree"})
    index_nulls_order: ClassVar[bool] = False
    index_expressions: ClassVar[bool] = True
    opclasses: ClassVar[bool] = False
    deferrable: ClassVar[bool] = False
    actions: ClassVar[frozenset[str]] = frozenset(ACTIONS)
    comments: ClassVar[Literal["statement", "inline"] | None] = None
    virtual_generated: ClassVar[bool] = True
    nulls_not_distinct: ClassVar[bool] = False
    # Common default expressions in this engine's words: lower-cased without spaces → (SQL, note).
    # A note means the meaning changes and becomes a warning.
    default_expressions: ClassVar[Mapping[str, tuple[str, str | None]]] = {}
    table_kwargs: ClassVar[Mapping[str, Any]] = {}
    STAGES: ClassVar[tuple[str, ...]] = (
        "preamble",
        "extensions",
        "create_schemas",
        "create_types",
        "create_tables",
        # Indexes before foreign keys: a key may rely on a unique index to reference, and MySQL reuses
        # an existing index for a key instead of creating one of its own.
        "create_indexes",
        "add_foreign_keys",
        "create_comments",
        "triggers",
        "security",
    )

    def __init__(self, doc: Document):
        self.doc = doc
        self.dialect = self.dialect_class(paramstyle="named")  # "named": no doubled % in identifiers
        self.preparer = self.dialect.identifier_preparer
        self.warnings: list[DdlWarning] = []
        self._warned: set[DdlWarning] = set()
        # Lookups by id, once: the document's own finders scan a list, which is quadratic on big designs.
        self.doc_tables: dict[str, Table] = {t.id: t for t in doc.tables}
        self.doc_enums: dict[str, Enum] = {e.id: e for e in doc.enums}
        limit = doc.settings.naming.max_identifier_bytes
        if self.engine_max_identifier_bytes is not None:
            limit = min(limit, self.engine_max_identifier_bytes)
        self.namer = Namer(limit)
        self.metadata = sa.MetaData()
        self.tables: dict[str, sa.Table] = {}
        self.foreign_keys: list[tuple[Relationship, sa.ForeignKeyConstraint]] = []
        self.indexes: list[tuple[Index, sa.Index]] = []
        self.enum_types: dict[str, sa.types.TypeEngine[Any]] = {}
        self._flat_names: set[str] = set()
        self.column_names: dict[str, str] = {}
        self._build()

    # ---- helpers -------------------------------------------------------------------------
    def warn(self, object_id: str, message: str) -> None:
        warning = DdlWarning(object_id, message)
        if warning not in self._warned:
            self._warned.add(warning)
            self.warnings.append(warning)

    def compile(self, element: ClauseElement | ExecutableDDLElement) -> str:
        return str(element.compile(dialect=self.dialect)).strip()

    def quote(self, name: str) -> str:
        return self.preparer.quote(name)

    def literal(self, value: str) -> str:
        """A string literal, escaped the way this dialect's compiler escapes it."""
        compiler = self.dialect.statement_compiler(self.dialect, None)
        return str(compiler.render_literal_value(value, sa.String()))

    def table_ref(self, table_id: str) -> str:
        return self.preparer.format_table(self.tables[table_id])

    def schema_of(self, schema: str | None) -> str | None:
        """The schema to qualify names with; None for the default ``public`` (and where there are none)."""
        name = schema or self.doc.settings.default_schema
        return None if (not self.schemas or name == "public") else name

    def scope(self, table: Table) -> str:
        """The namespace constraint names must be unique in (a schema on PostgreSQL)."""
        return self.schema_of(table.schema_) or ""

    def uses_updated_at_trigger(self, table: Table) -> bool:
        return table.options.updated_at_trigger or self.doc.settings.timestamps.updated_at_trigger

    @staticmethod
    def updated_at_column(table: Table) -> Column | None:
        """The column the updated_at trigger maintains: the table's choice, else the one named updated_at."""
        if table.options.updated_at_column is not None:
            return table.column(table.options.updated_at_column)
        return next((c for c in table.columns if c.name.lower() == "updated_at"), None)

    # ---- document → MetaData -------------------------------------------------------------
    def _build(self) -> None:
        for enum in self.doc.enums:
            self.enum_types[enum.id] = self.enum_type(enum.id)
        self._reserve_explicit_names()
        for table in self.doc.tables:
            self.tables[table.id] = self.build_table(table)
        for rel in self.doc.relationships:
            fk = self.build_foreign_key(rel)
            if fk is not None:
                self.foreign_keys.append((rel, fk))
        for table in self.doc.tables:
            for index in table.indexes:
                built = self.build_index(table, index)
                if built is not None:
                    self.indexes.append((index, built))
        self.audit_table: sa.Table | None = None
        if any(t.options.audit for t in self.doc.tables):
            self.audit_table = audit.build_table(self)

    def _reserve_explicit_names(self) -> None:
        for table in self.doc.tables:
            names = [table.primary_key.name] if table.primary_key else []
            names += [u.name for u in table.uniques] + [c.name for c in table.checks]
            names += [i.name for i in table.indexes]
            for name in names:
                if name:
                    self.namer.reserve(self.scope(table), name)
        for rel in self.doc.relationships:
            child = self.doc_tables[rel.from_table]
            if rel.name and child is not None:
                self.namer.reserve(self.scope(child), rel.name)

    def constraint_name(
        self,
        table: Table,
        object_id: str,
        explicit: str | None,
        template: str,
        *,
        columns: Iterable[str] = (),
        referred_table: str = "",
        name: str | None = None,
    ) -> str:
        if explicit:
            fitted = self.namer.fit(explicit)
            if fitted != explicit:
                self.warn(object_id, f"name {explicit!r} is longer than the identifier limit; using {fitted!r}")
            return fitted
        rendered = render(
            template, table=table.name, columns=list(columns), referred_table=referred_table, name=name or object_id
        )
        return self.namer.generate(self.scope(table), rendered)

    def table_name(self, table: Table) -> str:
        name = table.name
        if not self.schemas:
            # Without schemas every table shares one namespace: a clash gets its schema as a prefix.
            if name.lower() in self._flat_names:
                name = f"{table.schema_ or self.doc.settings.default_schema}_{name}"
                self.warn(table.id, f"another table is already named {table.name!r} here; created as {name!r}")
            self._flat_names.add(name.lower())
        fitted = self.namer.fit(name)
        if fitted != name:
            # Cut here, with a hash, rather than leave it to the engine: PostgreSQL would cut silently
            # (two long names could become one) and MySQL refuses the statement.
            self.warn(table.id, f"table name is longer than the identifier limit; created as {fitted!r}")
        return fitted

    def column_name(self, column: Column) -> str:
        """The name ``column`` is created with: its design name, cut with a hash if over the limit."""
        name = self.column_names.get(column.id)
        if name is None:
            name = self.namer.fit(column.name)
            if name != column.name:
                self.warn(column.id, f"column name is longer than the identifier limit; created as {name!r}")
            self.column_names[column.id] = name
        return name

    def build_table(self, table: Table) -> sa.Table:
        schema = self.schema_of(table.schema_)
        if not self.schemas and (table.schema_ or self.doc.settings.default_schema) != "public":
            self.warn(
                table.id,
                f"{self.dialect.name} has no schemas here; table created without schema "
                f"{table.schema_ or self.doc.settings.default_schema!r}",
            )
        columns = [self.build_column(table, column) for column in table.columns]
        t = sa.Table(
            self.table_name(table),
            self.metadata,
            *columns,
            schema=schema,
            comment=table.comment,
            **self.table_options(table),
        )
        naming = self.doc.settings.naming
        if table.primary_key:
            cols = [t.c[c] for c in table.primary_key.columns]
            name = self.constraint_name(
                table, table.id, table.primary_key.name, naming.primary_key, columns=[c.name for c in cols]
            )
            t.append_constraint(sa.PrimaryKeyConstraint(*cols, name=name))
        for unique in table.uniques:
            cols = [t.c[c] for c in unique.columns]
            name = self.constraint_name(table, unique.id, unique.name, naming.unique, columns=[c.name for c in cols])
            kwargs: dict[str, Any] = {}
            if unique.nulls_not_distinct:
                if self.nulls_not_distinct:
                    kwargs[f"{self.name}_nulls_not_distinct"] = True
                else:
                    self.warn(unique.id, f"{self.dialect.name} has no NULLS NOT DISTINCT; NULLs are distinct")
            t.append_constraint(sa.UniqueConstraint(*cols, name=name, **kwargs))
        for check in table.checks:
            if not self.keeps_check(table, check):
                continue
            name = self.constraint_name(table, check.id, check.name, naming.check)
            t.append_constraint(sa.CheckConstraint(sql(check.expression), name=name))
        for check_name, expression in self.extra_checks(table):
            t.append_constraint(sa.CheckConstraint(sql(expression), name=check_name))
        return t

    def table_options(self, table: Table) -> dict[str, Any]:
        return dict(self.table_kwargs)

    def keeps_check(self, table: Table, check: Check) -> bool:
        """Whether this target can hold ``check``; a dialect that says no warns about it."""
        return True

    def extra_checks(self, table: Table) -> list[tuple[str, str]]:
        """Checks the dialect adds in place of something it lacks (enums on SQLite)."""
        return []

    def column_type(self, table: Table, column: Column) -> sa.types.TypeEngine[Any]:
        ctype = column.type
        if ctype.name == "enum" and ctype.enum is not None and not (ctype.raw and self.name in ctype.raw):
            base = self.enum_types[ctype.enum]
        else:
            base, notes = types.resolve(ctype, self.name)
            for note in notes:
                self.warn(column.id, note)
        if ctype.array:
            if self.arrays:
                return sa.ARRAY(base, dimensions=ctype.array)
            self.warn(column.id, f"{self.dialect.name} has no array types; stored as JSON")
            return sa.JSON()
        return base

    def enum_type(self, enum_id: str) -> sa.types.TypeEngine[Any]:
        enum = self.doc_enums[enum_id]
        assert enum is not None
        longest = max(len(v) for v in enum.values)
        return sa.VARCHAR(longest)

    def build_column(self, table: Table, column: Column) -> sa.Column[Any]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {
            "key": column.id,
            "nullable": column.nullable,
            "comment": column.comment,
            "autoincrement": False,
        }
        if column.identity is not None or column.type.name in ("smallserial", "serial", "bigserial"):
            self.identity(table, column, args, kwargs)
        if column.generated is not None:
            stored = column.generated.stored
            if not stored and not self.virtual_generated:
                self.warn(column.id, f"{self.dialect.name} has no virtual generated columns; STORED")
                stored = True
            args.append(sa.Computed(sql(column.generated.expression), persisted=stored))
        if column.default is not None:
            kwargs["server_default"] = self.server_default(table, column)
        if column.collation:
            self.apply_collation(column, kwargs)
        ctype = kwargs.pop("type", None)
        if ctype is None:
            ctype = self.column_type(table, column)
        return sa.Column(self.column_name(column), ctype, *args, **kwargs)

    def identity(self, table: Table, column: Column, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Attach identity/auto-increment; dialects override."""

    def apply_collation(self, column: Column, kwargs: dict[str, Any]) -> None:
        # Collation names are engine-specific, so only the design's own target gets them.
        if self.doc.settings.target != self.name:
            self.warn(column.id, f"collation {column.collation!r} is for {self.doc.settings.target}; not emitted")
            return
        ctype = self.column_type_for_collation(column)
        if ctype is None:
            self.warn(column.id, f"collation {column.collation!r} applies to text types only; not emitted")
        else:
            kwargs["type"] = ctype

    def column_type_for_collation(self, column: Column) -> sa.types.TypeEngine[Any] | None:
        base, _ = types.resolve(column.type, self.name, fresh=True)  # fresh: we set its collation
        if isinstance(base, sa.String) and not column.type.array:
            base.collation = column.collation
            return base
        return None

    def server_default(self, table: Table, column: Column) -> Any:
        default = column.default
        assert default is not None
        value = default.value
        if default.kind == "expression":
            assert isinstance(value, str)
            rewritten, note = self.default_expressions.get("".join(value.lower().split()), (value, None))
            if note:
                self.warn(column.id, f"default {value!r} written as {rewritten!r}: {note}")
            return sa.DefaultClause(sql(rewritten))
        if value is None:
            return sa.DefaultClause(sa.null())
        if isinstance(value, str):
            return value  # SQLAlchemy quotes a string default as a literal
        return sa.DefaultClause(sa.literal(value))

    def build_foreign_key(self, rel: Relationship) -> sa.ForeignKeyConstraint | None:
        child_doc, parent_doc = self.doc_tables[rel.from_table], self.doc_tables[rel.to_table]
        assert child_doc is not None and parent_doc is not None
        if not rel.from_columns:
            self.warn(rel.id, "relationship has no columns yet; no foreign key emitted")
            return None
        child, parent = self.tables[rel.from_table], self.tables[rel.to_table]
        local = [child.c[c] for c in rel.from_columns]
        name = self.constraint_name(
            child_doc,
            rel.id,
            rel.name,
            self.doc.settings.naming.foreign_key,
            columns=[c.name for c in local],
            referred_table=parent_doc.name,
        )
        kwargs: dict[str, Any] = {}
        for clause, action in (("ondelete", rel.on_delete), ("onupdate", rel.on_update)):
            if action in self.actions:
                kwargs[clause] = ACTIONS[action]
            else:
                self.warn(
                    rel.id,
                    f"{self.dialect.name} cannot {clause[2:].upper()} "
                    f"{ACTIONS[action]}; the engine default (no action) applies",
                )
        if rel.deferrable:
            if self.deferrable:
                kwargs["deferrable"] = True
                kwargs["initially"] = "DEFERRED" if rel.initially_deferred else None
            else:
                self.warn(rel.id, f"{self.dialect.name} cannot defer constraints; checked immediately")
        fk = sa.ForeignKeyConstraint(
            local, [parent.c[c] for c in rel.to_columns], name=name, use_alter=not self.fks_inline, **kwargs
        )
        child.append_constraint(fk)
        return fk

    def build_index(self, table: Table, index: Index) -> sa.Index | None:
        """The ``sa.Index`` for a design index, or None when this target cannot build it (warned)."""
        return indexes.build_index(self, table, index)

    def index_options(self, table: Table, index: Index, t: sa.Table, kwargs: dict[str, Any]) -> None:
        """Dialect hook for extra index keywords (MySQL prefix lengths)."""

    # ---- stages --------------------------------------------------------------------------
    def emit(self) -> DdlResult:
        statements: list[str] = []
        for stage in self.STAGES:
            statements.extend(getattr(self, stage)())
        return DdlResult(statements, list(self.warnings))

    def preamble(self) -> list[str]:
        return []

    def extensions(self) -> list[str]:
        return []

    def create_schemas(self) -> list[str]:
        return []

    def create_types(self) -> list[str]:
        return []

    def create_tables(self) -> list[str]:
        out = []
        for table in self.doc.tables:
            t = self.tables[table.id]
            fks: list[sa.ForeignKeyConstraint] | None = None if self.fks_inline else []
            out.append(self.compile(CreateTable(t, include_foreign_key_constraints=fks)))
            out.extend(self.after_table(table))
        if self.audit_table is not None:
            out.append(self.compile(CreateTable(self.audit_table)))
        return out

    def after_table(self, table: Table) -> list[str]:
        if table.partitioning:
            self.warn(table.id, f"{self.dialect.name} partitioning is not emitted; a plain table")
        return []

    def add_foreign_keys(self) -> list[str]:
        if self.fks_inline:
            return []
        return [self.compile(AddConstraint(fk)) for _, fk in self.foreign_keys]

    def create_indexes(self) -> list[str]:
        return [self.compile(CreateIndex(index)) for _, index in self.indexes]

    def create_comments(self) -> list[str]:
        """Warn for every comment this dialect cannot store (the emitters that can override this)."""
        for table in self.doc.tables:
            if self.comments is None:
                if table.comment:
                    self.warn(table.id, f"{self.dialect.name} has no table comments; not emitted")
                for column in table.columns:
                    if column.comment:
                        self.warn(column.id, f"{self.dialect.name} has no column comments; not emitted")
            for index in table.indexes:
                if index.comment and self.comments != "statement":
                    self.warn(index.id, f"index comments are not emitted on {self.dialect.name}")
        if self.comments != "statement":
            for rel in self.doc.relationships:
                if rel.comment:
                    self.warn(rel.id, f"constraint comments are not emitted on {self.dialect.name}")
            for enum in self.doc.enums:
                if enum.comment:
                    self.warn(enum.id, f"enum comments are not emitted on {self.dialect.name}")
        return []

    def triggers(self) -> list[str]:
        for table in self.doc.tables:
            if self.uses_updated_at_trigger(table):
                self.warn(table.id, f"no updated_at trigger on {self.dialect.name}; set updated_at in the application")
            if table.options.audit:
                self.warn(table.id, f"no audit trigger on {self.dialect.name}; changes are not logged")
        return []

    def security(self) -> list[str]:
        what = f"{self.dialect.name} has no"
        for table in self.doc.tables:
            if table.rls.enabled or table.rls.force:
                self.warn(table.id, f"{what} row-level security; not enabled")
        for role in self.doc.security.roles:
            self.warn(role.id, f"roles are not emitted on {self.dialect.name}")
        for grant in self.doc.security.grants:
            self.warn(grant.id, f"grants are not emitted on {self.dialect.name}")
        for policy in self.doc.security.policies:
            self.warn(policy.id, f"{what} row-level security policies; policy {policy.name!r} not emitted")
        return []
