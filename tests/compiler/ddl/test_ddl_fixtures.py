"""The fixture designs together cover every feature of the design format the DDL compiler handles.

Each row names a feature and a predicate over one fixture; the feature is covered when some fixture
satisfies it. A fixture edit that drops the last example of a feature fails here, not silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from designs.compiler.ddl import emit, metadata
from designs.compiler.document import PORTABLE_TYPES, Column, Document, Relationship, Table

from .conftest import FIXTURES, fixture

DOCS = {name: fixture(name) for name in FIXTURES}


def columns(doc: Document) -> Iterator[Column]:
    for table in doc.tables:
        yield from table.columns


def tables(doc: Document) -> list[Table]:
    return doc.tables


def rels(doc: Document) -> list[Relationship]:
    return doc.relationships


def names(doc: Document) -> Iterator[str]:
    for table in doc.tables:
        yield table.name
        yield from (c.name for c in table.columns)


def byte_lengths(doc: Document) -> set[int]:
    return {len(n.encode()) for n in names(doc)}


FEATURES: list[tuple[str, Callable[[Document], bool]]] = [
    ("a non-public schema", lambda d: any(t.schema_ for t in d.tables) or d.settings.default_schema != "public"),
    (
        "gen_random_uuid (pgcrypto)",
        lambda d: any(c.default and c.default.value == "gen_random_uuid()" for c in columns(d)),
    ),
    (
        "uuid_generate_v4 (uuid-ossp)",
        lambda d: any(c.default and c.default.value == "uuid_generate_v4()" for c in columns(d)),
    ),
    (
        "trigram opclass (pg_trgm)",
        lambda d: any(k.opclass and "trgm" in k.opclass for t in d.tables for i in t.indexes for k in i.columns),
    ),
    ("citext", lambda d: any(c.type.name == "citext" for c in columns(d))),
    ("an enum", lambda d: bool(d.enums)),
    ("an enum in another schema", lambda d: any(e.schema_ for e in d.enums)),
    ("identity ALWAYS", lambda d: any(c.identity and c.identity.always for c in columns(d))),
    ("identity BY DEFAULT", lambda d: any(c.identity and not c.identity.always for c in columns(d))),
    ("identity start", lambda d: any(c.identity and c.identity.start for c in columns(d))),
    ("identity increment", lambda d: any(c.identity and c.identity.increment for c in columns(d))),
    ("a literal default", lambda d: any(c.default and c.default.kind == "literal" for c in columns(d))),
    (
        "a NULL literal default",
        lambda d: any(c.default and c.default.kind == "literal" and c.default.value is None for c in columns(d)),
    ),
    ("an expression default", lambda d: any(c.default and c.default.kind == "expression" for c in columns(d))),
    ("a stored generated column", lambda d: any(c.generated and c.generated.stored for c in columns(d))),
    ("a virtual generated column", lambda d: any(c.generated and not c.generated.stored for c in columns(d))),
    ("a custom naming convention", lambda d: d.settings.naming.primary_key != "pk_{table}"),
    ("a composite foreign key", lambda d: any(len(r.from_columns) > 1 for r in rels(d))),
    ("a self-referencing foreign key", lambda d: any(r.from_table == r.to_table for r in rels(d))),
    (
        "a composite self-reference",
        lambda d: any(r.from_table == r.to_table and len(r.from_columns) > 1 for r in rels(d)),
    ),
    ("a deferrable foreign key", lambda d: any(r.deferrable and not r.initially_deferred for r in rels(d))),
    ("an initially deferred foreign key", lambda d: any(r.initially_deferred for r in rels(d))),
    (
        "a reference cycle",
        lambda d: any(
            a.from_table == b.to_table and a.to_table == b.from_table and a.from_table != a.to_table
            for a in rels(d)
            for b in rels(d)
        ),
    ),
    ("a relationship without columns", lambda d: any(not r.from_columns for r in rels(d))),
    ("a partial index", lambda d: any(i.where for t in d.tables for i in t.indexes)),
    ("an expression index", lambda d: any(k.expression for t in d.tables for i in t.indexes for k in i.columns)),
    ("an INCLUDE index", lambda d: any(i.include for t in d.tables for i in t.indexes)),
    ("a unique index", lambda d: any(i.unique for t in d.tables for i in t.indexes)),
    ("a DESC key", lambda d: any(k.order == "desc" for t in d.tables for i in t.indexes for k in i.columns)),
    ("NULLS FIRST", lambda d: any(k.nulls == "first" for t in d.tables for i in t.indexes for k in i.columns)),
    ("NULLS LAST", lambda d: any(k.nulls == "last" for t in d.tables for i in t.indexes for k in i.columns)),
    ("an opclass", lambda d: any(k.opclass for t in d.tables for i in t.indexes for k in i.columns)),
    ("an index comment", lambda d: any(i.comment for t in d.tables for i in t.indexes)),
    ("a table comment", lambda d: any(t.comment for t in d.tables)),
    ("a column comment", lambda d: any(c.comment for c in columns(d))),
    ("a foreign key comment", lambda d: any(r.comment for r in rels(d))),
    ("an enum comment", lambda d: any(e.comment for e in d.enums)),
    ("an updated_at trigger per table", lambda d: any(t.options.updated_at_trigger for t in d.tables)),
    ("an updated_at trigger design-wide", lambda d: d.settings.timestamps.updated_at_trigger),
    ("an audit trail", lambda d: any(t.options.audit for t in d.tables)),
    (
        "a custom audit table name",
        lambda d: d.settings.audit_table != "audit_log" and any(t.options.audit for t in d.tables),
    ),
    ("range partitions", lambda d: any(t.partitioning and t.partitioning.strategy == "range" for t in d.tables)),
    ("list partitions", lambda d: any(t.partitioning and t.partitioning.strategy == "list" for t in d.tables)),
    ("hash partitions", lambda d: any(t.partitioning and t.partitioning.strategy == "hash" for t in d.tables)),
    (
        "a default partition",
        lambda d: any(p.is_default for t in d.tables if t.partitioning for p in t.partitioning.partitions),
    ),
    (
        "a partition key expression",
        lambda d: any(k.expression for t in d.tables if t.partitioning for k in t.partitioning.key),
    ),
    ("a multi-column partition key", lambda d: any(len(t.partitioning.key) > 1 for t in d.tables if t.partitioning)),
    ("a role with login", lambda d: any(r.login for r in d.security.roles)),
    ("role membership", lambda d: any(r.inherits for r in d.security.roles)),
    ("a column grant", lambda d: any(g.columns for g in d.security.grants)),
    ("a grant on every table", lambda d: any(not g.tables for g in d.security.grants)),
    ("a grant to PUBLIC", lambda d: any(g.role == "public" for g in d.security.grants)),
    ("RLS enabled", lambda d: any(t.rls.enabled for t in d.tables)),
    ("RLS forced", lambda d: any(t.rls.force for t in d.tables)),
    ("a restrictive policy", lambda d: any(not p.permissive for p in d.security.policies)),
    ("an array column", lambda d: any(c.type.array for c in columns(d))),
    ("an unsigned column", lambda d: any(c.type.unsigned for c in columns(d))),
    ("a raw type", lambda d: any(c.type.raw for c in columns(d))),
    ("a collation", lambda d: any(c.collation for c in columns(d))),
    ("NULLS NOT DISTINCT", lambda d: any(u.nulls_not_distinct for t in d.tables for u in t.uniques)),
    ("a named check", lambda d: any(k.name for t in d.tables for k in t.checks)),
    ("reserved words as names", lambda d: {"order", "user", "select"} <= set(names(d))),
    ("an injected statement in a name", lambda d: 'x"; DROP TABLE y; --' in set(names(d))),
    ("a name with a space", lambda d: any(" " in n for n in names(d))),
    ("a Unicode name", lambda d: any(not n.isascii() for n in names(d))),
    ("a mixed-case name", lambda d: any(n != n.lower() and n != n.upper() for n in names(d))),
    ("a name of exactly 63 bytes", lambda d: 63 in byte_lengths(d)),
    ("a name longer than 63 bytes", lambda d: max(byte_lengths(d)) > 63),
    ("access patterns", lambda d: bool(d.access_patterns)),
    ("estimated rows", lambda d: any(t.estimated_rows for t in d.tables)),
]


def _type(name: str) -> Callable[[Document], bool]:
    return lambda d: any(c.type.name == name for c in columns(d))


def _action(clause: str, action: str) -> Callable[[Document], bool]:
    return lambda d: any(getattr(r, f"on_{clause}") == action for r in rels(d))


def _method(method: str) -> Callable[[Document], bool]:
    return lambda d: any(i.method == method for t in d.tables for i in t.indexes)


def _command(command: str) -> Callable[[Document], bool]:
    return lambda d: any(p.command == command for p in d.security.policies)


def _privilege(privilege: str) -> Callable[[Document], bool]:
    return lambda d: any(privilege in g.privileges for g in d.security.grants)


FEATURES += [(f"the {name} type", _type(name)) for name in PORTABLE_TYPES]
FEATURES += [
    (f"ON {clause.upper()} {action}", _action(clause, action))
    for clause in ("delete", "update")
    for action in ("no_action", "restrict", "cascade", "set_null", "set_default")
]
FEATURES += [(f"a {method} index", _method(method)) for method in ("btree", "hash", "gin", "gist", "brin")]
FEATURES += [(f"a policy FOR {c.upper()}", _command(c)) for c in ("all", "select", "insert", "update", "delete")]
FEATURES += [
    (f"the {privilege} privilege", _privilege(privilege))
    for privilege in ("select", "insert", "update", "delete", "truncate", "references", "trigger", "all")
]


@pytest.mark.parametrize(("feature", "present"), FEATURES, ids=[f for f, _ in FEATURES])
def test_some_fixture_covers_the_feature(feature: str, present: Callable[[Document], bool]) -> None:
    assert any(present(doc) for doc in DOCS.values()), f"no fixture has {feature}"


def test_there_are_at_least_22_fixtures_including_three_realistic_designs() -> None:
    assert len(FIXTURES) >= 22
    assert {"saas_multitenant", "ecommerce", "ledger"} <= set(FIXTURES)


# ---- long identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_every_name_over_the_limit_is_cut_with_a_hash_and_warned(dialect: str) -> None:
    doc = DOCS["long_identifiers"]
    result = emit(doc, dialect)
    md = metadata(doc, dialect)
    created = [t.name for t in md.tables.values()] + [c.name for t in md.tables.values() for c in t.columns]
    created += [str(i.name) for t in md.tables.values() for i in t.indexes]
    created += [str(k.name) for t in md.tables.values() for k in t.constraints]
    assert max(len(n.encode()) for n in created) <= 63
    assert len({t.name for t in md.tables.values()}) == len(doc.tables)  # shared 60-byte prefixes stay apart
    assert "é" * 31 + "x" in {t.name for t in md.tables.values()}  # exactly 63 bytes: kept as is
    cut = {w.object_id for w in result.warnings if "longer than the identifier limit" in w.message}
    assert {"t_long", "t_umlaut", "t_shared1", "t_shared2", "c_long_value", "i_long_explicit"} <= cut


def test_a_cut_name_ends_in_a_hash_of_the_full_name_at_a_character_boundary() -> None:
    md = metadata(DOCS["long_identifiers"], "postgresql")
    umlaut = next(t.name for t in md.tables.values() if t.name.startswith("ü"))
    prefix, _, digest = umlaut.rpartition("_")
    assert set(prefix) == {"ü"} and len(digest) == 8 and len(umlaut.encode()) <= 63


# ---- extensions and MySQL checks -----------------------------------------------------------------


def test_postgres_creates_every_extension_the_extensions_fixture_needs() -> None:
    statements = emit(DOCS["extensions"], "postgresql").statements
    created = [s.split()[-1] for s in statements if s.startswith("CREATE EXTENSION")]
    assert created == ["pgcrypto", '"uuid-ossp"', "pg_trgm", "citext"]


def test_mysql_leaves_out_a_check_on_an_auto_increment_column_and_says_so() -> None:
    result = emit(DOCS["ecommerce"], "mysql")
    assert "parent_id <> id" not in result.sql
    assert any(w.object_id == "k_cat_parent" and "AUTO_INCREMENT" in w.message for w in result.warnings)
    assert "parent_id <> id" in emit(DOCS["ecommerce"], "postgresql").sql
