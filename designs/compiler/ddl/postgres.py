"""PostgreSQL, the first-class target: everything in the design has a PostgreSQL form.

Order of the script: extensions, schemas, enum types, tables (with their partitions), foreign
keys as ALTER TABLE (so reference cycles load), indexes, comments, triggers, security. Triggers,
roles, grants, RLS and policies have no SQLAlchemy construct; their renderers below quote every
identifier with the dialect's preparer and every string with its literal renderer.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.schema import CreateSchema, SetColumnComment, SetTableComment

from ..document import Column, Partition, Table
from .base import Emitter

# Extensions a design needs, found by what its SQL mentions: (extension, pattern).
EXTENSIONS: tuple[tuple[str, str], ...] = (
    ("pgcrypto", r"\b(gen_random_uuid|gen_random_bytes|crypt|gen_salt|digest|hmac)\s*\("),
    ("uuid-ossp", r"\buuid_generate_v[1345]\w*\s*\("),
    ("pg_trgm", r"\b(gin_trgm_ops|gist_trgm_ops|similarity|word_similarity)\b"),
    ("citext", r"\bcitext\b"),
)
SERIAL_BASE = {"smallserial": sa.SMALLINT, "serial": sa.INTEGER, "bigserial": sa.BIGINT}
COLUMN_PRIVILEGES = frozenset({"select", "insert", "update", "references", "all"})
UPDATED_AT_FUNCTION = "dbstudio_set_updated_at"
AUDIT_FUNCTION = "dbstudio_audit"


class PostgresEmitter(Emitter):
    name = "postgresql"
    dialect_class = PGDialect
    engine_max_identifier_bytes = 63
    schemas = True
    enum_mode = "type"
    arrays = True
    partial_indexes = True
    include_columns = True
    index_methods = frozenset({"btree", "hash", "gin", "gist", "brin", "spgist"})
    index_nulls_order = True
    opclasses = True
    deferrable = True
    comments = "statement"
    virtual_generated = False  # PostgreSQL 15 has STORED generated columns only
    nulls_not_distinct = True

    # ---- building ------------------------------------------------------------------------
    def enum_type(self, enum_id: str) -> sa.types.TypeEngine[Any]:
        enum = self.doc_enums[enum_id]
        assert enum is not None
        return postgresql.ENUM(
            *enum.values, name=enum.name, schema=self.schema_of(enum.schema_), create_type=False, metadata=self.metadata
        )

    def identity(self, table: Table, column: Column, args: list[Any], kwargs: dict[str, Any]) -> None:
        if column.identity is None:
            return  # a serial type: the SERIAL keyword from the type table does it
        if column.type.name in SERIAL_BASE:
            self.warn(column.id, "a serial column with an identity; the identity is used")
            kwargs["type"] = SERIAL_BASE[column.type.name]()
        ident = column.identity
        args.append(sa.Identity(always=ident.always, start=ident.start, increment=ident.increment))
        kwargs["autoincrement"] = "auto"

    def table_options(self, table: Table) -> dict[str, Any]:
        options = super().table_options(table)
        if table.partitioning:
            keys = []
            for key in table.partitioning.key:
                if key.column is not None:
                    column = table.column(key.column)
                    assert column is not None
                    keys.append(self.quote(self.column_name(column)))
                else:
                    keys.append(f"({key.expression})")
            options["postgresql_partition_by"] = f"{table.partitioning.strategy.upper()} ({', '.join(keys)})"
        return options

    # ---- helpers -------------------------------------------------------------------------
    def qualified(self, schema: str | None, name: str) -> str:
        """schema.name, always qualified: function bodies must not depend on search_path."""
        return f"{self.preparer.quote_schema(schema or 'public')}.{self.quote(name)}"

    @staticmethod
    def dollar_quote(body: str) -> str:
        """Quote a function or DO body with a dollar tag that does not occur inside it."""
        tag, n = "$dbstudio$", 1
        while tag in body:
            n += 1
            tag = f"$dbstudio{n}$"
        return f"{tag}\n{body}\n{tag}"

    def _sql_texts(self) -> list[str]:
        texts: list[str] = []
        for table in self.doc.tables:
            for column in table.columns:
                if column.default and column.default.kind == "expression":
                    texts.append(str(column.default.value))
                if column.generated:
                    texts.append(column.generated.expression)
                if column.type.name == "citext" and not (column.type.raw and self.name in column.type.raw):
                    texts.append("citext")
                if column.type.raw and self.name in column.type.raw:
                    texts.append(column.type.raw[self.name])
            texts.extend(c.expression for c in table.checks)
            for index in table.indexes:
                texts.extend(k.expression or "" for k in index.columns)
                texts.extend(k.opclass or "" for k in index.columns)
                texts.append(index.where or "")
        for policy in self.doc.security.policies:
            texts.extend([policy.using or "", policy.with_check or ""])
        return texts

    # ---- stages --------------------------------------------------------------------------
    def extensions(self) -> list[str]:
        texts = "\n".join(self._sql_texts())
        return [
            f"CREATE EXTENSION IF NOT EXISTS {self.quote(extension)}"
            for extension, pattern in EXTENSIONS
            if re.search(pattern, texts, re.IGNORECASE)
        ]

    def create_schemas(self) -> list[str]:
        names = [self.schema_of(t.schema_) for t in self.doc.tables]
        names += [self.schema_of(e.schema_) for e in self.doc.enums]
        names.append(self.schema_of(None))
        unique = list(dict.fromkeys(n for n in names if n))
        return [self.compile(CreateSchema(n, if_not_exists=True)) for n in unique]

    def create_types(self) -> list[str]:
        return [self.compile(postgresql.CreateEnumType(t)) for t in self.enum_types.values()]

    def after_table(self, table: Table) -> list[str]:
        if not table.partitioning:
            return []
        parent = self.table_ref(table.id)
        schema = self.schema_of(table.schema_)
        out = []
        for part in table.partitioning.partitions:
            name = self.preparer.format_table(sa.Table(part.name, sa.MetaData(), schema=schema))
            out.append(f"CREATE TABLE {name} PARTITION OF {parent} {self._bound(table, part)}")
        return out

    @staticmethod
    def _bound(table: Table, part: Partition) -> str:
        # Bounds are SQL literals written in the design, like check expressions.
        assert table.partitioning is not None
        if part.is_default:
            return "DEFAULT"
        strategy = table.partitioning.strategy
        if strategy == "list":
            return f"FOR VALUES IN ({', '.join(part.values)})"
        if strategy == "range":
            return f"FOR VALUES FROM ({', '.join(part.from_values)}) TO ({', '.join(part.to_values)})"
        return f"FOR VALUES WITH (MODULUS {part.modulus}, REMAINDER {part.remainder})"

    def create_comments(self) -> list[str]:
        out: list[str] = []
        for enum in self.doc.enums:
            if enum.comment:
                ref = self.qualified(self.schema_of(enum.schema_), enum.name)
                out.append(f"COMMENT ON TYPE {ref} IS {self.literal(enum.comment)}")
        for table in self.doc.tables:
            t = self.tables[table.id]
            if table.comment:
                out.append(self.compile(SetTableComment(t)))
            out.extend(self.compile(SetColumnComment(t.c[c.id])) for c in table.columns if c.comment)
        for index, built in self.indexes:
            if index.comment:
                ref = self.qualified(built.table.schema if built.table is not None else None, str(built.name))
                out.append(f"COMMENT ON INDEX {ref} IS {self.literal(index.comment)}")
        for rel, fk in self.foreign_keys:
            if rel.comment:
                out.append(
                    f"COMMENT ON CONSTRAINT {self.quote(str(fk.name))} ON {self.table_ref(rel.from_table)} "
                    f"IS {self.literal(rel.comment)}"
                )
        if self.audit_table is not None:
            out.append(self.compile(SetTableComment(self.audit_table)))
        return out

    def triggers(self) -> list[str]:
        out: list[str] = []
        # One trigger function per maintained column name: updated_at's is the shared
        # dbstudio_set_updated_at; another name (options.updated_at_column) gets its own.
        by_column: dict[str, list[Table]] = {}
        for table in self.doc.tables:
            if not self.uses_updated_at_trigger(table):
                continue
            column = self.updated_at_column(table)
            if column is None:
                self.warn(table.id, "updated_at trigger needs a column named updated_at; no trigger")
            else:
                by_column.setdefault(self.column_name(column), []).append(table)
        for name, tables in by_column.items():
            plain = name.lower() == "updated_at"
            function_name = UPDATED_AT_FUNCTION if plain else self.namer.fit(f"dbstudio_set_{name.lower()}")
            function = self.qualified(self.schema_of(None), function_name)
            body = f"BEGIN\n    NEW.{self.quote(name)} := now();\n    RETURN NEW;\nEND;"
            out.append(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {self.dollar_quote(body)}"
            )
            for table in tables:
                trigger = self.quote(self.namer.fit(f"{table.name}_set_{name.lower()}"))
                out.append(
                    f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {self.table_ref(table.id)} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
        audited = [t for t in self.doc.tables if t.options.audit]
        if audited and self.audit_table is not None:
            out.extend(self._audit(audited))
        return out

    def _audit(self, tables: list[Table]) -> list[str]:
        assert self.audit_table is not None
        function = self.qualified(self.schema_of(None), AUDIT_FUNCTION)
        audit = self.qualified(self.audit_table.schema, self.audit_table.name)
        insert = f"INSERT INTO {audit} (operation, table_schema, table_name, old_row, new_row)"
        body = (
            "BEGIN\n"
            f"    {insert}\n"
            "    VALUES (TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME,\n"
            "            CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,\n"
            "            CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END);\n"
            "    RETURN NULL;\n"
            "END;"
        )
        # SECURITY DEFINER so writers need no grant on the audit table; a fixed search_path
        # so a caller cannot substitute functions.
        out = [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {self.dollar_quote(body)}"
        ]
        for table in tables:
            trigger = self.quote(self.namer.fit(f"{table.name}_audit"))
            out.append(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {self.table_ref(table.id)} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        return out

    def security(self) -> list[str]:
        out: list[str] = []
        roles = {r.id: r for r in self.doc.security.roles}

        def grantee(role_id: str) -> str:
            return "PUBLIC" if role_id == "public" else self.quote(roles[role_id].name)

        for role in self.doc.security.roles:
            login = "LOGIN" if role.login else "NOLOGIN"
            # Roles belong to the cluster, not the database: create only when missing.
            body = (
                f"BEGIN\n    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = "
                f"{self.literal(role.name)}) THEN\n        CREATE ROLE {self.quote(role.name)} {login};\n"
                "    END IF;\nEND;"
            )
            out.append(f"DO {self.dollar_quote(body)}")
            if role.comment:
                out.append(f"COMMENT ON ROLE {self.quote(role.name)} IS {self.literal(role.comment)}")
        for role in self.doc.security.roles:
            out.extend(f"GRANT {grantee(parent)} TO {grantee(role.id)}" for parent in role.inherits)
        for grant in self.doc.security.grants:
            out.extend(self._grant(grant, grantee(grant.role)))
        for table in self.doc.tables:
            if table.rls.enabled:
                out.append(f"ALTER TABLE {self.table_ref(table.id)} ENABLE ROW LEVEL SECURITY")
            if table.rls.force:
                out.append(f"ALTER TABLE {self.table_ref(table.id)} FORCE ROW LEVEL SECURITY")
        for policy in self.doc.security.policies:
            target = self.doc_tables[policy.table]
            assert target is not None
            if not target.rls.enabled:
                self.warn(policy.id, "the table does not enable row-level security; the policy has no effect")
            kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
            to = ", ".join(grantee(r) for r in policy.roles) or "PUBLIC"
            text = (
                f"CREATE POLICY {self.quote(policy.name)} ON {self.table_ref(policy.table)} AS {kind} "
                f"FOR {policy.command.upper()} TO {to}"
            )
            if policy.using:
                text += f" USING ({policy.using})"
            if policy.with_check:
                text += f" WITH CHECK ({policy.with_check})"
            out.append(text)
        return out

    def _grant(self, grant: Any, to: str) -> list[str]:
        privileges = ["ALL PRIVILEGES" if p == "all" else p.upper() for p in grant.privileges]
        table_ids = grant.tables or [t.id for t in self.doc.tables]
        if not table_ids:
            return []
        if grant.columns:
            table = self.doc_tables[table_ids[0]]
            assert table is not None
            dropped = [p for p in grant.privileges if p not in COLUMN_PRIVILEGES]
            if dropped:
                self.warn(grant.id, f"{', '.join(dropped)} cannot be granted on columns; left out")
            names = ", ".join(self.quote(self.column_name(c)) for c in table.columns if c.id in grant.columns)
            privileges = [
                f"{'ALL' if p == 'all' else p.upper()} ({names})" for p in grant.privileges if p in COLUMN_PRIVILEGES
            ]
            if not privileges:
                return []
        targets = ", ".join(self.table_ref(t) for t in table_ids)
        return [f"GRANT {', '.join(privileges)} ON TABLE {targets} TO {to}"]
