"""DBML printing and parsing: lossless round trips, @dbml/core's own verdict, real DBML imports, errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designs.compiler.document import Document
from designs.compiler.parse.dbml import parse_dbml
from designs.compiler.parse.errors import ParseError
from designs.compiler.text.dbml import print_dbml
from designs.compiler.validate import load, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests/fixtures/designs").glob("*.json"))
CORPUS = Path("/work/shared/corpus/dbml")
JS = ROOT / "tests/js"

HOSTILE_NAMES = [
    "order", 'x"; DROP TABLE y; --', "it's", "back\\slash", "two words", "Ünïcode 名前", "MixedCase", "line\nbreak",
    "tab\there", "table", "Note", "indexes", "null", "`tick`", " padded ", "a.b", "emoji 🎉", "// not a comment",
    "/* nor this */", "@dbstudio table {}", "'''", "1starts_with_digit", "123",
]


def _column(cid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "type": {"name": "integer"}, **extra}


def kitchen_sink() -> dict[str, Any]:
    """One document using every feature the format has, with names and texts DBML must escape."""
    hostile_columns = [_column(f"c_h{i}", name) for i, name in enumerate(HOSTILE_NAMES)]
    return {
        "name": 'Kitchen "sink" \\ ✓', "description": "Line one\nline two with a } brace and 'quotes'",
        "settings": {"default_schema": "app", "target": "mysql", "naming": {"table_case": "any"}},
        "enums": [
            {"id": "e_status", "name": "status", "values": ["new", "done", "it's \"x\"", "a\nb"], "comment": "state"},
            {"id": "e_text", "name": "text", "schema": "s p", "values": ["shadow"]},
        ],
        "tables": [
            {
                "id": "t_customers", "name": "customers", "comment": "people", "position": {"x": 10.5, "y": -20},
                "color": "#A0b0C0", "estimated_rows": 1000, "tags": ["pii"], "rls": {"enabled": True},
                "columns": [
                    _column("c_id", "id", type={"name": "bigint"}, nullable=False,
                            identity={"always": True, "start": 10, "increment": 2}),
                    _column("c_email", "email", type={"name": "varchar", "length": 320}, nullable=False,
                            comment="login e-mail", collation="C", example="a@b.c", tags=["pii"]),
                    _column("c_status", "status", type={"name": "enum", "enum": "e_status"},
                            default={"kind": "literal", "value": "it's"}),
                    _column("c_text", "shadowed", type={"name": "text"}),
                    _column("c_enum_text", "enum_text", type={"name": "enum", "enum": "e_text", "array": 1}),
                    _column("c_money", "balance", type={"name": "numeric", "precision": 12, "scale": 2,
                                                         "unsigned": True}, default={"kind": "literal", "value": -1.5}),
                    _column("c_labels", "labels", type={"name": "text", "array": 2}, comment='has "quotes" \\'),
                    _column("c_raw", "path", type={"name": "raw", "raw": {"mysql": "geometry(Point, 4326)",
                                                                          "postgresql": "ltree"}}),
                    _column("c_raw2", "spaced", type={"name": "raw", "raw": {"mysql": "double precision"}}),
                    _column("c_total", "total", type={"name": "numeric", "precision": 10},
                            generated={"expression": "balance * 2", "stored": False}),
                    _column("c_ts", "created_at", type={"name": "timestamptz", "precision": 3},
                            default={"kind": "expression", "value": "now()"}, comment=""),
                    _column("c_tick", "ticked", default={"kind": "expression", "value": "`x` + 1"}),
                    _column("c_flag", "flag", type={"name": "boolean"}, default={"kind": "literal", "value": True}),
                    _column("c_null", "nothing", default={"kind": "literal", "value": None}),
                    _column("c_big", "big", type={"name": "double"}, default={"kind": "literal", "value": 1e20}),
                ],
                "primary_key": {"name": "customers_pkey", "columns": ["c_id"]},
                "uniques": [{"id": "u_email", "columns": ["c_email"], "nulls_not_distinct": True},
                            {"id": "u_flag", "columns": ["c_flag"]},
                            {"id": "u_pair", "name": "uq pair", "columns": ["c_status", "c_money"]}],
                "checks": [{"id": "k_bal", "name": "balance positive", "expression": "balance >= 0"},
                           {"id": "k_tick", "expression": "`balance` > -1"}],
                "indexes": [{"id": "i_email", "name": "idx_email", "columns": [
                    {"column": "c_email", "order": "desc", "nulls": "last", "opclass": "text_pattern_ops"},
                    {"expression": "lower(email)"}], "where": "status <> 'done'", "include": ["c_id"],
                    "comment": "lookup"},
                    {"id": "i_hash", "columns": [{"column": "c_text"}], "method": "hash"},
                    {"id": "i_uq", "columns": [{"column": "c_ts"}, {"expression": "`weird`"}], "unique": True}],
            },
            {
                "id": "t_orders", "name": "orders", "schema": "sales",
                "columns": [_column("c_ord_id", "id", nullable=False),
                            _column("c_ord_at", "placed at", type={"name": "date"}, nullable=False),
                            _column("c_ord_cust", "customer_id", type={"name": "bigint"})],
                "primary_key": {"columns": ["c_ord_at", "c_ord_id"]},
                "partitioning": {"strategy": "range", "key": [{"column": "c_ord_at"}], "partitions": [
                    {"id": "p_def", "name": "orders_other", "is_default": True}]},
            },
            {"id": "t_hostile", "name": "hostile columns", "columns": hostile_columns},
            {"id": "t_empty", "name": "no columns yet"},
            *[{"id": f"t_name{i}", "name": name, "schema": name if i % 3 == 0 else None,
               "columns": [_column(f"c_n{i}", name, nullable=False)], "primary_key": {"columns": [f"c_n{i}"]}}
              for i, name in enumerate(HOSTILE_NAMES)],
        ],
        "relationships": [
            {"id": "r_ord_cust", "name": "fk orders customer", "from_table": "t_orders",
             "from_columns": ["c_ord_cust"], "to_table": "t_customers", "to_columns": ["c_id"],
             "on_delete": "set_null", "on_update": "cascade", "from_cardinality": "one_or_many",
             "to_cardinality": "zero_or_one", "identifying": True, "deferrable": True, "initially_deferred": True,
             "label": "places", "comment": "who ordered"},
            {"id": "r_same_ends", "from_table": "t_orders", "from_columns": ["c_ord_cust"], "to_table": "t_customers",
             "to_columns": ["c_id"]},
            {"id": "r_entity", "from_table": "t_hostile", "to_table": "t_empty", "label": 'say "hi"'},
            {"id": "r_self", "from_table": "t_hostile", "from_columns": ["c_h0"], "to_table": "t_hostile",
             "to_columns": ["c_h1"], "from_cardinality": "exactly_one", "to_cardinality": "one_or_many"},
            {"id": "r_m2m", "from_table": "t_name1", "from_columns": ["c_n1"], "to_table": "t_name2",
             "to_columns": ["c_n2"], "from_cardinality": "zero_or_many", "to_cardinality": "zero_or_many"},
            *[{"id": f"r_h{i}", "name": name, "from_table": f"t_name{i}", "from_columns": [f"c_n{i}"],
               "to_table": "t_customers", "to_columns": ["c_id"], "on_delete": "restrict"}
              for i, name in enumerate(HOSTILE_NAMES)],
        ],
        "notes": [{"id": "n_1", "text": "remember\nthis 'one'", "position": {"x": 1, "y": 2}, "color": "#ffffff",
                   "anchor": "t_customers"}, {"id": "n.2:x-y", "text": ""}],
        "areas": [{"id": "a_1", "name": "Sales", "position": {"x": 5}, "color": "#000000"},
                  {"id": "a_2", "name": "Sales"}, {"id": "a_3", "name": 'We"ird'}],
        "access_patterns": [{"id": "ap_1", "name": "by email", "table": "t_customers", "equality": ["c_email"],
                             "limit": 1}],
        "security": {
            "roles": [{"id": "ro_app", "name": "app", "login": True}],
            "grants": [{"id": "g_1", "role": "ro_app", "privileges": ["select"], "tables": ["t_customers"]}],
            "policies": [{"id": "po_1", "name": "own rows", "table": "t_customers", "command": "select",
                          "roles": ["ro_app"], "using": "id = current_setting('app.user')::bigint"}],
        },
    }


def minimal_designs() -> dict[str, dict[str, Any]]:
    return {
        "empty": {},
        "default named": {"name": "Untitled design", "description": ""},
        "table without columns": {"tables": [{"id": "t1", "name": "t"}]},
        "kitchen sink": kitchen_sink(),
    }


DOCUMENTS: dict[str, Document] = {f"fixture {p.stem}": load(json.loads(p.read_text())) for p in FIXTURES}
DOCUMENTS |= {name: load(data) for name, data in minimal_designs().items()}


def test_the_kitchen_sink_is_a_valid_design() -> None:
    assert validate(kitchen_sink())[1] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_printing_then_parsing_gives_the_same_document(name: str) -> None:
    doc = DOCUMENTS[name]
    result = parse_dbml(print_dbml(doc))
    assert result.document.to_data() == doc.to_data()
    assert result.warnings == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_printing_is_deterministic_and_a_fixed_point(name: str) -> None:
    text = print_dbml(DOCUMENTS[name])
    assert print_dbml(DOCUMENTS[name]) == text
    assert print_dbml(parse_dbml(text).document) == text


def _dbml_core(texts: list[str]) -> list[dict[str, Any]]:
    if shutil.which("node") is None or not (JS / "node_modules/@dbml/core").is_dir():
        pytest.skip("needs node and `npm install` in tests/js (the pinned @dbml/core)")
    done = subprocess.run(["node", str(JS / "dbml_parse.mjs")], input=json.dumps(texts), capture_output=True,
                          text=True, check=True, timeout=120)
    verdicts: list[dict[str, Any]] = json.loads(done.stdout)
    return verdicts


def test_the_pinned_dbml_core_reads_every_printed_text_as_we_do() -> None:
    names = sorted(DOCUMENTS)
    verdicts = _dbml_core([print_dbml(DOCUMENTS[n]) for n in names])
    assert {n: v["error"] for n, v in zip(names, verdicts, strict=True) if not v["ok"]} == {}
    for name, verdict in zip(names, verdicts, strict=True):
        doc = DOCUMENTS[name]
        # The tables DBML can state, with their exact names, schemas and column names.
        ours = sorted([t.schema_ or "public", t.name, [c.name for c in t.columns]] for t in doc.tables if t.columns)
        assert sorted(verdict["tables"]) == ours, name
        assert verdict["enums"] == len(doc.enums), name


def test_the_pinned_dbml_core_and_our_parser_agree_on_the_corpus() -> None:
    paths = sorted(CORPUS.glob("*.dbml"))
    verdicts = _dbml_core([p.read_text(encoding="utf-8") for p in paths])
    for path, verdict in zip(paths, verdicts, strict=True):
        doc = parse_dbml(path.read_text(encoding="utf-8")).document
        assert verdict["ok"], verdict["error"]
        assert (len(doc.tables), len(doc.relationships), len(doc.enums)) == (
            len(verdict["tables"]), verdict["refs"], verdict["enums"]), path.name
        assert sorted([t.schema_ or "public", t.name, [c.name for c in t.columns]] for t in doc.tables) == sorted(
            verdict["tables"]), path.name


@pytest.mark.parametrize(("name", "tables", "refs", "enums"), [
    ("general_schema.dbml", 6, 6, 2), ("multi_notes.dbml", 2, 0, 1), ("referential_actions.dbml", 5, 4, 0),
])
def test_it_imports_every_corpus_file(name: str, tables: int, refs: int, enums: int) -> None:
    result = parse_dbml((CORPUS / name).read_text(encoding="utf-8"))
    doc = result.document
    assert (len(doc.tables), len(doc.relationships), len(doc.enums)) == (tables, refs, enums)
    problems = [f"design problem: {p}" for p in validate(doc.to_data())[1]]
    assert problems == [w for w in result.warnings if w.startswith("design problem")]


def test_an_index_dbml_allows_but_no_database_builds_becomes_a_btree_index_with_a_warning() -> None:
    # general_schema.dbml line 39: `id [type: hash, unique]`; PostgreSQL builds unique indexes with btree only.
    result = parse_dbml((CORPUS / "general_schema.dbml").read_text(encoding="utf-8"))
    assert validate(result.document.to_data())[1] == []
    products = next(t for t in result.document.tables if t.name == "products")
    assert [(i.unique, i.method) for i in products.indexes if i.unique] == [(True, "btree")]
    assert "line 39: a hash index cannot be unique; the unique index is a btree index" in result.warnings

    text = "Table t {\n  id int\n  Indexes {\n    id [type: bitmap]\n    id [type: gin, unique]\n  }\n}\n"
    result = parse_dbml(text)
    assert [(i.unique, i.method) for i in result.document.tables[0].indexes] == [(False, "btree"), (True, "btree")]
    assert result.warnings == ["line 4: index type 'bitmap' is unknown; the index is a btree index",
                               "line 5: a gin index cannot be unique; the unique index is a btree index"]


def test_every_corpus_file_is_counted() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.dbml")) == [
        "general_schema.dbml", "multi_notes.dbml", "referential_actions.dbml"]


def _table(doc: Document, name: str) -> Any:
    return next(t for t in doc.tables if t.name == name)


def test_it_reads_dbml_as_people_write_it() -> None:
    text = """
    Project shop {
      database_type: 'MySQL'
      Note: '''
        What we sell.
        And to whom.
      '''
    }
    /* a block
       comment */
    Enum sales.state {
      open [note: 'new']
      "closed"
    }
    Table sales.orders as O [headercolor: #3498DB, note: 'orders'] {
      id int [pk, increment]
      state sales.state [not null, default: 'open']
      total "decimal"(10, 2) [default: 0]
      placed timestamptz [default: `now()`]
      tags varchar(20)[]
      customer_id bigint [ref: > customers.id, note: 'who']
      Indexes {
        (customer_id, placed) [unique, name: 'by_customer']
        `lower(state)` [type: hash]
        placed [type: brin, note: 'time']
      }
    }
    Table customers { // people
      id bigint [pk]
      email varchar(320) [unique, null]
    }
    Ref fk_lines: lines.(order_id) > O.(id) [delete: cascade, update: set null]
    Table lines { order_id int }
    TableGroup shop [color: #abc] { sales.orders }
    Note todo { 'check totals' }
    """
    result = parse_dbml(text)
    doc = result.document
    assert (doc.name, doc.description, doc.settings.target) == ("shop", "What we sell.\nAnd to whom.\n", "mysql")
    assert doc.enums[0].model_dump(by_alias=True, exclude_defaults=True) == {
        "id": "e_sales_state_a8d1f1ff" if False else doc.enums[0].id, "name": "state", "schema": "sales",
        "values": ["open", "closed"]}
    orders = _table(doc, "orders")
    assert (orders.schema_, orders.color, orders.comment) == ("sales", "#3498DB", "orders")
    columns = {c.name: c for c in orders.columns}
    assert columns["id"].identity is not None and not columns["id"].nullable
    assert columns["state"].type.name == "enum" and not columns["state"].nullable
    assert columns["total"].type.model_dump(exclude_defaults=True) == {"name": "numeric", "precision": 10, "scale": 2}
    assert columns["placed"].default is not None and columns["placed"].default.kind == "expression"
    assert columns["tags"].type.model_dump(exclude_defaults=True) == {"name": "varchar", "length": 20, "array": 1}
    assert columns["customer_id"].comment == "who"
    assert [(i.name, i.unique, i.method) for i in orders.indexes] == [
        ("by_customer", True, "btree"), (None, False, "hash"), (None, False, "brin")]
    assert orders.indexes[1].columns[0].expression == "lower(state)"
    customers = _table(doc, "customers")
    assert customers.columns[1].nullable and len(customers.uniques) == 1
    rels = [(r.from_table, r.to_table, r.on_delete, r.on_update, r.name) for r in doc.relationships]
    assert rels == [(orders.id, customers.id, "no_action", "no_action", None),
                    (_table(doc, "lines").id, orders.id, "cascade", "set_null", "fk_lines")]
    assert [(a.name, a.color) for a in doc.areas] == [("shop", "#aabbcc")]
    assert [(n.id, n.text) for n in doc.notes] == [("todo", "check totals")]
    assert any("are not kept" in w for w in result.warnings)


@pytest.mark.parametrize(("word", "expected"), [
    ("int", {"name": "integer"}), ("integer", {"name": "integer"}), ("bigint", {"name": "bigint"}),
    ("varchar(255)", {"name": "varchar", "length": 255}), ("text", {"name": "text"}),
    ("timestamp", {"name": "timestamp"}), ("timestamptz", {"name": "timestamptz"}),
    ("datetime", {"name": "timestamp"}), ("decimal(10,2)", {"name": "numeric", "precision": 10, "scale": 2}),
    ("boolean", {"name": "boolean"}), ("bool", {"name": "boolean"}), ("uuid", {"name": "uuid"}),
    ("json", {"name": "json"}), ("jsonb", {"name": "jsonb"}), ("int[]", {"name": "integer", "array": 1}),
    ('"double precision"', {"name": "double"}), ("float", {"name": "double"}),
    ("geometry", {"name": "raw", "raw": {"postgresql": "geometry"}}),
    ("int(11)", {"name": "raw", "raw": {"postgresql": "int(11)"}}),
])
def test_it_maps_dbml_types_to_portable_types(word: str, expected: dict[str, Any]) -> None:
    doc = parse_dbml(f"Table t {{\n  c {word}\n}}\n").document
    assert doc.tables[0].columns[0].type.model_dump(exclude_defaults=True) == expected


def test_an_enum_name_used_as_a_type_is_an_enum_type() -> None:
    doc = parse_dbml('Enum "job state" { a }\nTable t { s "job state" [default: \'a\'] }').document
    assert doc.tables[0].columns[0].type.enum == doc.enums[0].id


@pytest.mark.parametrize(("text", "line", "column", "fragment"), [
    ("Tabel t { id int }", 1, 1, "expected a statement"),
    ("Table t {\n  id int [pk\n}", 3, 1, "expected ',' or ']'"),
    ("Table t {\n  id int\n", 3, 1, "expected a column name"),
    ("Table t {\n  id int [note: 'open\n}", 2, 17, "unterminated string"),
    ("Table t {\n  id int\n}\nRef: t.id > u.id", 4, 13, "no table named 'u'"),
    ("Table t {\n  id int\n}\nRef: t.nope > t.id", 4, 6, "no column 'nope'"),
    ("Table t {\n  id int\n}\nRef: t.id >", 4, 12, "expected a table name"),
    ("Table t {\n  email int\n  indexes {\n    (emial) [unique]\n  }\n}", 4, 5, "which table 't' does not have"),
    ("Table t {\n  id int\n  indexes {\n    (id, nope) [pk]\n  }\n}", 4, 5, "column 'nope', which table 't'"),
    ("Table t { id int }\nTable t { x int }", 2, 1, "defined twice"),
    ("Table t {\n  id int ?\n}", 2, 10, "unexpected character '?'"),
    ("/* never closed", 1, 1, "unterminated comment"),
    ("Table t {\n  id int // @dbstudio column {\"id\": }\n}", 2, 37, "invalid JSON"),
    ("Table t {\n  id int // @dbstudio colum {}\n}", 2, 23, "unknown directive kind"),
    ('Table t { // @dbstudio table {"id": "bad id"}\n  id int\n}', 1, 30, "invalid @dbstudio table directive"),
    ("Enum e {\n}", 1, 1, "at least one value"),
    ("Project a {}\nProject b {}", 2, 1, "only one Project"),
])
def test_it_reports_where_the_text_is_wrong(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_dbml(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


@pytest.mark.parametrize(("text", "hint"), [
    ("Table users {\n  email int\n  indexes {\n    (emial) [unique]\n  }\n}", "did you mean 'email'?"),
    ("Table users {\n  id int\n}\nTable posts {\n  author int [ref: > users.idd]\n}", "did you mean 'id'?"),
    ("Table users {\n  id int\n}\nRef: user.id < users.id", "did you mean 'users'?"),
    ("Table users {\n  id int\n}\nRef: zzz.id < users.id", "define the table with Table"),
])
def test_a_mistyped_name_is_answered_with_the_closest_one(text: str, hint: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_dbml(text)
    assert caught.value.hint == hint


def test_a_rename_in_the_text_keeps_the_ids() -> None:
    doc = DOCUMENTS["kitchen sink"]
    text = re.sub(r"\bcustomers\b(?=[ .])", "clients", print_dbml(doc))
    renamed = _table(parse_dbml(text).document, "clients")
    assert renamed.id == "t_customers" and [c.id for c in renamed.columns] == [c.id for c in doc.tables[0].columns]


def test_a_directive_on_the_wrong_line_is_ignored_with_a_warning() -> None:
    result = parse_dbml('Table t { // @dbstudio column {"id": "c1"}\n  id int\n}\n')
    assert result.warnings == ["line 1: @dbstudio column directive does not belong to the element on its line; "
                               "ignored"]


def test_partials_are_injected_and_the_tables_own_columns_win() -> None:
    text = "TablePartial base {\n  id int [pk]\n  name text\n}\nTable t {\n  ~base\n  name varchar(5)\n}\n"
    table = parse_dbml(text).document.tables[0]
    assert [(c.name, c.type.name) for c in table.columns] == [("id", "integer"), ("name", "varchar")]
    assert table.primary_key is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("Table {}[]()\"'`:,.<>-~#/*\n\t pkintnull01@")), max_size=80),
    st.lists(st.sampled_from([
        "Table", "t", "u", "{", "}", "[", "]", "(", ")", "id", "int", "pk", ",", "not null", "default:", "'x'",
        "`now()`", "\n", "Ref:", "t.id", ">", "<", "-", "<>", "Enum", "Indexes", "Note:", "'''a'''", "//c\n",
        '// @dbstudio table {"id": "t"}\n', '// @dbstudio column {"name": 1}\n', "TableGroup", "Project", "~p",
        "TablePartial", "p", "as", "A", "ref:", "checks", "\"q\"", "#fff", "/* c */",
    ]), max_size=25).map(" ".join),
))
def test_any_text_either_parses_or_raises_a_positioned_parse_error(text: str) -> None:
    try:
        result = parse_dbml(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
    else:
        assert isinstance(result.document, Document)
