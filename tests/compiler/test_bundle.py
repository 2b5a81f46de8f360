"""The bundle: deterministic bytes, safe paths, every promised file, SQL that runs on its engine."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from designs.compiler.bundle import BundleError, build_bundle, manifest, read_bundle
from designs.compiler.capacity import column_bytes, row_bytes
from designs.compiler.document import Column, ColumnType, Document, Table
from designs.compiler.text.dictionary import dictionary_html, dictionary_markdown
from designs.compiler.validate import load
from tests.services import scratch_mysql, scratch_postgres

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "designs"
ALL = sorted(p.stem for p in FIXTURES.glob("*.json"))

PROMISED = [
    "README.md",
    "manifest.json",
    "design.json",
    "design.mmd",
    "design.dbml",
    "schema/postgresql.sql",
    "schema/mysql.sql",
    "schema/sqlite.sql",
    "schema/postgresql.warnings.txt",
    "schema/mysql.warnings.txt",
    "schema/sqlite.warnings.txt",
    "models/sqlalchemy_models.py",
    "models/django_models.py",
    "docs/data_dictionary.md",
    "docs/data_dictionary.html",
    "docs/index_strategy.md",
    "docs/design.md",
]

DESIGN_DOC_SECTIONS = [
    "## Entity-relationship diagram",
    "## Schema",
    "## Index strategy",
    "## Table inventory",
    "## Query patterns",
    "## Connection pooling",
    "## Migration strategy",
    "## Backup and recovery",
    "## Security",
    "## Monitoring",
    "## Open questions",
]


def fixture(name: str) -> Document:
    return load(json.loads((FIXTURES / f"{name}.json").read_text()))


META = {"revision": 3, "version": "v1.0", "last_updated": "2024-05-01", "status": "approved"}


def run_postgres(url: str, script: str) -> None:
    import psycopg

    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True) as conn:
        conn.execute(script.encode())  # no parameters: the whole script in one simple query


def run_mysql(url: str, script: str) -> None:
    import pymysql
    from pymysql.constants import CLIENT

    u = make_url(url)
    conn = pymysql.connect(
        host=u.host,
        port=u.port or 3306,
        user=u.username,
        password=u.password or "",
        database=u.database,
        client_flag=CLIENT.MULTI_STATEMENTS,
        charset="utf8mb4",
    )
    try:
        with conn.cursor() as cur:
            cur.execute(script)
            while cur.nextset():
                pass
    finally:
        conn.close()


def run_sqlite(script: str) -> list[str]:
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(script)
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


def check_scripts_execute(files: dict[str, bytes], doc: Document) -> None:
    """Run each schema script of a bundle on its real engine (scratch databases)."""
    with scratch_postgres("jobs_bundle") as url:
        run_postgres(url, files["schema/postgresql.sql"].decode())
    with scratch_mysql("jobs_bundle") as url:
        run_mysql(url, files["schema/mysql.sql"].decode())
    tables = run_sqlite(files["schema/sqlite.sql"].decode())
    assert {t.name for t in doc.tables if not t.schema_} <= set(tables) | {t.name for t in doc.tables if t.schema_}


def test_the_same_design_gives_the_same_bytes_in_a_fresh_build() -> None:
    doc = fixture("ecommerce")
    first = build_bundle(doc, name="Shop", meta=META)
    second = build_bundle(fixture("ecommerce"), name="Shop", meta=META)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_a_different_revision_gives_different_bytes() -> None:
    doc = fixture("blog")
    assert build_bundle(doc, name="b", meta=META) != build_bundle(doc, name="b", meta={**META, "revision": 4})


def test_entries_are_sorted_relative_and_timestamped_in_1980() -> None:
    data = build_bundle(fixture("blog"), name="My Blog!", meta=META)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert all(n.startswith("my-blog/") and ".." not in n and not n.startswith("/") for n in names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("name", ALL)
def test_every_fixture_bundles_with_every_promised_file(name: str) -> None:
    doc = fixture(name)
    data = build_bundle(doc, name=name, meta=META)
    files = read_bundle(data)
    missing = [p for p in PROMISED if p not in files]
    assert not missing
    listed = manifest(data)["files"]
    for path, entry in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == entry["sha256"]
    design = files["docs/design.md"].decode()
    assert design.startswith("---\ntitle: ")
    for key in ("status:", "version:", "last_updated:", "review_cycle:"):
        assert f"\n{key}" in design.split("\n---\n", 1)[0]
    assert [s for s in DESIGN_DOC_SECTIONS if s not in design] == []


@pytest.mark.parametrize("name", ALL)
def test_the_dictionary_names_every_table_and_column(name: str) -> None:
    doc = fixture(name)
    md = dictionary_markdown(doc)
    page = dictionary_html(doc)
    import html as h

    for table in doc.tables:
        assert f"## {table.name}" in md
        assert f"<h2>{h.escape(table.name)}</h2>" in page
        for column in table.columns:
            assert f"| {column.name.replace('|', chr(92) + '|')} |" in md
            assert f"<td>{h.escape(column.name)}</td>" in page


def test_the_html_dictionary_escapes_hostile_names() -> None:
    page = dictionary_html(fixture("hostile"))
    assert "<script" not in page.lower()
    body = page.split("</style>", 1)[1]
    # Every tag in the body is one we wrote.
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", body)) <= {
        "head",
        "body",
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "a",
        "section",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "pre",
        "code",
        "html",
    }


def test_the_dictionary_reports_comment_coverage_and_pii_tags() -> None:
    doc = fixture("ecommerce")
    md = dictionary_markdown(doc)
    assert re.search(r"Comment coverage: \d+ of 9 tables \(\d+%\) and \d+ of \d+ columns", md)
    assert "INSERT INTO customers" in md


def test_the_dictionary_sample_insert_runs_on_postgres() -> None:
    doc = fixture("blog")
    files = read_bundle(build_bundle(doc, name="blog", meta=META))
    inserts = re.findall(r"```sql\n(INSERT.*?)\n```", files["docs/data_dictionary.md"].decode(), re.S)
    assert len(inserts) == len(doc.tables)
    with scratch_postgres("jobs_sample") as url:
        run_postgres(url, files["schema/postgresql.sql"].decode())
        # FKs may point at rows that do not exist; the point is types and literals are valid.
        run_postgres(url, "SET session_replication_role = replica;\n" + "\n".join(inserts))


def test_schema_scripts_execute_on_their_engines() -> None:
    doc = fixture("ecommerce")
    check_scripts_execute(read_bundle(build_bundle(doc, name="shop", meta=META)), doc)


def test_an_oversized_bundle_is_refused() -> None:
    with pytest.raises(BundleError, match="limit"):
        build_bundle(fixture("blog"), name="b", meta=META, max_bytes=1000)


def test_an_unsafe_extra_path_is_refused() -> None:
    with pytest.raises(BundleError, match="safe relative path"):
        build_bundle(fixture("blog"), name="b", meta=META, extras={"../evil": b"x"})


def test_without_a_rendered_erd_the_bundle_says_so() -> None:
    data = build_bundle(fixture("blog"), name="b", meta=META)
    assert any("erd.svg" in w for w in manifest(data)["warnings"])
    with_erd = build_bundle(
        fixture("blog"), name="b", meta=META, extras={"docs/erd.svg": b"<svg/>", "docs/erd.png": b"png"}
    )
    assert not any("erd.svg" in w for w in manifest(with_erd)["warnings"])


def test_migrations_are_included_when_the_compiler_has_them() -> None:
    blog = fixture("blog")
    files = read_bundle(build_bundle(blog, name="b", meta=META, previous=[("v0", blog)]))
    versions = sorted(p for p in files if p.startswith("migrations/versions/"))
    assert len(versions) == 2
    assert "migrations/alembic.ini" in files


def test_migrations_are_written_for_the_design_target_engine() -> None:
    blog = fixture("blog")
    lite = blog.model_copy(update={"settings": blog.settings.model_copy(update={"target": "sqlite"})})
    files = read_bundle(build_bundle(lite, name="b", meta=META, previous=[("v0", lite)]))
    revisions = [files[p].decode() for p in sorted(files) if p.startswith("migrations/versions/")]
    assert revisions and all("Dialect: sqlite" in text for text in revisions)
    assert not any("CONCURRENTLY" in text for text in revisions)


SIZES: list[tuple[dict[str, Any], int]] = [
    ({"name": "bigint"}, 8),
    ({"name": "integer"}, 4),
    ({"name": "boolean"}, 1),
    ({"name": "uuid"}, 16),
    ({"name": "char", "length": 2}, 3),
    ({"name": "varchar", "length": 100}, 51),
    ({"name": "integer", "array": 1}, 24 + 4 * 4),
]


@pytest.mark.parametrize(("ctype", "size"), SIZES)
def test_column_sizes_follow_the_type(ctype: dict[str, Any], size: int) -> None:
    assert column_bytes(Column(id="c", name="c", type=ColumnType(**ctype))) == size


def test_a_row_adds_the_tuple_header_and_null_bitmap() -> None:
    table = Table(
        id="t",
        name="t",
        columns=[
            Column(id="a", name="a", type=ColumnType(name="bigint"), nullable=False),
            Column(id="b", name="b", type=ColumnType(name="integer")),
        ],
    )
    assert row_bytes(table) == 24 + 1 + 4 + 8 + 4


def test_the_cli_writes_the_same_bundle_as_the_library(tmp_path: Path) -> None:
    from dbstudio.cli import main

    out = tmp_path / "bundle.zip"
    err = io.StringIO()
    path = str(FIXTURES / "blog.json")
    assert main(["bundle", path, "--previous", path, "-o", str(out)], io.StringIO(), err) == 0
    blog = fixture("blog")
    assert out.read_bytes() == build_bundle(blog, name=blog.name, meta={"version": "v2"}, previous=[("v1", blog)])
    assert "warning: " in err.getvalue()


def test_a_model_warning_about_many_objects_is_one_line_naming_them_all() -> None:
    warnings = manifest(build_bundle(fixture("ecommerce"), name="b", meta=META))["warnings"]
    tables = [t.id for t in fixture("ecommerce").tables]
    pk = [w for w in warnings if "Django names the primary key itself" in w]
    assert pk == [f"models/django_models.py: Django names the primary key itself; the DDL's name is not used "
                  f"({len(tables)}: {', '.join(tables)})"]
    # A message about one object keeps the object first, as before.
    assert "models/sqlalchemy_models.py: i_prod_name_trgm: SQLAlchemy has no index comments; " \
           "the comment is in the DDL only" in warnings
