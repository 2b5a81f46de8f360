"""A compact way to write small design documents for review tests.

Ids are derived from names: a table's id is its name, a column's is ``<table>.<column>`` (with
characters ids cannot hold replaced by ``_``). Column references in ``idx``/``rel``/``uq`` are names.
"""

from __future__ import annotations

import re
from typing import Any

from designs.compiler.document import Document
from designs.compiler.validate import validate


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", name)


def col(name: str, type_name: str = "text", **extra: Any) -> dict[str, Any]:
    ctype: dict[str, Any] = {"name": type_name}
    for key in ("length", "precision", "scale", "array", "enum"):
        if key in extra:
            ctype[key] = extra.pop(key)
    return {"name": name, "type": ctype, **extra}


def ID() -> dict[str, Any]:
    return col("id", "bigint", nullable=False, identity={})


def idx(*columns: str, **extra: Any) -> dict[str, Any]:
    return {"columns": list(columns), **extra}


def uq(*columns: str, **extra: Any) -> dict[str, Any]:
    return {"columns": list(columns), **extra}


def T(
    name: str, *columns: dict[str, Any], pk: list[str] | None = None, tid: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A table; ``pk`` defaults to ``["id"]`` and an ``id`` column is added when none is given."""
    tid = tid or safe(name)
    cols = list(columns)
    if pk is None:
        pk = ["id"]
        if not any(c["name"] == "id" for c in cols):
            cols.insert(0, ID())
    table: dict[str, Any] = {
        "id": tid,
        "name": name,
        "columns": [{"id": f"{tid}.{safe(c['name'])}", **c} for c in cols],
    }
    if pk:
        table["primary_key"] = {"columns": [f"{tid}.{safe(c)}" for c in pk]}
    for i, index in enumerate(extra.pop("indexes", [])):
        index = dict(index)
        index.setdefault("id", f"{tid}.i{i}")
        index["columns"] = [{"column": f"{tid}.{safe(c)}"} for c in index["columns"]]
        index["include"] = [f"{tid}.{safe(c)}" for c in index.get("include", [])]
        table.setdefault("indexes", []).append(index)
    for i, unique in enumerate(extra.pop("uniques", [])):
        unique = dict(unique)
        unique.setdefault("id", f"{tid}.u{i}")
        unique["columns"] = [f"{tid}.{safe(c)}" for c in unique["columns"]]
        table.setdefault("uniques", []).append(unique)
    for i, check in enumerate(extra.pop("checks", [])):
        table.setdefault("checks", []).append({"id": f"{tid}.k{i}", **check})
    table.update(extra)
    return table


def rel(
    child: str, cols: list[str], parent: str, to: list[str], rid: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": rid or f"r_{safe(child)}_{safe(parent)}",
        "from_table": safe(child),
        "from_columns": [f"{safe(child)}.{safe(c)}" for c in cols],
        "to_table": safe(parent),
        "to_columns": [f"{safe(parent)}.{safe(c)}" for c in to],
        **extra,
    }


def D(
    *tables: dict[str, Any], rels: tuple[dict[str, Any], ...] = (), settings: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"format": 1, "name": "test", "tables": list(tables), "relationships": list(rels), **extra}
    if settings:
        data["settings"] = settings
    return data


def load(data: dict[str, Any]) -> Document:
    doc, problems = validate(data)
    assert doc is not None, [str(p) for p in problems]
    return doc
