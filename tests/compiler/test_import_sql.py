"""Offline SQL import over the corpus, detection, layout and bad input: every answer positioned."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbstudio.cli import main
from designs.compiler.importing import decode, import_bytes, import_text
from designs.compiler.parse.detect import detect
from designs.compiler.parse.errors import ParseError
from designs.compiler.parse.sql import parse_sql

CORPUS = Path("/work/shared/corpus")
# file → (dialect, tables, foreign keys) as the importer must find them.
EXPECTED = {
    "postgres/chinook.sql": ("postgresql", 11, 11),
    "postgres/northwind.sql": ("postgresql", 14, 13),
    "postgres/pagila_schema.sql": ("postgresql", 16, 19),
    "postgres/pagila_schema_jsonb.sql": ("postgresql", 2, 0),
    "postgres/employees_schema.sql": ("postgresql", 6, 6),
    "postgres/danbooru_structure.sql": ("postgresql", 66, 93),
    "mysql/sakila_schema.sql": ("mysql", 16, 22),
    "mysql/chinook.sql": ("mysql", 11, 11),
    "mysql/employees.sql": ("mysql", 6, 6),
    "sqlite/chinook.sql": ("sqlite", 11, 11),
}


@pytest.fixture(scope="module")
def imported() -> dict[str, object]:
    return {name: parse_sql((CORPUS / name).read_text("utf-8"), d) for name, (d, _, _) in EXPECTED.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_file_imports_with_its_tables_and_keys(imported: dict, name: str) -> None:
    result = imported[name]
    _, tables, fks = EXPECTED[name]
    assert (len(result.document.tables), len(result.document.relationships)) == (tables, fks)


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("postgres/northwind.sql", "skipped INSERT: 3362 statements"),
        ("postgres/pagila_schema.sql", "skipped CREATE TRIGGER: 16 statements"),
        ("mysql/sakila_schema.sql", "skipped CREATE PROCEDURE: 3 statements"),
        ("postgres/chinook.sql", "skipped client command \\c: 1 statement"),
        ("mysql/employees.sql", "skipped client command source: 9 statements"),
    ],
)
def test_what_is_skipped_is_reported_by_kind_and_line(imported: dict, name: str, skipped: str) -> None:
    assert any(w.startswith(skipped) and "line" in w for w in imported[name].warnings)


def test_the_supabase_file_reports_its_upstream_syntax_error_at_the_right_line() -> None:
    text = (CORPUS / "postgres/supabase_slack_clone_full_schema.sql").read_text("utf-8")
    with pytest.raises(ParseError) as caught:
        parse_sql(text, "postgresql")
    assert (caught.value.line, caught.value.column) == (207, 1)


def test_pagila_keeps_enums_domains_partitions_identity_and_generated_columns(imported: dict) -> None:
    doc = imported["postgres/pagila_schema.sql"].document
    tables = {t.name: t for t in doc.tables}
    assert [e.name for e in doc.enums] == ["mpaa_rating"]
    assert tables["payment"].partitioning and len(tables["payment"].partitioning.partitions) == 55
    film = {c.name: c for c in tables["film"].columns}
    assert film["release_year"].type.name == "integer"  # the domain year, as its base type
    assert any("1901" in c.expression for c in tables["film"].checks)
    assert film["length_hours"].generated and not film["length_hours"].generated.stored
    assert film["film_id"].type.name == "serial"  # nextval of its owned sequence


def test_mysql_types_unsigned_enums_and_auto_increment_survive(imported: dict) -> None:
    doc = imported["mysql/sakila_schema.sql"].document
    film = {c.name: c for c in next(t for t in doc.tables if t.name == "film").columns}
    assert film["rating"].type.name == "enum"
    assert film["film_id"].identity is not None
    assert film["film_id"].type.unsigned


def test_partial_expression_and_method_indexes_are_kept(imported: dict) -> None:
    doc = imported["postgres/danbooru_structure.sql"].document
    indexes = [i for t in doc.tables for i in t.indexes]
    assert any(i.where for i in indexes)
    assert any(i.method == "gin" for i in indexes)
    assert any(c.expression for i in indexes for c in i.columns)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CREATE TABLE `a` (id INT AUTO_INCREMENT) ENGINE=InnoDB;", "mysql"),
        ("CREATE TABLE [a] ([id] INTEGER PRIMARY KEY AUTOINCREMENT);", "sqlite"),
        ("CREATE TABLE a (id serial, b text DEFAULT 'x'::text);", "postgres"),
        ("erDiagram\n  A ||--o{ B : has\n", "mermaid"),
        ("Table users {\n  id int [pk]\n}\n", "dbml"),
        ('{"format": 1}', "json"),
    ],
)
def test_the_format_is_detected(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("raw", "fmt", "message", "line"),
    [
        (b"", None, "empty", 1),
        (b"   \n\n", None, "empty", 1),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "binary", 3),
        (b"CREATE TABLE a (\n  b text -- \xff\n);", "postgres", "UTF-8", 2),
        (b"CREATE TABLE a (id int,\n  b text", "postgres", "", 2),
        (b"CREATE TABLE a (b text DEFAULT 'x);", "postgres", "never closed", 1),
        (b"CREATE TABLE `a` (id int);", "postgres", "", 1),
        (b"hello world", None, "could not tell", 1),
        (b"CREATE TABLE a (b int CHECK (" + b"(" * 3000 + b"1" + b")" * 3000 + b"));", "postgres", "", 1),
        (b'{"format": 1, "tables": [', "json", "", 1),
    ],
)
def test_bad_input_is_a_positioned_error(raw: bytes, fmt: str | None, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        import_bytes(raw, fmt)
    assert message in caught.value.message
    assert caught.value.line == line


def test_the_size_cap_is_configurable() -> None:
    with pytest.raises(ParseError, match="limit"):
        decode(b"x" * 101, max_bytes=100)


def test_an_import_gets_a_layered_layout_parents_left_of_children() -> None:
    text = "CREATE TABLE p (id int primary key); CREATE TABLE c (id int, p int references p);"
    doc = import_text(text, "postgres").document
    pos = {t.name: t.position for t in doc.tables}
    assert pos["p"].x < pos["c"].x


def test_an_import_groups_tables_sharing_a_prefix_into_areas_and_a_placed_json_import_is_kept() -> None:
    text = "".join(f"CREATE TABLE {p}_{n} (id int primary key);" for p in ("crm", "hr") for n in ("a", "b", "c"))
    doc = import_text(text, "postgres").document
    assert sorted(a.name for a in doc.areas) == ["crm", "hr"]
    placed = doc.model_copy(update={"areas": []}).to_data()
    again = import_text(json.dumps(placed), "json").document
    assert again.areas == [] and [t.position for t in again.tables] == [t.position for t in doc.tables]


@pytest.mark.parametrize(
    ("args", "code", "expect"),
    [
        (["import", str(CORPUS / "sqlite/chinook.sql")], 0, '"name": "Album"'),
        (["import", "--from", "mysql", str(CORPUS / "mysql/employees.sql")], 0, '"name": "dept_emp"'),
        (["import", str(CORPUS / "postgres/supabase_slack_clone_full_schema.sql")], 1, "line 207"),
        (["import", "/nonexistent.sql"], 1, "No such file"),
    ],
)
def test_the_cli_imports_or_fails_with_exit_1(args: list[str], code: int, expect: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(args, out, err) == code
    assert expect in out.getvalue() + err.getvalue()
    assert "Traceback" not in err.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.sampled_from(["postgres", "mysql", "sqlite"]))
def test_any_text_either_imports_or_fails_with_a_position(text: str, fmt: str) -> None:
    try:
        import_text("CREATE TABLE t (" + text, fmt)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
