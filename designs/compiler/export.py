"""Every export the compiler offers, by name: the one table the CLI, the API and bundles share.

from designs.compiler.export import export, FORMATS
out = export(doc, "postgres")   # out.text, out.warnings, out.media_type, out.extension
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .document import Document


@dataclass(frozen=True)
class Exported:
    text: str
    warnings: list[str] = field(default_factory=list)
    media_type: str = "text/plain"
    extension: str = "txt"


def _ddl(dialect: str, extension: str = "sql") -> Callable[[Document], Exported]:
    def run(doc: Document) -> Exported:
        from .ddl import emit

        result = emit(doc, dialect)
        warnings = [f"{w.object_id}: {w.message}" for w in result.warnings]
        return Exported(result.sql, warnings, "application/sql", extension)

    return run


def _mermaid(doc: Document) -> Exported:
    from .text.mermaid import print_mermaid

    return Exported(print_mermaid(doc), [], "text/vnd.mermaid", "mmd")


def _dbml(doc: Document) -> Exported:
    from .text.dbml import print_dbml

    return Exported(print_dbml(doc), [], "text/plain", "dbml")


def _sqlalchemy(doc: Document) -> Exported:
    from .text.sqlalchemy_models import print_sqlalchemy

    result = print_sqlalchemy(doc)
    return Exported(result.text, [f"{w.object_id}: {w.message}" for w in result.warnings], "text/x-python", "py")


def _django(doc: Document) -> Exported:
    from .text.django_models import print_django

    result = print_django(doc)
    return Exported(result.text, [f"{w.object_id}: {w.message}" for w in result.warnings], "text/x-python", "py")


def _json(doc: Document) -> Exported:
    text = json.dumps(doc.to_data(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return Exported(text, [], "application/json", "json")


FORMATS: dict[str, Callable[[Document], Exported]] = {
    "postgres": _ddl("postgresql"),
    "mysql": _ddl("mysql"),
    "sqlite": _ddl("sqlite"),
    "mermaid": _mermaid,
    "dbml": _dbml,
    "sqlalchemy": _sqlalchemy,
    "django": _django,
    "json": _json,
}


def export(doc: Document, to: str) -> Exported:
    """Export ``doc`` in format ``to`` (one of ``FORMATS``)."""
    try:
        run = FORMATS[to]
    except KeyError:
        raise ValueError(f"unknown export format {to!r}; one of {', '.join(FORMATS)}") from None
    return run(doc)
