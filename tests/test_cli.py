"""The ``dbstudio`` command line: exit codes, stdin, errors, and ``serve`` answering HTTP."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dbstudio.cli import main, serving_warnings

VALID = {"format": 1, "name": "x", "tables": [{"id": "t", "name": "a", "columns": []}]}


def run(
    argv: list[str], stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_accepts_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(VALID))
    code, out, _ = run(["validate", str(path)])
    assert code == 0 and "valid (1 tables" in out


def test_validate_lists_every_error_with_its_path_and_exits_1(tmp_path: Path) -> None:
    bad = {
        "tables": [{"id": "t", "name": "a", "columns": [{"id": "c", "name": "x", "type": {"name": "nope"}}]}],
        "x": 1,
    }
    path = tmp_path / "d.json"
    path.write_text(json.dumps(bad))
    code, _, err = run(["validate", str(path)])
    assert code == 1
    assert "tables[0].columns[0].type.name" in err and "x: unknown field" in err and "2 errors" in err


def test_validate_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["validate", "-"], stdin=json.dumps(VALID).encode(), monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("-: valid")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": ', "line 1, column 7"),
        (b"\n\n\xff", "line 3, column 1: not valid UTF-8"),
        (b"", "line 1, column 1"),
    ],
)
def test_validate_reports_unreadable_input_with_a_position(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "d.json"
    path.write_bytes(content)
    code, _, err = run(["validate", str(path)])
    assert code == 1 and message in err


def test_validate_reports_a_missing_file() -> None:
    code, _, err = run(["validate", "/nonexistent/design.json"])
    assert code == 1 and "No such file" in err


def test_every_subcommand_has_help() -> None:
    for command in ["serve", "validate", "manage"]:
        result = subprocess.run(
            [sys.executable, "-m", "dbstudio.cli", command, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0 and "usage: dbstudio" in result.stdout, command


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def test_serve_migrates_an_empty_data_dir_and_answers_openapi(tmp_path: Path) -> None:
    port = free_port(8765)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DBSTUDIO_DATA_DIR"] = str(tmp_path / "data")
    server = subprocess.Popen(
        [sys.executable, "-m", "dbstudio.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2) as response:
                    schema = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(server.stdout.read().decode() if server.stdout else "no output") from None
                time.sleep(0.3)
        assert "/api/designs/{design_id}/document" in schema["paths"]
        assert (tmp_path / "data" / "dbstudio.sqlite3").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/ninja/swagger-ui.css", timeout=5) as response:
            assert response.status == 200 and response.read()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    # A static file served leaves the console quiet (Django warned about its sync iterator each time).
    assert b"Warning" not in output, output.decode()


EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - the address a person serving others would give


@pytest.mark.parametrize(
    ("host", "debug", "allowed", "expected"),
    [
        ("127.0.0.1", True, ["localhost", "127.0.0.1"], []),
        ("localhost", True, [], []),
        (EVERY_INTERFACE, True, ["localhost", "127.0.0.1", "[::1]", "testserver"], ["DEBUG is on", "400 Bad Request"]),
        (EVERY_INTERFACE, True, ["studio.example.com"], ["DEBUG is on"]),
        (EVERY_INTERFACE, False, ["127.0.0.1"], ["400 Bad Request"]),
        ("10.0.0.5", False, ["studio.example.com"], []),
    ],
)
def test_serving_beyond_this_machine_warns_of_debug_and_allowed_hosts(
    host: str, debug: bool, allowed: list[str], expected: list[str]
) -> None:
    warnings = serving_warnings(host, debug, allowed)
    assert len(warnings) == len(expected)
    for warning, fragment in zip(warnings, expected, strict=True):
        assert fragment in warning


FIXTURES = Path(__file__).parent / "fixtures" / "designs"


def test_export_writes_ddl_to_a_file_and_warnings_to_stderr(tmp_path: Path) -> None:
    out_file = tmp_path / "schema.sql"
    code, out, err = run(["export", str(FIXTURES / "security.json"), "--to", "mysql", "-o", str(out_file)])
    assert code == 0 and out == ""
    assert "CREATE TABLE" in out_file.read_text()
    assert "warning:" in err and "row-level security" in err.lower()


@pytest.mark.parametrize("to", ["postgres", "sqlite", "mermaid", "json"])
def test_export_prints_to_stdout(to: str) -> None:
    code, out, _ = run(["export", str(FIXTURES / "blog.json"), "--to", to])
    assert code == 0 and out.strip()


def test_export_refuses_an_invalid_design_listing_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"tables": [{"id": "t", "name": "a", "columns": [], "oops": 1}], "bad": 2}))
    code, out, err = run(["export", str(path), "--to", "postgres"])
    assert code == 1 and out == ""
    assert "tables[0].oops: unknown field" in err and "bad: unknown field" in err


def test_an_import_that_reads_as_an_invalid_design_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    source = tmp_path / "bad.dbml"
    # Reads as DBML, but its lossless directive points the index at a column id the table lacks.
    directive = '// @dbstudio index {"columns": [{"column": "nope"}]}'
    source.write_text(f"Table t {{\n  id int\n  Indexes {{\n    id {directive}\n  }}\n}}\n")
    target = tmp_path / "design.json"
    target.write_text('{"kept": true}\n')
    code, out, err = run(["import", str(source), "-o", str(target)])
    assert code == 1 and out == ""
    assert f"{source}: the design read from it is not valid, so nothing was written" in err
    assert "tables[0].indexes[0].columns[0].column: no column with id 'nope' in table 't'" in err
    assert target.read_text() == '{"kept": true}\n'  # what -o held is untouched


def test_an_import_naming_a_missing_column_says_on_which_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.dbml"
    source.write_text("Table t {\n  email int\n  Indexes {\n    emial\n  }\n}\n")
    code, out, err = run(["import", str(source)])
    assert code == 1 and out == ""
    message = "the index names column 'emial', which table 't' does not have (did you mean 'email'?)"
    assert f"{source}: line 4, column 5: {message}" in err
