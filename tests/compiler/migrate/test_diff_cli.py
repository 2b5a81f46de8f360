"""``dbstudio diff``: script to stdout or a file, hazards to stderr, a clear error for a bad design."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dbstudio.cli import main

from .conftest import PAIR_DIR


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def files(name: str) -> list[str]:
    return [str(PAIR_DIR / name / "old.json"), str(PAIR_DIR / name / "new.json")]


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("alembic", "op.drop_column('orders', 'code')"),
        ("postgres", "ALTER TABLE orders DROP COLUMN code"),
        ("mysql", "ALTER TABLE orders DROP COLUMN code"),
        ("sqlite", "DROP TABLE orders"),  # SQLite rebuilds the table
    ],
)
def test_diff_writes_the_migration_and_warns_about_hazards(to: str, expected: str) -> None:
    code, out, err = run(["diff", *files("drop_column"), "--to", to])
    assert code == 0
    assert expected in out
    assert "hazard [data_loss]" in err


def test_diff_writes_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "0002.py"
    code, out, _ = run(
        [
            "diff",
            *files("rename_table"),
            "--to",
            "alembic",
            "-o",
            str(target),
            "--revision",
            "v2",
            "--down-revision",
            "v1",
        ]
    )
    assert code == 0 and out == ""
    text = target.read_text()
    assert "op.rename_table('orders', 'purchases')" in text and "down_revision = 'v1'" in text


def test_diff_unsafe_leaves_out_the_lock_avoidance() -> None:
    _, safe, _ = run(["diff", *files("add_index"), "--to", "postgres"])
    _, unsafe, _ = run(["diff", *files("add_index"), "--to", "postgres", "--unsafe"])
    assert "CONCURRENTLY" in safe and "CONCURRENTLY" not in unsafe


def test_diff_of_identical_designs_says_so() -> None:
    same = str(PAIR_DIR / "add_index" / "old.json")
    code, _, err = run(["diff", same, same, "--to", "postgres"])
    assert code == 0 and "no changes" in err


def test_diff_refuses_an_invalid_design(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "tables": [{"id": "t"}]}')
    code, _, err = run(["diff", str(bad), files("add_index")[1], "--to", "postgres"])
    assert code == 1 and "not a valid design" in err


def test_diff_writes_a_numbered_flyway_series(tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    code, out, _ = run(
        [
            "diff",
            *files("add_index"),
            "--to",
            "postgres",
            "--flyway",
            str(folder),
            "--down-revision",
            "initial",
            "--revision",
            "orders by code",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["V001__initial.sql", "V002__orders_by_code.sql"]
    assert "CREATE INDEX CONCURRENTLY" in (folder / "V002__orders_by_code.sql").read_text()
    assert "V002__orders_by_code.sql" in out
