"""Split an SQL script into statements, the way the engine's own client would.

A script as projects publish it is more than SQL: psql meta-commands (``\\c dbname``), MySQL's
``DELIMITER //`` blocks and ``source file.sql`` lines, ``#`` comments, ``/*!50503 ... */`` version
comments (whose contents MySQL executes), dollar-quoted function bodies. This module turns such a
script into plain statements with their offsets, so the parser can report positions in the file
and decide per statement what to model and what to skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ParseError, position


@dataclass(frozen=True)
class Statement:
    text: str
    offset: int  # where the statement starts in the (blanked) script
    client: bool = False  # a client command (psql meta-command, DELIMITER, source), not SQL


_VERSION_COMMENT = re.compile(r"/\*!(\d{5,6})?")
_DELIMITER = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?=\r?\n|$)", re.IGNORECASE)
_SOURCE = re.compile(r"source[ \t]+\S[^\n]*", re.IGNORECASE)
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")
_SPECIAL = {
    "postgresql": re.compile(r"[;'\"\-/$\\\n]"),
    "mysql": re.compile(r"[;'\"`\-/#\n]"),
    "sqlite": re.compile(r"[;'\"`\-/\[\n]"),
}


# Version comments for servers newer than this are left as comments: MySQL 8-only syntax (such as
# ``/*!80003 SRID 0 */``) that MariaDB and MySQL 5.7 do not run either.
MAX_VERSION = 80000


def unwrap_version_comments(text: str) -> str:
    """MySQL runs what is inside ``/*!NNNNN ... */``; blank the markers (same length) so it is parsed."""

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))

    out: list[str] = []
    pos = 0
    for match in _VERSION_COMMENT.finditer(text):
        if match.start() < pos:
            continue
        end = text.find("*/", match.end())
        if end < 0:
            break
        out.append(text[pos : match.start()])
        if match.group(1) and int(match.group(1)) >= MAX_VERSION:
            out.append(" " * (end + 2 - match.start()))
            pos = end + 2
            continue
        out.append(blank(match))
        out.append(text[match.end() : end])
        out.append("  ")
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def split(text: str, dialect: str) -> list[Statement]:
    """The statements of ``text`` in order; raises ParseError for an unterminated quote or comment."""
    if dialect == "mysql":
        text = unwrap_version_comments(text)
    special = _SPECIAL[dialect]
    statements: list[Statement] = []
    delimiter = ";"
    start: int | None = None  # offset of the current statement's first significant character
    i, n = 0, len(text)
    while i < n:
        if start is None:
            # Between statements: skip blanks, then look for client commands at the start of a line.
            while i < n and text[i] in " \t\r\n\ufeff":
                i += 1
            if i >= n:
                break
            line_start = i == 0 or text[i - 1] == "\n"
            if dialect == "postgresql" and text[i] == "\\":
                end = _line_end(text, i)
                statements.append(Statement(text[i:end].strip(), i, client=True))
                i = end
                continue
            if dialect == "mysql" and line_start:
                match = _DELIMITER.match(text, i) or _SOURCE.match(text, i)
                if match:
                    statements.append(Statement(match.group(0).strip(), i, client=True))
                    if match.re is _DELIMITER:
                        delimiter = match.group(1)
                    i = match.end()
                    continue
            if text.startswith("--", i) or (dialect == "mysql" and text[i] == "#"):
                i = _line_end(text, i)
                continue
            if text.startswith("/*", i):
                i = _comment_end(text, i)
                continue
            start = i
        if delimiter != ";":
            # Inside a DELIMITER block the body is opaque until the delimiter string.
            end = text.find(delimiter, i)
            if end < 0:
                end = n
            statements.append(Statement(text[start:end].strip(), start))
            start, i = None, end + len(delimiter)
            continue
        match = special.search(text, i)
        if match is None:
            i = n
            break
        i = match.start()
        char = text[i]
        if char == ";":
            statements.append(Statement(text[start:i].strip(), start))
            start = None
            i += 1
        elif char in "'\"`":
            i = _quote_end(text, i, char, backslash=dialect == "mysql" and char != "`")
        elif char == "[":
            close = text.find("]", i)
            i = n if close < 0 else close + 1
        elif (char == "-" and text.startswith("--", i)) or char == "#":
            i = _line_end(text, i)
        elif char == "/" and text.startswith("/*", i):
            i = _comment_end(text, i)
        elif char == "$":
            dollar = _DOLLAR.match(text, i)
            if dollar and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                close = text.find(dollar.group(0), dollar.end())
                if close < 0:
                    raise _error(text, i, f"dollar-quoted string {dollar.group(0)} is never closed")
                i = close + len(dollar.group(0))
            else:
                i += 1
        elif char == "\\" and dialect == "postgresql" and text[i - 1] == "\n":
            # A psql meta-command inside a statement ends it, as psql does.
            statements.append(Statement(text[start:i].strip(), start))
            end = _line_end(text, i)
            statements.append(Statement(text[i:end].strip(), i, client=True))
            start, i = None, end
        else:
            i += 1
    if start is not None and text[start:].strip():
        statements.append(Statement(text[start:].strip(), start))
    return statements


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _comment_end(text: str, i: int) -> int:
    end = text.find("*/", i + 2)
    if end < 0:
        raise _error(text, i, "comment /* is never closed", "add */")
    return end + 2


def _quote_end(text: str, i: int, quote: str, backslash: bool) -> int:
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if backslash and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    what = {"'": "string", '"': "quoted identifier", "`": "quoted identifier"}[quote]
    raise _error(text, i, f"{what} starting here is never closed", f"add the closing {quote}")


def _error(text: str, offset: int, message: str, hint: str | None = None) -> ParseError:
    line, column = position(text, offset)
    return ParseError(message, line, column, hint)
