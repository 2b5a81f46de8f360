"""What a MySQL import keeps: ON UPDATE CURRENT_TIMESTAMP on any column, FULLTEXT and SPATIAL indexes.

Imported from MySQL DDL, exported for each engine and run there: the column is maintained on every
engine (MySQL's own ON UPDATE, a trigger elsewhere), and the MySQL-only index kinds are emitted
for MySQL and left out, with a warning, elsewhere.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from designs.compiler.ddl import emit
from designs.compiler.document import Document
from designs.compiler.parse.sql import parse_sql
from tests.services import scratch_postgres

MYSQL_DDL = """
CREATE TABLE film_text (
  film_id SMALLINT NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  touched TIMESTAMP NULL ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (film_id),
  FULLTEXT KEY idx_title_description (title, description)
);
"""


def imported() -> tuple[Document, list[str]]:
    result = parse_sql(MYSQL_DDL, "mysql")
    return result.document, result.warnings


def test_the_first_current_timestamp_on_update_becomes_the_tables_updated_at_trigger() -> None:
    doc, warnings = imported()
    table = doc.tables[0]
    assert table.options.updated_at_trigger is True
    maintained = table.column(table.options.updated_at_column or "")
    assert maintained is not None and maintained.name == "last_update"
    assert [i.method for i in table.indexes] == ["fulltext"]
    # The second one has no current-timestamp default: not modelled, and said so with its line.
    assert any(w.startswith("line ") and "touched: ON UPDATE" in w for w in warnings)


def test_mysql_writes_them_back_as_mysql_does() -> None:
    doc, _ = imported()
    ddl = emit(doc, "mysql")
    assert "last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP" in ddl.sql
    assert "CREATE FULLTEXT INDEX idx_title_description ON film_text (title, description)" in ddl.sql
    assert "description TEXT" in ddl.sql  # a FULLTEXT key indexes TEXT whole: no VARCHAR(255) for it


def test_postgres_maintains_the_column_with_a_trigger_and_leaves_fulltext_out() -> None:
    doc, _ = imported()
    ddl = emit(doc, "postgresql")
    assert "idx_title_description" not in ddl.sql
    assert any("no FULLTEXT indexes" in w.message for w in ddl.warnings)
    with scratch_postgres("onupdate") as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.begin() as conn:
                for statement in ddl.statements:
                    conn.exec_driver_sql(statement)
                conn.execute(sa.text("INSERT INTO film_text (film_id, title) VALUES (1, 'a')"))
                before = conn.execute(sa.text("SELECT last_update FROM film_text")).scalar_one()
            time.sleep(0.05)
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE film_text SET title = 'b'"))
                after = conn.execute(sa.text("SELECT last_update FROM film_text")).scalar_one()
        finally:
            engine.dispose()
    assert after > before


def test_sqlite_maintains_the_column_with_a_trigger() -> None:
    doc, _ = imported()
    ddl = emit(doc, "sqlite")
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        for statement in ddl.statements:
            conn.exec_driver_sql(statement)
        conn.execute(sa.text("INSERT INTO film_text (film_id, title, last_update) VALUES (1, 'a', '2000-01-01')"))
        conn.execute(sa.text("UPDATE film_text SET title = 'b'"))
        assert conn.execute(sa.text("SELECT last_update FROM film_text")).scalar_one() != "2000-01-01"
