"""DBML text → tokens, and the ``// @dbstudio`` directive comments found on the way.

DBML's lexical rules, as the pinned ``@dbml/core`` applies them: identifiers are runs of word
characters (Unicode letters and digits included), ``"double quotes"`` quote identifiers,
``'single'`` and ``'''triple'''`` quotes hold strings, backticks hold SQL expressions (no escapes;
a backtick cannot appear inside one), ``#abc123`` is a colour, ``//`` and ``/* */`` are comments.
Line breaks are tokens because DBML ends columns, index lines and settings at a line's end.

A comment of the form ``// @dbstudio <kind> {json}`` is a directive (see docs/dbml.md). It is
*trailing* when a token stands before it on its line (it then belongs to the element that starts
on that line) and *standalone* otherwise (it then holds a whole object by itself).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import ParseError

DIRECTIVE = "@dbstudio"
DIRECTIVE_KINDS = (
    "design", "enum", "table", "column", "index", "unique", "check", "relationship", "note", "area",
    "access_pattern", "role", "grant", "policy",
)
_DIRECTIVE = re.compile(rf"//[ \t]*{DIRECTIVE}(?:[ \t]+([A-Za-z_]+))?[ \t]*(.*)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?!\w)")
_WORD = re.compile(r"\w+")
_COLOR = re.compile(r"#[0-9A-Za-z]+")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\ufeff]+")
_PUNCTUATION = ("<>", "{", "}", "[", "]", "(", ")", ",", ":", ".", "<", ">", "-", "~")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


@dataclass
class Token:
    """One token. ``kind`` is WORD, QUOTED, STRING, EXPR, NUMBER, COLOR, NEWLINE, EOF or the punctuation itself."""

    kind: str
    value: str
    start: int
    line: int
    column: int

    def describe(self) -> str:
        if self.kind in ("EOF", "NEWLINE"):
            return "the end of the text" if self.kind == "EOF" else "the end of the line"
        if self.kind == "STRING":
            return "a string"
        if self.kind == "EXPR":
            return "an expression"
        return repr(self.value)


@dataclass
class Directive:
    kind: str
    data: dict[str, Any]
    line: int
    column: int  # where the JSON starts, for error positions
    trailing: bool
    used: bool = False

    def error(self, message: str) -> ParseError:
        return ParseError(f"invalid @dbstudio {self.kind} directive: {message}", self.line, self.column)


class Lexer:
    """Split DBML text into tokens; ``directives`` collects the directive comments with their lines."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []
        self.directives: list[Directive] = []

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return ParseError(message, line, column, hint)

    def _add(self, kind: str, value: str, start: int) -> None:
        line = self.text.count("\n", 0, start) + 1 if start < self.line_start else self.line
        column = start - (self.text.rfind("\n", 0, start) + 1) + 1
        self.tokens.append(Token(kind, value, start, line, column))

    def _newline(self, at: int) -> None:
        self.line += 1
        self.line_start = at + 1

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            start = self.pos
            if ch == "\n":
                self._add("NEWLINE", "\n", start)
                self._newline(start)
                self.pos += 1
            elif match := _SPACE.match(text, start):
                self.pos = match.end()
            elif text.startswith("//", start):
                end = text.find("\n", start)
                end = len(text) if end < 0 else end
                self._comment(text[start:end], start)
                self.pos = end
            elif text.startswith("/*", start):
                end = text.find("*/", start + 2)
                if end < 0:
                    raise self.error("unterminated comment", start, hint="close it with */")
                for offset in range(start, end):
                    if text[offset] == "\n":
                        self._newline(offset)
                self.pos = end + 2
            elif text.startswith("'''", start):
                self._add("STRING", self._triple(start), start)
            elif ch in "'\"":
                value = self._quoted(start, ch)
                self._add("STRING" if ch == "'" else "QUOTED", value, start)
            elif ch == "`":
                end = text.find("`", start + 1)
                if end < 0:
                    raise self.error("unterminated expression", start, hint="close it with a backtick `")
                for offset in range(start, end):
                    if text[offset] == "\n":
                        self._newline(offset)
                self._add("EXPR", text[start + 1:end], start)
                self.pos = end + 1
            elif ch == "#":
                match = _COLOR.match(text, start)
                if match is None:
                    raise self.error("expected a colour such as #3498db", start)
                self._add("COLOR", match.group(0), start)
                self.pos = match.end()
            elif match := _NUMBER.match(text, start):
                self._add("NUMBER", match.group(0), start)
                self.pos = match.end()
            elif match := _WORD.match(text, start):
                self._add("WORD", match.group(0), start)
                self.pos = match.end()
            else:
                mark = next((p for p in _PUNCTUATION if text.startswith(p, start)), None)
                if mark is None:
                    raise self.error(f"unexpected character {ch!r}", start)
                self._add(mark, mark, start)
                self.pos += len(mark)
        self._add("EOF", "", len(text))
        return self.tokens

    def _comment(self, comment: str, start: int) -> None:
        match = _DIRECTIVE.fullmatch(comment.rstrip())
        if match is None:
            return
        kind, body = match.group(1), match.group(2)
        column = start - self.line_start + 1
        body_column = column + match.start(2)
        if kind not in DIRECTIVE_KINDS:
            where = column + match.start(1) if kind else body_column
            raise ParseError(
                f"unknown directive kind {kind!r}" if kind else "a directive needs a kind", self.line, where,
                hint="one of: " + ", ".join(DIRECTIVE_KINDS),
            )
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON in @dbstudio {kind} directive: {exc.msg}", self.line,
                             body_column + exc.pos) from None
        if not isinstance(data, dict):
            raise ParseError(f"the @dbstudio {kind} directive needs a JSON object", self.line, body_column)
        trailing = bool(self.tokens) and self.tokens[-1].line == self.line and self.tokens[-1].kind != "NEWLINE"
        self.directives.append(Directive(kind, data, self.line, body_column, trailing))

    def _quoted(self, start: int, quote: str) -> str:
        """A single-line ``'string'`` or ``"identifier"`` with backslash escapes."""
        out: list[str] = []
        pos = start + 1
        text = self.text
        while True:
            if pos >= len(text) or text[pos] == "\n":
                what = "string" if quote == "'" else "quoted name"
                raise self.error(f"unterminated {what}", start, hint=f"close it with {quote} on the same line; "
                                 "write a line break as \\n")
            ch = text[pos]
            if ch == quote:
                self.pos = pos + 1
                return "".join(out)
            if ch == "\\":
                value, pos = self._escape(pos)
                out.append(value)
                continue
            out.append(ch)
            pos += 1

    def _escape(self, pos: int) -> tuple[str, int]:
        text = self.text
        following = text[pos + 1:pos + 2]
        if following == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[pos + 2:pos + 6]):
            return chr(int(text[pos + 2:pos + 6], 16)), pos + 6
        if following in ("", "\n"):
            raise self.error("a backslash cannot end a line inside a string", pos)
        return _ESCAPES.get(following, following), pos + 2

    def _triple(self, start: int) -> str:
        """A ``'''multi-line'''`` string: the common indentation and the first and last blank lines go."""
        text = self.text
        out: list[str] = []
        pos = start + 3
        while True:
            if pos >= len(text):
                raise self.error("unterminated multi-line string", start, hint="close it with '''")
            if text.startswith("'''", pos):
                break
            if text[pos] == "\\":
                value, pos = self._escape(pos)
                out.append(value)
                continue
            if text[pos] == "\n":
                self._newline(pos)
            out.append(text[pos])
            pos += 1
        self.pos = pos + 3
        return dedent("".join(out))


def dedent(raw: str) -> str:
    """How DBML reads a multi-line string: drop a blank first line and the common indentation."""
    lines = raw.split("\n")
    if lines and not lines[0].strip():
        lines = lines[1:]
    if lines and not lines[-1].strip():
        lines[-1] = ""
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def escape(value: str, quote: str) -> str:
    """``value`` inside ``quote`` characters, escaped so the lexer above reads it back exactly."""
    out = [quote]
    for ch in value:
        if ch in (quote, "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\u2028\u2029" or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)
