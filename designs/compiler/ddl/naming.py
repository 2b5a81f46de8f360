"""Constraint and index names from the design's naming convention.

Templates use ``{table}``, ``{columns}``, ``{referred_table}`` and ``{name}``. A name longer than the
identifier limit is cut at a character boundary and given a short hash of the full name, so two
long names that share a prefix still differ and the same input always yields the same name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_PLACEHOLDER = re.compile(r"\{(table|columns|referred_table|name)\}")
_HASH_LENGTH = 8


def truncate(name: str, max_bytes: int | None) -> str:
    """``name`` if it fits in ``max_bytes`` of UTF-8, else a prefix plus ``_`` and a stable hash."""
    raw = name.encode("utf-8")
    if max_bytes is None or len(raw) <= max_bytes:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:_HASH_LENGTH]
    # errors="ignore" drops a multi-byte character the cut split in half.
    prefix = raw[: max_bytes - _HASH_LENGTH - 1].decode("utf-8", errors="ignore")
    return f"{prefix}_{digest}"


def render(
    template: str,
    *,
    table: str,
    columns: Sequence[str] = (),
    referred_table: str = "",
    name: str = "",
) -> str:
    """Fill a template in one pass, so braces inside the names themselves are never re-expanded."""
    values = {"table": table, "columns": "_".join(columns), "referred_table": referred_table, "name": name}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


class Namer:
    """Hands out unique, length-limited names within one namespace (a schema).

    Explicit names are reserved first (``reserve``), then generated ones are made unique by a
    numeric suffix in document order, so the result is deterministic.
    """

    def __init__(self, max_bytes: int | None):
        self.max_bytes = max_bytes
        self._used: set[tuple[str, str]] = set()

    def fit(self, name: str) -> str:
        return truncate(name, self.max_bytes)

    def reserve(self, scope: str, name: str) -> str:
        fitted = self.fit(name)
        self._used.add((scope, fitted.lower()))
        return fitted

    def generate(self, scope: str, name: str) -> str:
        candidate = self.fit(name)
        n = 2
        while (scope, candidate.lower()) in self._used:
            suffix = f"_{n}"
            candidate = truncate(name, None if self.max_bytes is None else self.max_bytes - len(suffix)) + suffix
            n += 1
        self._used.add((scope, candidate.lower()))
        return candidate
