"""One entry for every import: bytes or text in some format → a new design document and warnings.

    result = import_text(text, fmt=None)               # auto-detects the format
    result = import_text(sql, "postgres", exact_url=server_url)   # PostgreSQL's own parser decides
    result.document, result.warnings, result.format

The CLI, the API and the web dialog all call this, so they accept and reject exactly the same
input. Every failure is a ``ParseError`` with a line, a column and a hint; never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .document import Document
from .layout import arrange
from .parse.detect import FORMATS, detect
from .parse.errors import ParseError
from .validate import validate

MAX_BYTES = 20 * 1024 * 1024  # a schema, even a big one, is far smaller; configurable per call
SQL_DIALECTS = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


@dataclass
class ImportResult:
    document: Document
    warnings: list[str] = field(default_factory=list)
    format: str = ""


_SKIPPED = re.compile(r"skipped (?P<kind>.+?): (?P<count>\d+) statements? not modelled, at lines? (?P<lines>.+)", re.S)
_AT_LINE = re.compile(r"line (?P<line>\d+): (?P<message>.+)", re.S)


def summarize_warnings(warnings: list[str]) -> dict[str, list[dict[str, object]]]:
    """The warnings grouped for a person: statements skipped by kind (count, lines), then notes by line.

    ``{"skipped": [{"kind", "count", "lines"}], "notes": [{"line", "message"}]}``; a note without a
    line (a summary such as "55 partitions folded…") has ``line`` None. Nothing is dropped: every
    warning lands in exactly one group.
    """
    skipped: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for warning in warnings:
        if match := _SKIPPED.fullmatch(warning):
            skipped.append({"kind": match["kind"], "count": int(match["count"]), "lines": match["lines"]})
        elif match := _AT_LINE.fullmatch(warning):
            notes.append({"line": int(match["line"]), "message": match["message"]})
        else:
            notes.append({"line": None, "message": warning})
    return {"skipped": skipped, "notes": notes}


def decode(raw: bytes, max_bytes: int = MAX_BYTES) -> str:
    """Bytes of an upload or file as text: size cap, binary and invalid UTF-8 answered with a position."""
    if len(raw) > max_bytes:
        raise ParseError(f"the input is {len(raw):,} bytes, over the {max_bytes:,}-byte limit", 1, 1,
                         "import the schema only (no data), or raise the limit")
    nul = raw.find(b"\0", 0, 65536)
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise ParseError("this looks like a binary file (it holds NUL bytes)", line, nul - raw.rfind(b"\n", 0, nul),
                         "expected SQL, Mermaid, DBML or JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        raise ParseError("not valid UTF-8", line, column, "save the file as UTF-8") from None


def import_bytes(raw: bytes, fmt: str | None = None, exact_url: str | None = None, name: str | None = None,
                 max_bytes: int = MAX_BYTES) -> ImportResult:
    """``import_text`` for raw bytes (an upload, a file)."""
    return import_text(decode(raw, max_bytes), fmt, exact_url, name, max_bytes)


def import_text(text: str, fmt: str | None = None, exact_url: str | None = None, name: str | None = None,
                max_bytes: int = MAX_BYTES) -> ImportResult:
    """Import ``text`` in format ``fmt`` (one of ``FORMATS``; detected when None).

    ``exact_url`` (a PostgreSQL server URL) makes a PostgreSQL import exact: the script runs in a
    throwaway database that is read back from the catalog, then dropped.
    """
    if len(text) > max_bytes:
        raise ParseError(f"the input is over the {max_bytes:,}-byte limit", 1, 1)
    if not text.strip():
        raise ParseError("the input is empty", 1, 1, "expected SQL, Mermaid, DBML or JSON")
    if fmt is not None and fmt not in FORMATS:
        raise ParseError(f"unknown format {fmt!r}", 1, 1, f"one of {', '.join(FORMATS)}")
    fmt = fmt or detect(text)
    try:
        doc, warnings = _parse(text, fmt, exact_url)
    except RecursionError:
        raise ParseError("the input is nested too deeply to read", 1, 1) from None
    if name:
        doc = doc.model_copy(update={"name": name})
    doc = arrange(doc)  # a design nobody arranged gets areas and a layered layout
    return ImportResult(doc, warnings, fmt)


def _parse(text: str, fmt: str, exact_url: str | None) -> tuple[Document, list[str]]:
    if fmt in SQL_DIALECTS:
        if exact_url is not None:
            if fmt != "postgres":
                raise ParseError("exact import runs on PostgreSQL only", 1, 1, "leave out --exact")
            from .parse.introspect import exact_postgres

            return exact_postgres(text, exact_url)
        from .parse.sql import parse_sql

        result = parse_sql(text, SQL_DIALECTS[fmt])
        return result.document, result.warnings
    if fmt == "mermaid":
        from .parse.mermaid import parse_mermaid

        result = parse_mermaid(text)
        return result.document, result.warnings
    if fmt == "dbml":
        from .parse.dbml import parse_dbml

        result = parse_dbml(text)
        return result.document, result.warnings
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, exc.lineno, exc.colno) from None
    doc, problems = validate(data)
    if doc is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ParseError(f"not a valid design: {problems[0]}{more}", 1, 1)
    return doc, []
