"""Tell an import's format from its text: JSON, Mermaid, DBML, or SQL of one of three dialects.

Each SQL dialect scores the marks only it leaves (backticks and ENGINE= for MySQL, ``::`` casts and
dollar quotes for PostgreSQL, ``[brackets]`` and AUTOINCREMENT for SQLite); the highest wins and
PostgreSQL breaks ties, being the most common published dialect.
"""

from __future__ import annotations

import re

from .errors import ParseError

FORMATS = ("postgres", "mysql", "sqlite", "mermaid", "dbml", "json")

_SIGNS: dict[str, list[str]] = {
    "postgres": [r"::\w", r"\$\$", r"\bSERIAL\b", r"\bCREATE\s+EXTENSION\b", r"^\\c\b", r"\bsearch_path\b",
                 r"\bOWNER\s+TO\b", r"\bnextval\(", r"\bwith(out)?\s+time\s+zone\b", r"\bCREATE\s+TYPE\b",
                 r"\bjsonb\b", r"\bbytea\b", r"\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b"],
    "mysql": [r"`\w+`", r"\bAUTO_INCREMENT\b", r"\bENGINE\s*=", r"^DELIMITER\b", r"/\*!\d+", r"\bUNSIGNED\b",
              r"^#", r"\bCHARSET\b", r"\bTINYINT\b", r"\bNVARCHAR\b.*`"],
    "sqlite": [r"\[\w+\]", r"\bAUTOINCREMENT\b", r"\bPRAGMA\b", r"\bWITHOUT\s+ROWID\b", r"\bSTRICT\s*;"],
}
_COMPILED = {k: [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in v] for k, v in _SIGNS.items()}


def detect(text: str) -> str:
    """One of ``FORMATS``; raises ParseError when the text looks like none of them."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return "json"
    sample = text[:200_000]
    if re.search(r"^\s*erDiagram\b", sample, re.MULTILINE):
        return "mermaid"
    dbml_block = re.search(
        r"^\s*(Table|Enum|Ref|Project|TableGroup)\b[^\n;]*[{:]", sample, re.MULTILINE | re.IGNORECASE
    )
    if dbml_block and not re.search(r"\bCREATE\s+TABLE\b", sample, re.IGNORECASE):
        return "dbml"
    if re.search(r"\b(CREATE|ALTER)\s+(\w+\s+)*TABLE\b", sample, re.IGNORECASE):
        scores = {name: sum(1 for p in patterns if p.search(sample)) for name, patterns in _COMPILED.items()}
        best = max(scores.values())
        return next(name for name in ("postgres", "mysql", "sqlite") if scores[name] == best)
    raise ParseError(
        "could not tell the format of this text",
        1,
        1,
        "expected SQL with CREATE TABLE, a Mermaid erDiagram, DBML or a design JSON; give the format explicitly",
    )
