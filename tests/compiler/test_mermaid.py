"""Mermaid erDiagram printing and parsing: lossless round trips, Mermaid's own verdict, plain imports."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designs.compiler.document import Document
from designs.compiler.parse.errors import ParseError
from designs.compiler.parse.mermaid import parse_mermaid
from designs.compiler.text.mermaid import print_mermaid
from designs.compiler.validate import load, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests/fixtures/designs").glob("*.json"))
CORPUS = Path("/work/shared/corpus/mermaid")
JS = ROOT / "tests/js"

HOSTILE_NAMES = [
    "order", 'x"; DROP TABLE y; --', "two words", "Ünïcode 名前", "MixedCase", "one", "end", "to-do", "class",
    "u-turn", "100% sure", "back\\slash", "line\nbreak", "tab\there", "direction TB", "ends with =", "pk",
    "uk-1", "tilde~name", "`tick`", " padded ", "a.b", "emoji 🎉", "\u00a0nbsp", "%% not a comment", "erDiagram",
    "x%%{init: 1}", "<a b=",
]


def _column(cid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "type": {"name": "integer"}, **extra}


def kitchen_sink() -> dict[str, Any]:
    """One document using every feature the format has, with names Mermaid cannot write plainly."""
    hostile_columns = [_column(f"c_h{i}", name) for i, name in enumerate(HOSTILE_NAMES)]
    return {
        "name": "Kitchen \"sink\" ✓",
        "description": "Line one\nline two with a } brace",
        "settings": {"default_schema": "app", "target": "mysql", "naming": {"table_case": "any"},
                     "timestamps": {"created_at": True}, "review": {"rules": {"fk-index": "off"}}},
        "enums": [
            {"id": "e_status", "name": "status", "values": ["new", "done"], "comment": "state"},
            {"id": "e_text", "name": "text", "values": ["shadow"]},
        ],
        "tables": [
            {
                "id": "t_customers", "name": "customers", "comment": "people", "position": {"x": 10.5, "y": -20},
                "color": "#A0b0C0", "estimated_rows": 1000, "growth_rows_per_month": 10, "tags": ["pii"],
                "rls": {"enabled": True}, "options": {"audit": True, "updated_at_trigger": True},
                "columns": [
                    _column("c_cust_id", "id", type={"name": "bigint"}, nullable=False,
                            identity={"always": True, "start": 10, "increment": 2}),
                    _column("c_cust_email", "email", type={"name": "varchar", "length": 320}, nullable=False,
                            comment="login e-mail", collation="C", example="a@b.c", tags=["pii", "login"]),
                    _column("c_cust_status", "status", type={"name": "enum", "enum": "e_status"},
                            default={"kind": "literal", "value": "new"}),
                    _column("c_cust_shadow", "shadowed", type={"name": "text"}),
                    _column("c_cust_enum_text", "enum_text", type={"name": "enum", "enum": "e_text"}),
                    _column("c_cust_money", "balance",
                            type={"name": "numeric", "precision": 12, "scale": 2, "unsigned": True},
                            default={"kind": "literal", "value": 0}),
                    _column("c_cust_tags", "labels", type={"name": "text", "array": 2}, comment='has "quotes"'),
                    _column("c_cust_raw", "path", type={"name": "raw", "raw": {"mysql": "geometry",
                                                                               "postgresql": "ltree"}}),
                    _column("c_cust_raw2", "spaced", type={"name": "raw", "raw": {"mysql": "double precision"}}),
                    _column("c_cust_total", "total", type={"name": "numeric", "precision": 10},
                            generated={"expression": "balance * 2", "stored": False}),
                    _column("c_cust_ts", "created_at", type={"name": "timestamptz", "precision": 3},
                            default={"kind": "expression", "value": "now()"}, comment=""),
                    _column("c_cust_flag", "flag", type={"name": "boolean"}, default={"kind": "literal", "value": True},
                            comment="ends with ="),
                ],
                "primary_key": {"name": "customers_pkey", "columns": ["c_cust_id"]},
                "uniques": [{"id": "u_cust_email", "columns": ["c_cust_email"], "nulls_not_distinct": True},
                            {"id": "u_cust_pair", "name": "uq_pair", "columns": ["c_cust_status", "c_cust_money"]}],
                "checks": [{"id": "k_cust_bal", "name": "balance_positive", "expression": "balance >= 0"}],
                "indexes": [{"id": "i_cust_email", "name": "idx_email", "columns": [
                    {"column": "c_cust_email", "order": "desc", "nulls": "last", "opclass": "text_pattern_ops"},
                    {"expression": "lower(email)"}], "where": "status <> 'done'", "include": ["c_cust_id"],
                    "comment": "lookup"}],
            },
            {
                "id": "t_orders", "name": "orders", "schema": "sales",
                "columns": [
                    _column("c_ord_id", "id", nullable=False),
                    _column("c_ord_at", "placed_at", type={"name": "date"}, nullable=False),
                    _column("c_ord_cust", "customer_id", type={"name": "bigint"}),
                ],
                "primary_key": {"columns": ["c_ord_at", "c_ord_id"]},
                "partitioning": {"strategy": "range", "key": [{"column": "c_ord_at"}], "partitions": [
                    {"id": "p_2024", "name": "orders_2024", "from_values": ["'2024-01-01'"],
                     "to_values": ["'2025-01-01'"]},
                    {"id": "p_def", "name": "orders_other", "is_default": True}]},
            },
            {"id": "t_hostile", "name": "hostile columns", "columns": hostile_columns},
            {"id": "t_dotted", "name": "a.t", "columns": []},
            {"id": "t_schema_t", "name": "t", "schema": "a", "columns": []},
            {"id": "t_dot_schema", "name": "t", "schema": "x.y", "columns": []},
            *[{"id": f"t_name{i}", "name": name} for i, name in enumerate(HOSTILE_NAMES)],
        ],
        "relationships": [
            {"id": "r_ord_cust", "name": "fk_orders_customer", "from_table": "t_orders",
             "from_columns": ["c_ord_cust"], "to_table": "t_customers", "to_columns": ["c_cust_id"],
             "on_delete": "set_null", "on_update": "cascade", "from_cardinality": "one_or_many",
             "to_cardinality": "zero_or_one", "identifying": True, "deferrable": True, "initially_deferred": True,
             "label": "places", "comment": "who ordered"},
            {"id": "r_entity", "from_table": "t_hostile", "to_table": "t_dotted", "label": 'say "hi"'},
            {"id": "r_empty_label", "from_table": "t_name0", "to_table": "t_name1", "label": "",
             "from_cardinality": "exactly_one", "to_cardinality": "one_or_many"},
            {"id": "r_reserved_label", "from_table": "t_name2", "to_table": "t_name3", "label": "many",
             "from_cardinality": "zero_or_one"},
            {"id": "r_direction_label", "from_table": "t_name4", "to_table": "t_name4", "label": "direction LR"},
            *[{"id": f"r_h{i}", "from_table": f"t_name{i}", "to_table": "t_customers", "label": name}
              for i, name in enumerate(HOSTILE_NAMES)],
        ],
        "notes": [{"id": "n_1", "text": "remember\nthis", "position": {"x": 1, "y": 2}, "size": {"width": 10},
                   "color": "#ffffff", "anchor": "t_customers"}],
        "areas": [{"id": "a_1", "name": "Sales", "position": {"x": 5}, "color": "#000000"}],
        "access_patterns": [{"id": "ap_1", "name": "by email", "table": "t_customers", "equality": ["c_cust_email"],
                             "order_by": [{"column": "c_cust_id", "order": "desc"}], "limit": 1,
                             "calls_per_minute": 60, "target_latency_ms": 5}],
        "security": {
            "roles": [{"id": "ro_app", "name": "app", "login": True}, {"id": "ro_admin", "name": "admin",
                                                                     "inherits": ["ro_app"]}],
            "grants": [{"id": "g_1", "role": "ro_app", "privileges": ["select", "insert"], "tables": ["t_customers"],
                        "columns": ["c_cust_email"]}],
            "policies": [{"id": "po_1", "name": "own rows", "table": "t_customers", "command": "select",
                          "roles": ["ro_app"], "using": "id = current_setting('app.user')::bigint"}],
        },
    }


def minimal_designs() -> dict[str, dict[str, Any]]:
    return {
        "empty": {},
        "default named": {"name": "Untitled design"},
        "null named": {"name": "null"},
        "table without columns": {"tables": [{"id": "t1", "name": "t"}]},
        "kitchen sink": kitchen_sink(),
    }


DOCUMENTS: dict[str, Document] = {f"fixture {p.stem}": load(json.loads(p.read_text())) for p in FIXTURES}
DOCUMENTS |= {name: load(data) for name, data in minimal_designs().items()}


def test_the_kitchen_sink_is_a_valid_design() -> None:
    _, problems = validate(kitchen_sink())
    assert problems == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_printing_then_parsing_gives_the_same_document(name: str) -> None:
    doc = DOCUMENTS[name]
    result = parse_mermaid(print_mermaid(doc))
    assert result.document.to_data() == doc.to_data()
    assert result.warnings == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_printing_is_deterministic_and_a_fixed_point(name: str) -> None:
    text = print_mermaid(DOCUMENTS[name])
    assert print_mermaid(DOCUMENTS[name]) == text
    assert print_mermaid(parse_mermaid(text).document) == text


def _mermaid_verdicts(texts: list[str]) -> list[dict[str, Any]]:
    if shutil.which("node") is None or not (JS / "node_modules/mermaid").is_dir():
        pytest.skip("needs node and `npm install` in tests/js (the pinned Mermaid)")
    done = subprocess.run(["node", str(JS / "mermaid_parse.mjs")], input=json.dumps(texts), capture_output=True,
                          text=True, check=True, timeout=120)
    verdicts: list[dict[str, Any]] = json.loads(done.stdout)
    return verdicts


def test_the_pinned_mermaid_accepts_every_printed_text() -> None:
    names = sorted(DOCUMENTS)
    verdicts = _mermaid_verdicts([print_mermaid(DOCUMENTS[n]) for n in names])
    assert {n: v["error"] for n, v in zip(names, verdicts, strict=True) if not v["ok"]} == {}


def test_our_parser_agrees_with_the_pinned_mermaid_on_the_corpus_and_edge_cases() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*/*.mmd"))] + list(AGREEMENT)
    verdicts = _mermaid_verdicts(texts)
    ours = []
    for text in texts:
        try:
            parse_mermaid(text)
            ours.append(True)
        except ParseError:
            ours.append(False)
    assert [(t, o) for t, o, v in zip(texts, ours, verdicts, strict=True) if o != v["ok"]] == []


AGREEMENT = [
    "erDiagram A", "erDiagram\n%%\nA", "erDiagram\nA\n%% x", "  \n\nerDiagram\nA", "erdiagram\nA",
    "erDiagram\n to-do ||--o{ a : x", "erDiagram\n A {\n int pk-id\n}", "erDiagram\n A {\n int pk_id\n}",
    "erDiagram\n A {\n string? a\n }", "erDiagram\n A {\n `first name` `double precision`\n }",
    "erDiagram\n A |o--o| B : x\n %%{init: {}}%%\n", "erDiagram\n subgraph X\n A\n end\n", "erDiagram\n end\n",
    "erDiagram\n A ||--o{ B : \"\"", "erDiagram\n A ||--o{ B", "erDiagram\n A : x", "erDiagram\n A[\"x\"] ||--|| B : y",
    "erDiagram\n style A fill:#fff\n", "erDiagram\n A\n style A fill:0.5\n", "erDiagram\n classDef foo\n",
    "erDiagram\n A 1 to 0+ B : x", "erDiagram\n A u--|| B : x", "erDiagram\n A { int a \"c\" PK }",
    "erDiagram\n A { int a PK, FK, UK \"c\" int b }", "erDiagram\n 123abc", "erDiagram\n A {",
    "erDiagram\n A ||--o{ B : has many", "---\ntitle: [\n---\nerDiagram\nA", "erDiagram\n \"a%b\"",
    "erDiagram\n A::: x", "erDiagram\n A:::x,y ||--|| B:::z : w", "erDiagram\n class A x\n A",
]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("valid/*.mmd")), ids=lambda p: p.name)
def test_it_imports_every_valid_corpus_file(path: Path) -> None:
    result = parse_mermaid(path.read_text(encoding="utf-8"))
    assert result.document.tables, "every corpus diagram names at least one entity"
    assert validate(result.document.to_data())[1] == []


@pytest.mark.parametrize("path", sorted(CORPUS.glob("invalid/*.mmd")), ids=lambda p: p.name)
def test_it_rejects_every_invalid_corpus_file_with_a_position(path: Path) -> None:
    with pytest.raises(ParseError) as caught:
        parse_mermaid(path.read_text(encoding="utf-8"))
    assert caught.value.line >= 2 and caught.value.column >= 1


@pytest.mark.parametrize(("text", "line", "column", "fragment"), [
    ("", 1, 1, "expected 'erDiagram'"),
    ("graph TD\n A-->B", 1, 1, "expected 'erDiagram'"),
    ("erDiagram\n  A ||--o{ B places", 2, 14, "expected ':'"),
    ("erDiagram\n  A ||--o{ : x", 2, 12, "expected an entity name"),
    ("erDiagram\n  A {\n    int\n  }", 4, 3, "expected an attribute name"),
    ("erDiagram\n  A {\n    int x PK,\n  }", 4, 3, "expected a key"),
    ("erDiagram\n  A {\n    int x", 3, 10, "found end of text"),
    ("erDiagram\n  A ||~~o{ B : x", 2, 7, "expected '--', '..', 'to' or 'optionally to', found '~'"),
    ("erDiagram\n  Blo#rf", 2, 6, "found '#'"),
    ("erDiagram\n  A\n  %% @dbstudio table {\"id\": }", 3, 29, "invalid JSON"),
    ("erDiagram\n  %% @dbstudio tabel {}", 2, 16, "unknown directive kind 'tabel'"),
    ("erDiagram\n  A {\n  %% @dbstudio table {\"id\": \"no spaces allowed\"}\n  }", 3, 22, "invalid @dbstudio table"),
    ("---\ntitle: [\n---\nerDiagram\nA", 2, 9, "invalid YAML front-matter"),
    ("erDiagram\n  A {\n    int x\n  }\n  end", 5, 3, "expected a statement"),
])
def test_it_reports_where_the_text_is_wrong(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_mermaid(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


def _table(doc: Document, name: str) -> Any:
    return next(t for t in doc.tables if t.name == name)


@pytest.mark.parametrize(("word", "expected"), [
    ("int", {"name": "integer"}), ("integer", {"name": "integer"}), ("bigint", {"name": "bigint"}),
    ("string", {"name": "text"}), ("string(99)", {"name": "varchar", "length": 99}),
    ("varchar(255)", {"name": "varchar", "length": 255}), ("text", {"name": "text"}),
    ("bool", {"name": "boolean"}), ("boolean", {"name": "boolean"}), ("date", {"name": "date"}),
    ("datetime", {"name": "timestamp"}), ("timestamp(3)", {"name": "timestamp", "precision": 3}),
    ("float", {"name": "double"}), ("double", {"name": "double"}), ("real", {"name": "real"}),
    ("decimal(10,2)", {"name": "numeric", "precision": 10, "scale": 2}), ("uuid", {"name": "uuid"}),
    ("json", {"name": "json"}), ("jsonb", {"name": "jsonb"}), ("string[]", {"name": "text", "array": 1}),
    ("int[][]", {"name": "integer", "array": 2}), ("`double precision`", {"name": "double"}),
    ("`character varying(10)`", {"name": "varchar", "length": 10}), ("string?", {"name": "text"}),
    ("List~T~", {"name": "raw", "raw": {"postgresql": "List~T~"}}),
    ("geometry", {"name": "raw", "raw": {"postgresql": "geometry"}}),
    ("decimal(2,5)", {"name": "raw", "raw": {"postgresql": "decimal(2,5)"}}),
    ("int(11)", {"name": "raw", "raw": {"postgresql": "int(11)"}}),
])
def test_it_maps_mermaid_types_to_portable_types(word: str, expected: dict[str, Any]) -> None:
    doc = parse_mermaid(f"erDiagram\n  t {{\n    {word} c\n  }}\n").document
    assert doc.tables[0].columns[0].type.model_dump(exclude_defaults=True) == expected


@pytest.mark.parametrize(("line", "child", "parent", "child_card", "parent_card", "identifying"), [
    ("A ||--o{ B : x", "B", "A", "zero_or_many", "exactly_one", True),
    ("A }o..|| B : x", "A", "B", "zero_or_many", "exactly_one", False),
    ("A |o--|{ B : x", "B", "A", "one_or_many", "zero_or_one", True),
    ("A }|..|| B : x", "A", "B", "one_or_many", "exactly_one", False),
    ("A only one to zero or more B : x", "B", "A", "zero_or_many", "exactly_one", True),
    ("A one or zero optionally to one or more B : x", "B", "A", "one_or_many", "zero_or_one", False),
    ("A 1 to 0+ B : x", "B", "A", "zero_or_many", "exactly_one", True),
    ("A many(1) to 1 B : x", "A", "B", "one_or_many", "exactly_one", True),
    ("A many(0) .- 1+ B : x", "B", "A", "one_or_many", "zero_or_many", False),
    ("A one -. many B : x", "B", "A", "zero_or_many", "exactly_one", False),
])
def test_it_reads_cardinalities_in_symbol_and_word_form(
    line: str, child: str, parent: str, child_card: str, parent_card: str, identifying: bool
) -> None:
    doc = parse_mermaid(f"erDiagram\n  {line}\n").document
    rel = doc.relationships[0]
    names = {t.id: t.name for t in doc.tables}
    assert (names[rel.from_table], names[rel.to_table]) == (child, parent)
    assert (rel.from_cardinality, rel.to_cardinality, rel.identifying) == (child_card, parent_card, identifying)


def test_it_infers_foreign_key_columns_from_names() -> None:
    text = """erDiagram
    customers ||--o{ orders : places
    customers {
        int id PK
    }
    orders {
        int id PK
        int customer_id FK "who"
    }
    orders ||--|{ order_lines : has
    order_lines {
        int order_id PK, FK
        int line PK
    }
    """
    result = parse_mermaid(text)
    doc = result.document
    by_id = {c.id: (t.name, c.name) for t in doc.tables for c in t.columns}
    pairs = [([by_id[c] for c in r.from_columns], [by_id[c] for c in r.to_columns]) for r in doc.relationships]
    assert pairs == [([("orders", "customer_id")], [("customers", "id")]),
                     ([("order_lines", "order_id")], [("orders", "id")])]
    assert result.warnings == []


def test_it_keeps_an_entity_level_relationship_with_a_warning_when_columns_are_unclear() -> None:
    result = parse_mermaid("erDiagram\n  A ||--o{ B : x\n")
    assert (result.document.relationships[0].from_columns, result.document.relationships[0].to_columns) == ([], [])
    assert any("no FK attribute" in w for w in result.warnings)
    assert validate(result.document.to_data())[1] == []


def test_it_reads_plain_mermaid_as_people_write_it() -> None:
    text = """---
title: Shop
config:
  layout: elk
---
   erDiagram
    direction LR
    accTitle: ignored when there is a front-matter title
    accDescr {
        What we sell
    }
    %% a comment
    c["Customer Account"]:::vip {
        string(80) name UK "the name"
        int id PK
    }
    "Order Line" }|..|| c : "belongs to"
    style c fill:#f96,stroke:#333
    classDef vip stroke:#333
    """
    result = parse_mermaid(text)
    doc = result.document
    assert (doc.name, doc.description) == ("Shop", "What we sell")
    account = _table(doc, "Customer Account")
    assert [(c.name, c.nullable, c.comment) for c in account.columns] == [
        ("name", True, "the name"), ("id", False, None)]
    assert account.primary_key and account.primary_key.columns == ["c_Customer_Account_2cb87ac2.id"]
    assert [u.columns for u in account.uniques] == [["c_Customer_Account_2cb87ac2.name"]]
    assert account.color == "#ff9966"
    assert doc.relationships[0].label == "belongs to"
    assert any("styles other than a fill colour" in w for w in result.warnings)


def test_it_gives_the_same_ids_to_the_same_plain_text() -> None:
    text = (CORPUS / "valid/docs_09.mmd").read_text(encoding="utf-8")
    assert parse_mermaid(text).document.to_data() == parse_mermaid(text).document.to_data()


def test_a_rename_in_the_text_keeps_the_ids() -> None:
    doc = DOCUMENTS["fixture blog"] if "fixture blog" in DOCUMENTS else DOCUMENTS["kitchen sink"]
    table = doc.tables[0]
    text = print_mermaid(doc).replace(f"    {table.name} {{", f"    {table.name}_renamed {{", 1)
    renamed = _table(parse_mermaid(text).document, f"{table.name}_renamed")
    assert renamed.id == table.id and [c.id for c in renamed.columns] == [c.id for c in table.columns]


def test_it_warns_about_a_directive_that_follows_nothing() -> None:
    result = parse_mermaid('erDiagram\n  %% @dbstudio relationship {"id": "r1"}\n  A\n')
    assert result.warnings == ["line 2: @dbstudio relationship directive does not follow a relationship; ignored"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list('erDiagram {}[]"|o-.:;,~`%@\n\t PKFKUK1+0()#*u')), max_size=80).map(
        lambda s: "erDiagram\n" + s),
    st.lists(st.sampled_from([
        "erDiagram", "A", "B", "{", "}", "||--o{", "}|..|{", ":", '"x"', "int", "PK", ",", "%% c", "\n",
        '%% @dbstudio table {"id": "t"}', '%% @dbstudio column {"name": 1}', "style", "fill:#fff", ":::",
        "[", "]", "to", "one or more", "`a b`", "---", "title: x", "accDescr {", "subgraph", "end",
    ]), max_size=20).map(" ".join),
))
def test_any_text_either_parses_or_raises_a_positioned_parse_error(text: str) -> None:
    try:
        result = parse_mermaid(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
    else:
        assert isinstance(result.document, Document)
