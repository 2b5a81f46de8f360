"""Shared pieces of the command line: reading input safely, writing output, loading designs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def read_input(path: str, max_bytes: int = 50 * 1024 * 1024) -> str:
    """Read a file, or stdin for ``-``, refusing oversized input and invalid UTF-8 with a clear message."""
    raw = sys.stdin.buffer.read(max_bytes + 1) if path == "-" else _read_file(path, max_bytes)
    if len(raw) > max_bytes:
        raise CliError(f"{path}: larger than {max_bytes} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CliError(f"{path}: line {line}, column {column}: not valid UTF-8") from None


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror}") from None


def write_output(text: str, output: str | None, stdout: TextIO) -> None:
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8")
    else:
        stdout.write(text)


class CliError(Exception):
    pass


def load_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def load_document(path: str) -> Any:
    """A design document from a JSON file (or stdin), validated; CliError lists every problem."""
    from designs.compiler.validate import validate

    doc, problems = validate(load_json(read_input(path), path))
    if doc is None:
        raise CliError("not a valid design:\n" + "\n".join(f"  {p}" for p in problems))
    return doc
