"""Index strategy: the rules on small designs, and on the fixtures PostgreSQL's planner agrees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from designs.compiler.document import Document
from designs.compiler.export import export
from designs.compiler.review.index_strategy import (
    accept,
    recommend_indexes,
    redundant_indexes,
    serving_index,
)
from designs.compiler.validate import load
from tests.services import scratch_postgres

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "designs"
WITH_PATTERNS = sorted(p.stem for p in FIXTURES.glob("*.json") if json.loads(p.read_text()).get("access_patterns"))
ROW_CAP = 20_000


def col(cid: str, name: str, type_: str = "bigint", **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "type": {"name": type_}, **extra}


def design(**overrides: Any) -> Document:
    """customers(id, email, active, prefs jsonb, tags text[]) and orders(id, customer_id, status, placed_at, total)."""
    data: dict[str, Any] = {
        "format": 1,
        "enums": [{"id": "e_st", "name": "status", "values": ["new", "paid", "gone"]}],
        "tables": [
            {
                "id": "t_c",
                "name": "customers",
                "primary_key": {"columns": ["c_id"]},
                "columns": [
                    col("c_id", "id", nullable=False),
                    col("c_email", "email", "text"),
                    col("c_active", "active", "boolean"),
                    col("c_prefs", "prefs", "jsonb"),
                    {"id": "c_tags", "name": "tags", "type": {"name": "text", "array": 1}},
                ],
            },
            {
                "id": "t_o",
                "name": "orders",
                "primary_key": {"columns": ["o_id"]},
                "columns": [
                    col("o_id", "id", nullable=False),
                    col("o_cust", "customer_id"),
                    {"id": "o_status", "name": "status", "type": {"name": "enum", "enum": "e_st"}},
                    col("o_placed", "placed_at", "timestamptz"),
                    col("o_total", "total", "numeric"),
                ],
            },
        ],
        "relationships": [
            {"id": "r_o_c", "from_table": "t_o", "from_columns": ["o_cust"], "to_table": "t_c", "to_columns": ["c_id"]}
        ],
    }
    for key, value in overrides.items():
        if key == "indexes":
            for table_id, indexes in value.items():
                next(t for t in data["tables"] if t["id"] == table_id)["indexes"] = indexes
        else:
            data[key] = value
    return load(data)


def keys(rec: Any) -> list[tuple[str | None, str]]:
    return [(k.column, k.order) for k in rec.keys]


def test_a_foreign_key_without_an_index_gets_one_naming_it() -> None:
    [rec] = recommend_indexes(design())
    assert (rec.table_id, rec.columns, rec.method, rec.serves) == ("t_o", ("o_cust",), "btree", ("fk:r_o_c",))
    assert rec.name == "idx_orders_customer_id"
    assert "customers" in rec.reason


@pytest.mark.parametrize(
    "indexes",
    [
        [{"id": "i1", "columns": [{"column": "o_cust"}]}],
        [{"id": "i1", "columns": [{"column": "o_cust"}, {"column": "o_placed"}]}],
    ],
)
def test_a_foreign_key_led_by_an_existing_index_needs_nothing(indexes: list[dict[str, Any]]) -> None:
    assert recommend_indexes(design(indexes={"t_o": indexes})) == []


def test_a_partial_or_trailing_index_does_not_serve_a_foreign_key() -> None:
    doc = design(
        indexes={
            "t_o": [
                {"id": "i1", "columns": [{"column": "o_cust"}], "where": "total > 0"},
                {"id": "i2", "columns": [{"column": "o_placed"}, {"column": "o_cust"}]},
            ]
        }
    )
    assert [r.serves for r in recommend_indexes(doc)] == [("fk:r_o_c",)]


PATTERNS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "equality, then range, then sort",
        {
            "equality": ["o_status", "o_cust"],
            "range": ["o_placed"],
            "order_by": [{"column": "o_total", "order": "desc"}],
        },
        {"keys": [("o_status", "asc"), ("o_cust", "asc"), ("o_placed", "asc"), ("o_total", "desc")], "method": "btree"},
    ),
    (
        "a constant filter makes it partial",
        {"equality": ["o_cust"], "where": "status = 'new'", "order_by": [{"column": "o_placed", "order": "desc"}]},
        {"keys": [("o_cust", "asc"), ("o_placed", "desc")], "where": "status = 'new'"},
    ),
    (
        "columns read become INCLUDE",
        {"equality": ["o_cust"], "select": ["o_total", "o_cust"]},
        {"keys": [("o_cust", "asc")], "include": ("o_total",)},
    ),
    (
        "jsonb containment is gin jsonb_path_ops",
        {"table": "t_c", "contains": ["c_prefs"]},
        {"keys": [("c_prefs", "asc")], "method": "gin", "opclass": "jsonb_path_ops"},
    ),
    (
        "array containment is plain gin",
        {"table": "t_c", "contains": ["c_tags"]},
        {"keys": [("c_tags", "asc")], "method": "gin", "opclass": None},
    ),
    (
        "substring search is a trigram gin",
        {"table": "t_c", "text_search": ["c_email"]},
        {"keys": [("c_email", "asc")], "method": "gin", "opclass": "gin_trgm_ops"},
    ),
]


@pytest.mark.parametrize(("title", "pattern", "want"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_an_access_pattern_gets_the_index_it_needs(title: str, pattern: dict[str, Any], want: dict[str, Any]) -> None:
    ap = {"id": "a1", "name": "the query", "table": "t_o", **pattern}
    recs = [r for r in recommend_indexes(design(access_patterns=[ap])) if "pattern:a1" in r.serves]
    assert len(recs) == 1
    rec = recs[0]
    assert keys(rec) == want["keys"]
    assert rec.method == want.get("method", "btree")
    assert rec.where == want.get("where")
    assert rec.include == want.get("include", ())
    if "opclass" in want:
        assert rec.keys[0].opclass == want["opclass"]
    assert "the query" in rec.reason


def test_a_pattern_index_that_leads_with_the_fk_also_serves_the_fk() -> None:
    ap = {"id": "a1", "name": "recent", "table": "t_o", "equality": ["o_cust"], "order_by": [{"column": "o_placed"}]}
    [rec] = recommend_indexes(design(access_patterns=[ap]))
    assert rec.serves == ("pattern:a1", "fk:r_o_c")


def test_a_pattern_already_served_by_an_index_gets_nothing_new() -> None:
    ap = {
        "id": "a1",
        "name": "recent",
        "table": "t_o",
        "equality": ["o_cust"],
        "order_by": [{"column": "o_placed", "order": "desc"}],
    }
    # Ascending keys serve a descending sort by scanning backwards.
    doc = design(
        access_patterns=[ap], indexes={"t_o": [{"id": "i1", "columns": [{"column": "o_cust"}, {"column": "o_placed"}]}]}
    )
    assert recommend_indexes(doc) == []
    assert serving_index(doc)["pattern:a1"] == ("t_o", "i1")


def test_a_covering_index_replaces_the_narrower_one_when_accepted() -> None:
    ap = {"id": "a1", "name": "recent", "table": "t_o", "equality": ["o_cust"], "select": ["o_total"]}
    doc = design(access_patterns=[ap], indexes={"t_o": [{"id": "i1", "columns": [{"column": "o_cust"}]}]})
    [rec] = recommend_indexes(doc)
    assert rec.replaces == ("i1",)
    data = accept(doc.to_data(), [rec.id])
    orders = next(t for t in data["tables"] if t["id"] == "t_o")
    assert [i["id"] for i in orders["indexes"]] == [rec.id]
    assert recommend_indexes(load(data)) == []


def test_recommendation_ids_are_stable_and_unknown_ids_are_refused() -> None:
    assert [r.id for r in recommend_indexes(design())] == [r.id for r in recommend_indexes(design())]
    with pytest.raises(KeyError, match="nope"):
        accept(design().to_data(), ["nope"])


REDUNDANT: list[tuple[str, list[dict[str, Any]], list[tuple[str, str]]]] = [
    (
        "duplicate",
        [{"id": "i1", "columns": [{"column": "o_placed"}]}, {"id": "i2", "columns": [{"column": "o_placed"}]}],
        [("i2", "duplicate")],
    ),
    (
        "prefix",
        [
            {"id": "i1", "columns": [{"column": "o_cust"}]},
            {"id": "i2", "columns": [{"column": "o_cust"}, {"column": "o_placed"}]},
        ],
        [("i1", "prefix")],
    ),
    ("low cardinality enum", [{"id": "i1", "columns": [{"column": "o_status"}]}], [("i1", "low_cardinality")]),
    (
        "a partial index on it is fine",
        [{"id": "i1", "columns": [{"column": "o_status"}], "where": "status = 'new'"}],
        [],
    ),
    (
        "a unique prefix is kept",
        [
            {"id": "i1", "columns": [{"column": "o_cust"}], "unique": True},
            {"id": "i2", "columns": [{"column": "o_cust"}, {"column": "o_placed"}]},
        ],
        [],
    ),
]


@pytest.mark.parametrize(("title", "indexes", "want"), REDUNDANT, ids=[r[0] for r in REDUNDANT])
def test_redundant_indexes_are_flagged(title: str, indexes: list[dict[str, Any]], want: list[tuple[str, str]]) -> None:
    flags = redundant_indexes(design(indexes={"t_o": indexes}))
    assert [(f.index_id, f.kind) for f in flags] == want


# --- PostgreSQL's planner agrees -------------------------------------------------------------------

CATALOG = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory, t.typtype, a.attidentity, a.attgenerated,
       a.atttypmod
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
"""


def value_sql(name: str, fmt: str, category: str, typtype: str, typmod: int) -> str | None:
    """A generate_series expression (row number ``g``) for a column of this PostgreSQL type."""
    if typtype == "e":
        return f"(enum_range(NULL::{fmt}))[1 + g % array_length(enum_range(NULL::{fmt}), 1)]"
    if category == "A":
        return f"ARRAY[(g % 5)::text, (g % 7)::text]::{fmt}"
    if fmt in ("smallint",):
        return "(g % 30000)::smallint"
    if category == "N":
        return f"(g % 100000)::{fmt}" if fmt in ("integer", "bigint") else f"((g % 1000) / 10.0)::{fmt}"
    if category == "B":
        return "g % 2 = 0"
    if category == "S":
        length = typmod - 4 if typmod > 4 else 40
        return f"left(md5(g::text) || ' item ' || g, {length})::{fmt}"
    if fmt == "date":
        return "date '2024-01-01' + (g % 365)"
    if category == "D":
        return f"(timestamp '2024-01-01' + g * interval '1 minute')::{fmt}"
    if category == "T":
        return "g * interval '1 second'"
    if fmt == "uuid":
        return "md5(g::text)::uuid"
    if fmt in ("jsonb", "json"):
        return f"jsonb_build_object('k', g % 10, 'tag', 't' || (g % 7))::{fmt}"
    if fmt in ("inet", "cidr"):
        return f"('10.0.' || (g % 250) || '.0/24')::{fmt}"
    if fmt == "tsvector":
        return "to_tsvector('simple', md5(g::text))"
    return None


def relation(doc: Document, table: Any) -> str:
    schema = table.schema_ or doc.settings.default_schema
    return f'"{schema}"."{table.name}"'


def fill(conn: Any, doc: Document) -> None:
    """Rows in every table (the design's estimate, capped), ignoring FKs, checks and triggers."""
    conn.execute("SET session_replication_role = replica")
    for con, rel in conn.execute(
        "SELECT conname, conrelid::regclass::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE contype = 'c' AND nspname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchall():
        conn.execute(f'ALTER TABLE {rel} DROP CONSTRAINT IF EXISTS "{con}"')
    for table in doc.tables:
        rel = relation(doc, table)
        count = min(table.estimated_rows or 500, ROW_CAP)
        names, values = [], []
        for name, fmt, category, typtype, identity, generated, typmod in conn.execute(CATALOG, (rel,)).fetchall():
            if identity or generated:
                continue
            expr = value_sql(name, fmt, category, typtype, typmod)
            if expr is not None:
                names.append('"' + name.replace('"', '""') + '"')
                values.append(expr)
        conn.execute(
            f"INSERT INTO {rel} ({', '.join(names)}) SELECT {', '.join(values)} FROM generate_series(1, {count}) g"
        )
    conn.execute("SET session_replication_role = DEFAULT")
    conn.execute("ANALYZE")


def pattern_query(conn: Any, doc: Document, pattern_id: str) -> str:
    """The pattern as SQL, with real values from the table."""
    p = next(a for a in doc.access_patterns if a.id == pattern_id)
    table = doc.table(p.table)
    assert table is not None
    rel = relation(doc, table)

    def name(cid: str) -> str:
        column = table.column(cid)
        assert column is not None
        return '"' + column.name + '"'

    def sample(cid: str) -> str:
        where = f"WHERE {p.where}" if p.where else ""
        row = conn.execute(f"SELECT quote_literal({name(cid)}) FROM {rel} {where} OFFSET 7 LIMIT 1").fetchone()
        return str(row[0])

    conds = [f"{name(c)} = {sample(c)}" for c in p.equality]
    conds += [f"{name(c)} >= {sample(c)}" for c in p.range[:1]]
    for c in p.contains:
        column = table.column(c)
        assert column is not None
        conds.append(f"{name(c)} @> '{{\"k\": 3}}'" if not column.type.array else f"{name(c)} @> ARRAY['3']")
    # A constant pattern, as the application sends it, so the planner can use a trigram index.
    conds += [f"{name(c)} ILIKE '%{sample(c)[2:7]}%'" for c in p.text_search]
    if p.where:
        conds.append(p.where)
    sql = f"SELECT {', '.join(name(c) for c in p.select) or '*'} FROM {rel}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if p.order_by:
        sql += " ORDER BY " + ", ".join(f"{name(o.column)} {o.order}" for o in p.order_by)
    return sql + (f" LIMIT {p.limit}" if p.limit else "")


def index_names(plan: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(plan["Index Name"])
        for value in plan.values():
            found |= index_names(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= index_names(value)
    return found


def expected_index(conn: Any, doc: Document, table_id: str, object_id: str) -> str:
    table = doc.table(table_id)
    assert table is not None
    index = next((i for i in table.indexes if i.id == object_id), None)
    if index is not None:
        return index.name or index.id
    columns = (
        table.primary_key.columns
        if object_id == "pk" and table.primary_key
        else next(u.columns for u in table.uniques if u.id == object_id)
    )
    names = [c.name for c in table.columns if c.id in columns]
    rel = relation(doc, table)
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass GROUP BY 1",
        (rel,),
    ).fetchall()
    return next(str(n).split(".")[-1].strip('"') for n, cols in rows if sorted(cols) == sorted(names))


@pytest.mark.parametrize("name", WITH_PATTERNS)
def test_postgres_uses_the_recommended_index_for_every_pattern(name: str) -> None:
    import psycopg

    doc = load(json.loads((FIXTURES / f"{name}.json").read_text()))
    recs = recommend_indexes(doc)
    data = accept(doc.to_data(), [r.id for r in recs])
    # Name every index explicitly so the plan can be matched to the design.
    for table in data["tables"]:
        for index in table.get("indexes", []):
            index.setdefault("name", index["id"])
    accepted = load(data)
    serving = serving_index(accepted)
    with scratch_postgres("jobs_ixplan") as url:
        u = make_url(url)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True) as conn:
            conn.execute(export(accepted, "postgres").text.encode())
            fill(conn, accepted)
            # With a few thousand rows a sequential scan is always cheapest; the question is whether the
            # recommended index can serve the pattern, and which index the planner picks among them.
            conn.execute("SET enable_seqscan = off")
            for pattern in accepted.access_patterns:
                table_id, object_id = serving[f"pattern:{pattern.id}"]
                want = expected_index(conn, accepted, table_id, object_id)
                sql = pattern_query(conn, accepted, pattern.id)
                plan = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchone()[0]  # type: ignore[index]
                assert want in index_names(plan), f"{pattern.name}: {sql}\nwanted {want}, plan: {json.dumps(plan)}"
