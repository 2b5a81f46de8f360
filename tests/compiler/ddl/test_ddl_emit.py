"""What emit() says without a database: the script's shape, determinism, warnings, names."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from designs.compiler.ddl import DIALECTS, emit, metadata
from designs.compiler.ddl.naming import Namer, render, truncate
from designs.compiler.validate import load

from .conftest import FIXTURES, fixture

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", FIXTURES)
def test_the_script_is_its_statements_joined(name: str, dialect: str) -> None:
    result = emit(fixture(name), dialect)
    assert result.sql == ";\n\n".join(result.statements) + ";\n"
    assert all(s and not s.endswith(";") for s in result.statements)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", FIXTURES)
def test_emitting_twice_gives_the_same_bytes(name: str, dialect: str) -> None:
    assert emit(fixture(name), dialect).sql == emit(fixture(name), dialect).sql


DIGEST = """
import hashlib, json
from designs.compiler.ddl import DIALECTS, emit
from tests.compiler.ddl.conftest import FIXTURES, fixture
h = hashlib.sha256()
for name in FIXTURES:
    for dialect in DIALECTS:
        result = emit(fixture(name), dialect)
        h.update(result.sql.encode())
        h.update(json.dumps([[w.object_id, w.message] for w in result.warnings]).encode())
print(h.hexdigest())
"""


def test_output_does_not_depend_on_hash_seeds() -> None:
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_sqlite_turns_foreign_keys_on_first() -> None:
    assert emit(fixture("blog"), "sqlite").statements[0] == "PRAGMA foreign_keys = ON"


def test_postgres_orders_the_script_by_dependency() -> None:
    statements = emit(fixture("security"), "postgresql").statements + emit(fixture("indexes"), "postgresql").statements
    kinds = [s.split(" (")[0].split()[0:2] for s in statements]
    assert kinds[0] == ["CREATE", "TABLE"]
    text = emit(fixture("enums"), "postgresql").sql
    assert text.index("CREATE SCHEMA") < text.index("CREATE TYPE") < text.index("CREATE TABLE")
    text = emit(fixture("cycles"), "postgresql").sql
    assert text.rindex("CREATE TABLE") < text.index("ALTER TABLE employees ADD CONSTRAINT")


@pytest.mark.parametrize(
    ("name", "extensions"),
    [
        ("generated_identity", ["pgcrypto"]),
        ("indexes", ["pg_trgm"]),
        ("types", ["citext"]),
        ("blog", []),
    ],
)
def test_postgres_creates_the_extensions_the_design_needs(name: str, extensions: list[str]) -> None:
    statements = emit(fixture(name), "postgresql").statements
    assert [s.split()[-1] for s in statements if s.startswith("CREATE EXTENSION")] == extensions


# (fixture, dialect, object id, words in the warning): what a target cannot express is reported.
EXPECTED_WARNINGS = [
    ("security", "mysql", "po_own", "policies"),
    ("security", "sqlite", "ro_writer", "roles"),
    ("security", "mysql", "g_read", "grants"),
    ("security", "sqlite", "t_notes", "row-level security"),
    ("security", "postgresql", "po_tags", "does not enable row-level security"),
    ("security", "postgresql", "g_cols", "truncate cannot be granted on columns"),
    ("indexes", "mysql", "i_live_email", "no partial indexes"),
    ("indexes", "mysql", "i_lower_email", "cannot index the expression"),
    ("indexes", "mysql", "i_cover", "INCLUDE"),
    ("indexes", "sqlite", "i_cover", "INCLUDE"),
    ("indexes", "sqlite", "i_data", "no gin indexes"),
    ("indexes", "mysql", "i_ip", "no gist indexes"),
    ("indexes", "sqlite", "i_brin", "no brin indexes"),
    ("indexes", "mysql", "i_score", "NULLS LAST"),
    ("indexes", "sqlite", "i_pattern", "operator classes"),
    ("indexes", "sqlite", "i_live_email", "index comments"),
    ("partitions", "sqlite", "t_events", "partitioning"),
    ("partitions", "mysql", "t_cust", "partitioning"),
    ("blog", "sqlite", "t_users", "table comments"),
    ("blog", "sqlite", "c_users_email", "column comments"),
    ("enums", "sqlite", "c_orders_status", "CHECK"),
    ("enums", "sqlite", "e_status", "enum comments"),
    ("enums", "mysql", "e_status", "enum comments"),
    ("enums", "mysql", "t_feedback", "without schema 'sales'"),
    ("composite_keys", "mysql", "r_bins_wh", "cannot defer"),
    ("composite_keys", "mysql", "r_bins_kind", "SET DEFAULT"),
    ("cycles", "postgresql", "r_sketch", "no foreign key"),
    ("cycles", "sqlite", "r_sketch", "no foreign key"),
    ("naming", "postgresql", "i_ppl_named", "longer than the identifier limit"),
    ("types", "postgresql", "c_all_year", "YEAR"),
    ("types", "mysql", "c_all_arr", "no array types"),
    ("types", "sqlite", "c_all_unsigned", "UNSIGNED"),
    ("types", "mysql", "c_all_rawpg", "no raw type given for MySQL"),
    ("generated_identity", "postgresql", "c_items_double", "STORED"),
    ("generated_identity", "mysql", "c_items_id", "GENERATED ALWAYS"),
    ("generated_identity", "sqlite", "c_items_id", "start/increment"),
    ("generated_identity", "mysql", "c_tick_seq", "single-column primary key"),
    ("triggers_audit", "postgresql", "t_noup", "column named updated_at"),
    ("checks_uniques", "mysql", "u_prod_vs", "NULLS NOT DISTINCT"),
    ("checks_uniques", "sqlite", "c_prod_sku", "collation"),
    ("hostile", "mysql", "t_user", "without schema"),
    ("saas_multitenant", "mysql", "po_tsk_tenant", "policies"),
    ("saas_multitenant", "sqlite", "c_tsk_tags", "no array types"),
    ("saas_multitenant", "mysql", "c_ten_slug", "CITEXT"),
    ("ecommerce", "mysql", "k_cat_parent", "AUTO_INCREMENT"),
    ("ecommerce", "mysql", "i_ord_cust_recent", "INCLUDE"),
    ("ecommerce", "sqlite", "i_prod_name_trgm", "operator classes"),
    ("ledger", "mysql", "r_post_entry", "cannot defer"),
    ("ledger", "sqlite", "t_bal", "partitioning"),
    ("referential_actions", "mysql", "r_set_default", "SET DEFAULT"),
    ("timeseries", "mysql", "i_sen_serial", "no hash indexes"),
    ("timeseries", "sqlite", "c_read_samples", "no array types"),
    ("policies", "sqlite", "po_upd", "policies"),
    ("policies", "mysql", "g_pol_cols", "grants"),
    ("defaults_comments", "mysql", "r_dc_parent", "constraint comments"),
    ("long_identifiers", "mysql", "c_long_value", "created as"),
    ("long_identifiers", "sqlite", "t_umlaut", "created as"),
]


@pytest.mark.parametrize(("name", "dialect", "object_id", "words"), EXPECTED_WARNINGS)
def test_what_a_target_cannot_express_is_a_warning_naming_the_object(
    name: str, dialect: str, object_id: str, words: str
) -> None:
    warnings = emit(fixture(name), dialect).warnings
    assert any(w.object_id == object_id and words in w.message for w in warnings), warnings


# Designs PostgreSQL expresses completely: no warning at all.
@pytest.mark.parametrize(
    "name",
    [
        "blog",
        "checks_uniques",
        "composite_keys",
        "enums",
        "hostile",
        "indexes",
        "partitions",
        "schemas",
        "saas_multitenant",
        "ecommerce",
        "ledger",
        "referential_actions",
        "extensions",
        "timeseries",
        "policies",
        "defaults_comments",
    ],
)
def test_postgres_expresses_a_plain_design_without_warnings(name: str) -> None:
    assert emit(fixture(name), "postgresql").warnings == []


def test_every_warning_names_an_object_of_the_design() -> None:
    for name in FIXTURES:
        doc = fixture(name)
        ids = set(_ids(doc.model_dump()))
        for dialect in DIALECTS:
            for warning in emit(doc, dialect).warnings:
                assert warning.object_id in ids, (name, dialect, warning)


def _ids(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            yield data["id"]
        for value in data.values():
            yield from _ids(value)
    elif isinstance(data, list):
        for value in data:
            yield from _ids(value)


def test_unknown_dialects_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        emit(fixture("blog"), "oracle")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_metadata_holds_every_table_with_its_constraint_names(dialect: str) -> None:
    md = metadata(fixture("blog"), dialect)
    assert isinstance(md, sa.MetaData)
    posts = md.tables["posts"]
    assert {c.name for c in posts.constraints} >= {"pk_posts", "fk_posts_author_id"}
    assert {i.name for i in posts.indexes} == {"idx_posts_author_id"}


@pytest.mark.parametrize(
    ("dialect", "fragment"),
    [
        ("postgresql", "GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5 START WITH 100)"),
        ("mysql", "AUTO_INCREMENT=100"),
        ("sqlite", "id INTEGER NOT NULL"),
        ("postgresql", "DEFAULT 'it''s a \\ backslash'"),
        ("mysql", "DEFAULT 'it''s a \\\\ backslash'"),
        ("postgresql", "GENERATED ALWAYS AS (price * quantity) STORED"),
        ("mysql", "GENERATED ALWAYS AS (quantity * 2) VIRTUAL"),
        ("postgresql", "seq BIGSERIAL NOT NULL"),
    ],
)
def test_identity_defaults_and_generated_columns_render_per_dialect(dialect: str, fragment: str) -> None:
    assert fragment in emit(fixture("generated_identity"), dialect).sql


def test_mysql_tables_are_innodb_in_utf8mb4() -> None:
    for statement in emit(fixture("blog"), "mysql").statements:
        if statement.startswith("CREATE TABLE"):
            assert "ENGINE=InnoDB" in statement and "CHARSET=utf8mb4" in statement


def test_mysql_reads_design_double_quotes_as_identifiers() -> None:
    assert "ANSI_QUOTES" in emit(fixture("hostile"), "mysql").statements[0]
    assert not any("ANSI_QUOTES" in s for s in emit(fixture("blog"), "mysql").statements)


# ---- naming --------------------------------------------------------------------------------------


def test_a_template_fills_every_placeholder_once() -> None:
    assert (
        render(
            "{table}_{columns}_to_{referred_table}_{name}",
            table="a{name}",
            columns=["b", "c"],
            referred_table="d",
            name="e",
        )
        == "a{name}_b_c_to_d_e"
    )


@pytest.mark.parametrize("limit", [16, 30, 63])
def test_a_long_name_is_cut_to_the_limit_with_a_stable_hash(limit: int) -> None:
    long = "é" * 40 + "_suffix"
    cut = truncate(long, limit)
    assert len(cut.encode()) <= limit
    assert cut == truncate(long, limit)
    assert cut != truncate(long + "x", limit)
    assert truncate("short", limit) == "short"


def test_clashing_generated_names_get_a_numbered_suffix() -> None:
    namer = Namer(63)
    namer.reserve("public", "ix_t_a")
    assert namer.generate("public", "ix_t_a") == "ix_t_a_2"
    assert namer.generate("public", "ix_t_a") == "ix_t_a_3"
    assert namer.generate("other", "ix_t_a") == "ix_t_a"


def test_the_naming_fixture_names_constraints_by_its_convention() -> None:
    text = emit(fixture("naming"), "postgresql").sql
    assert "CONSTRAINT people_with_long_names_pkey PRIMARY KEY" in text
    assert "CONSTRAINT organisations_pkey" in text
    assert "CONSTRAINT explicit_check CHECK" in text
    for line in text.splitlines():
        if "CONSTRAINT" in line or line.startswith("CREATE INDEX"):
            name = line.split("CONSTRAINT ")[-1].split()[0] if "CONSTRAINT" in line else line.split()[2]
            assert len(name.encode()) <= 30, line


def test_the_hostile_fixture_has_a_name_of_exactly_63_bytes() -> None:
    doc = fixture("hostile")
    assert 63 in [len(t.name.encode()) for t in doc.tables]
    assert hashlib.sha256(emit(doc, "postgresql").sql.encode()).hexdigest()  # renders at all


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_same_named_tables_of_two_schemas_stay_apart_without_schemas(dialect: str) -> None:
    data = fixture("schemas").to_data()
    data["tables"].append(
        {
            "id": "t_acc2",
            "name": "accounts",
            "schema": "billing",
            "columns": [{"id": "c_acc2_id", "name": "id", "type": {"name": "integer"}}],
        }
    )
    result = emit(load(data), dialect)
    assert any(w.object_id == "t_acc2" and "'billing_accounts'" in w.message for w in result.warnings)
    assert sum(s.startswith("CREATE TABLE") for s in result.statements) == 3
    assert emit(load(data), "postgresql").warnings == []
