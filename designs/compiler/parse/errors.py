"""The error every text parser raises: a message with a 1-based line and column, and maybe a hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ParseError(ValueError):
    """Invalid input text. ``line`` and ``column`` are 1-based and count characters, not bytes."""

    def __init__(self, message: str, line: int, column: int, hint: str | None = None):
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"line {self.line}, column {self.column}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_data(self) -> dict[str, object]:
        """The JSON-ready form, for API responses and the text panel's error marker."""
        return {"message": self.message, "line": self.line, "column": self.column, "hint": self.hint}


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character offset in ``text``; lines end at ``\\n``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A hint naming the known name closest to a mistyped one (``did you mean 'email'?``), if one is close."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None
