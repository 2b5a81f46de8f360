"""The emitted objects behave: triggers fire, the audit trail fills, grants and partitions hold, checks bite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from designs.compiler.ddl import DIALECTS, emit

from .conftest import fixture, run_script, scratch

OLD = "2000-01-01 00:00:00"


def rename_an_account(engine: sa.Engine, dialect: str) -> None:
    """On the triggers_audit schema: insert account 1 ('a', updated long ago), then rename it to 'b'."""
    run_script(engine, emit(fixture("triggers_audit"), dialect).statements)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO accounts (id, name, updated_at) VALUES (1, 'a', :old)"), {"old": OLD})
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE accounts SET name = 'b' WHERE id = 1"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_updating_a_row_refreshes_updated_at(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        rename_an_account(engine, dialect)
        with engine.connect() as conn:
            updated = conn.execute(sa.text("SELECT updated_at FROM accounts WHERE id = 1")).scalar()
    assert str(updated)[:4] != "2000"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_change_is_recorded_in_the_audit_table(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        run_script(engine, emit(fixture("triggers_audit"), dialect).statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO ledger (id, amount) VALUES (1, 10)"))
            conn.execute(sa.text("UPDATE ledger SET amount = 11"))
            conn.execute(sa.text("DELETE FROM ledger"))
        with engine.connect() as conn:
            query = "SELECT operation, table_name, old_row, new_row, changed_by FROM change_log ORDER BY id"
            rows = conn.execute(sa.text(query)).all()
    amounts = [(r[0], r[1], _row(r[2]).get("amount"), _row(r[3]).get("amount")) for r in rows]
    assert amounts == [("INSERT", "ledger", None, 10), ("UPDATE", "ledger", 10, 11), ("DELETE", "ledger", 11, None)]
    assert all(r[4] for r in rows) or dialect == "sqlite"  # SQLite has no users


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_audited_update_is_logged_once_even_when_updated_at_is_refreshed(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        rename_an_account(engine, dialect)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT operation, old_row, new_row FROM change_log ORDER BY id")).all()
    assert [(r[0], _row(r[1]).get("name"), _row(r[2]).get("name")) for r in rows] == [
        ("INSERT", None, "a"),
        ("UPDATE", "a", "b"),
    ]


def _row(value: object) -> dict[str, object]:
    """An audit row image as a dict, whether the driver hands back JSON text or a decoded value."""
    if value is None:
        return {}
    decoded = json.loads(value) if isinstance(value, str | bytes) else value
    assert isinstance(decoded, dict)
    return decoded


def test_postgres_grants_roles_their_privileges(tmp_path: Path) -> None:
    with scratch("postgresql", tmp_path) as engine:
        statements = emit(fixture("security"), "postgresql").statements
        run_script(engine, statements)
        run_script(engine, [s for s in statements if s.startswith("DO ")])  # re-running roles is safe
        with engine.connect() as conn:

            def ask(sql: str) -> bool:
                return bool(conn.execute(sa.text(sql)).scalar())

            assert ask("SELECT has_table_privilege('ddl_fx_reader', 'notes', 'SELECT')")
            assert not ask("SELECT has_table_privilege('ddl_fx_reader', 'notes', 'INSERT')")
            assert ask("SELECT has_table_privilege('ddl_fx_writer', 'notes', 'DELETE')")
            assert ask("SELECT has_column_privilege('ddl_fx_writer', 'tags', 'name', 'UPDATE')")
            assert not ask("SELECT has_column_privilege('ddl_fx_writer', 'tags', 'id', 'UPDATE')")
            assert ask("SELECT pg_has_role('ddl_fx_writer', 'ddl_fx_reader', 'MEMBER')")
            assert ask("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'ddl_fx_writer'")
            assert ask("SELECT has_table_privilege('public', 'tags', 'SELECT')")


def test_postgres_routes_rows_to_their_partitions(tmp_path: Path) -> None:
    with scratch("postgresql", tmp_path) as engine:
        run_script(engine, emit(fixture("partitions"), "postgresql").statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO events (id, happened_at) VALUES (1, '2024-06-01'), (2, '1999-01-01')"))
            conn.execute(sa.text("INSERT INTO customers (id, region) VALUES (1, 'FR')"))
            conn.execute(sa.text("INSERT INTO orders (id, customer_id, region) VALUES (1, 1, 'FR')"))
            query = sa.text("SELECT id, tableoid::regclass::text FROM events")
            placed: dict[int, str] = {row[0]: row[1] for row in conn.execute(query)}
    assert placed == {1: "events_2024", 2: "events_other"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_enum_column_refuses_other_values(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        run_script(engine, emit(fixture("enums"), dialect).statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO orders (id, status) VALUES (1, 'it''s done')"))
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            if dialect == "mysql":  # strict mode makes a bad ENUM value an error, not ''
                conn.execute(sa.text("SET SESSION sql_mode = 'STRICT_ALL_TABLES'"))
            conn.execute(sa.text("INSERT INTO orders (id, status) VALUES (2, 'lost')"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_generated_defaults_fill_a_new_row(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        run_script(engine, emit(fixture("generated_identity"), dialect).statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO items (quantity) VALUES (3)"))
            row = conn.execute(sa.text("SELECT id, public_id, total, note, active FROM items")).one()
    assert row.total == pytest.approx(28.5)
    assert len(str(row.public_id)) == 36
    assert row.note == "it's a \\ backslash"
    assert bool(row.active) is True
    assert row.id == (100 if dialect != "sqlite" else 1)


def test_sqlite_enforces_foreign_keys_in_the_connection_that_ran_the_script(tmp_path: Path) -> None:
    with scratch("sqlite", tmp_path) as engine:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement in emit(fixture("blog"), "sqlite").statements:
                cursor.execute(statement)
            with pytest.raises(Exception, match="FOREIGN KEY"):
                cursor.execute("INSERT INTO comments (id, post_id, text) VALUES (1, 999, 'x')")
        finally:
            raw.close()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_ledger_audit_trail_holds_generated_values(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        run_script(engine, emit(fixture("ledger"), dialect).statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO accounts (code, name, type) VALUES ('1000', 'Cash', 'asset')"))
            account = conn.execute(sa.text("SELECT id FROM accounts")).scalar()
            conn.execute(sa.text("INSERT INTO journal_entries (posted_on, description) VALUES ('2024-05-01', 'e1')"))
            entry = conn.execute(sa.text("SELECT id FROM journal_entries")).scalar()
            conn.execute(
                sa.text("INSERT INTO postings (entry_id, account_id, side, amount) VALUES (:e, :a, 'C', 5)"),
                {"e": entry, "a": account},
            )
        with engine.connect() as conn:
            query = "SELECT table_name, new_row FROM ledger_audit WHERE operation = 'INSERT' ORDER BY id"
            rows = conn.execute(sa.text(query)).all()
    assert account == (1 if dialect == "sqlite" else 1000)  # identity start (SQLite: warned, starts at 1)
    assert [r[0] for r in rows] == ["journal_entries", "postings"]
    assert float(str(_row(rows[1][1])["signed_amount"])) == -5


# Rows left in each child table after its parent row is deleted, by the child's ON DELETE action.
AFTER_DELETE = {"cascade": [], "set_null": [(1, None)], "set_default": [(1, "none")]}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_on_delete_action_does_what_it_says(dialect: str, tmp_path: Path) -> None:
    with scratch(dialect, tmp_path) as engine:
        if dialect == "sqlite":  # SQLite enforces foreign keys per connection, when asked
            sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA foreign_keys = ON"))
        run_script(engine, emit(fixture("referential_actions"), dialect).statements)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO parents (id, code) VALUES (1, 'p1'), (2, 'none')"))
            for action in ("no_action", "restrict", *AFTER_DELETE):
                conn.execute(sa.text(f"INSERT INTO child_{action} (id, parent_code) VALUES (1, 'p1')"))
        for blocking in ("no_action", "restrict"):
            with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM parents WHERE code = 'p1'"))
            with engine.begin() as conn:
                conn.execute(sa.text(f"DELETE FROM child_{blocking}"))
        expected = dict(AFTER_DELETE)
        if dialect == "mysql":  # InnoDB has no SET DEFAULT: the emitter warned and left the default action
            expected.pop("set_default")
            with engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM child_set_default"))
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM parents WHERE code = 'p1'"))
        with engine.connect() as conn:
            got = {
                action: [tuple(r) for r in conn.execute(sa.text(f"SELECT id, parent_code FROM child_{action}"))]
                for action in expected
            }
    assert got == expected
