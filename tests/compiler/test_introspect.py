"""Live introspection (PostgreSQL, MariaDB, SQLite) against exact and offline import of the same file.

Each corpus file is loaded with the engine's own client (see test_import_roundtrip for the
rewrites) and introspected. On PostgreSQL that must equal importing the file with ``--exact``;
on every engine the offline import must agree with it on the outline below, apart from the
differences listed in ``OFFLINE_KNOWN`` (explained there and in docs/import.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from designs.compiler.document import Document
from designs.compiler.importing import import_text
from designs.compiler.parse.introspect import introspect
from designs.compiler.parse.sql import parse_sql
from tests.compiler.test_import_roundtrip import CASES, Scratch, corpus_text, load_original
from tests.services import postgres_url, scratch_mysql, scratch_postgres, scratch_sqlite


@pytest.fixture(scope="module")
def scratches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Scratch]]:
    tmp = tmp_path_factory.mktemp("introspect")
    with scratch_postgres("import2") as pg, scratch_mysql("import2") as my, scratch_sqlite(tmp) as lite:
        yield {"postgresql": Scratch("postgresql", pg, tmp), "mysql": Scratch("mysql", my, tmp),
               "sqlite": Scratch("sqlite", lite, tmp)}


def without_positions(doc: Document) -> dict[str, Any]:
    """The document without what a layout adds (positions, areas) and without its name."""
    data = doc.to_data()
    for table in data["tables"]:
        table.pop("position", None)
    data.pop("areas", None)
    data.pop("name", None)
    return data


def outline(doc: Document) -> dict[str, Any]:
    """Per table: columns (type name, nullable), primary key, FKs, uniques, checks and index counts."""
    names = {c.id: c.name for t in doc.tables for c in t.columns}
    tables = {t.id: t.name for t in doc.tables}
    out: dict[str, Any] = {}
    for table in doc.tables:
        key = f"{table.schema_}.{table.name}" if table.schema_ else table.name
        out[key] = {
            "columns": {c.name: (c.type.name, c.nullable) for c in table.columns},
            "primary key": [names[c] for c in table.primary_key.columns] if table.primary_key else [],
            "foreign keys": sorted(
                (tuple(names[c] for c in r.from_columns), tables[r.to_table], r.on_delete, r.on_update)
                for r in doc.relationships if r.from_table == table.id),
            "uniques": sorted(tuple(names[c] for c in u.columns) for u in table.uniques),
            "checks": len(table.checks),
            "indexes": len(table.indexes),
        }
    return out


def outline_diff(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for table in sorted(set(a) | set(b)):
        if table not in a or table not in b:
            out.append((table, "table"))
            continue
        for aspect in a[table]:
            if aspect == "columns":
                for column in sorted(set(a[table]["columns"]) | set(b[table]["columns"])):
                    if a[table]["columns"].get(column) != b[table]["columns"].get(column):
                        out.append((table, f"column {column}"))
            elif a[table][aspect] != b[table][aspect]:
                out.append((table, aspect))
    return out


# Where the offline import and introspection of the loaded file differ, and why (docs/import.md).
_FN = "offline import skips an index over a function the file defines; the live database has it"
_MARIA_FK_INDEX = "MariaDB creates an index for a foreign key no index covers; introspection sees it"
_RESTRICT = "SQLAlchemy reads MariaDB's RESTRICT back as no action (the same thing in MySQL)"
OFFLINE_KNOWN: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("postgresql", "pagila_schema.sql"): [
        ("film", "column release_year", "offline: domain year → integer + check; live: the domain, kept as raw"),
        ("film", "checks", "... the domain's check is on the domain, not the table"),
    ],
    ("postgresql", "danbooru_structure.sql"): [("artists", "indexes", _FN), ("tags", "indexes", _FN),
                                              ("wiki_pages", "indexes", _FN)],
    ("mysql", "sakila_schema.sql"): [
        ("film", "column release_year", "YEAR: offline maps it to year; introspection reads YEAR(4), kept as raw"),
        *[(t, "foreign keys", _RESTRICT) for t in ("address", "city", "customer", "film", "film_actor",
                                                   "film_category", "inventory", "payment", "rental", "staff",
                                                   "store")],
        *[(t, "indexes", _MARIA_FK_INDEX) for t in ("film_category", "payment", "rental", "store")],
    ],
    ("mysql", "employees.sql"): [(t, "indexes", _MARIA_FK_INDEX) for t in ("departments", "dept_emp", "dept_manager")],
}


@pytest.mark.parametrize(("dialect", "name"), [c for c in CASES if c[0] == "postgresql"],
                         ids=[n for d, n in CASES if d == "postgresql"])
def test_introspecting_a_loaded_postgres_file_equals_exact_import(scratches: dict[str, Scratch], dialect: str,
                                                                 name: str) -> None:
    scratch = scratches[dialect]
    load_original(scratch, name)
    live, _ = introspect(scratch.url)
    exact = import_text(corpus_text(dialect, name), "postgres", exact_url=postgres_url()).document
    assert without_positions(live) == without_positions(exact)


@pytest.mark.parametrize(("dialect", "name"), CASES, ids=[f"{d}/{n}" for d, n in CASES])
def test_introspection_and_offline_import_agree(scratches: dict[str, Scratch], dialect: str, name: str) -> None:
    scratch = scratches[dialect]
    load_original(scratch, name)
    live, _ = introspect(scratch.url)
    offline = parse_sql(corpus_text(dialect, name), dialect).document
    known = {(t, a) for t, a, _ in OFFLINE_KNOWN.get((dialect, name), [])}
    assert [d for d in outline_diff(outline(offline), outline(live)) if d not in known] == []
