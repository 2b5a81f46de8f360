"""Design index → ``sa.Index``, with a warning for every key part or option the target lacks.

The emitter's capability flags decide what survives: expression keys, operator classes, NULLS
ordering, access methods, partial predicates and INCLUDE columns. What a target cannot express is
either approximated (INCLUDE columns become trailing keys) or the index is left out, never silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..document import Index, IndexColumn, Table

if TYPE_CHECKING:
    from .base import Emitter


def _sql(text: str) -> Any:
    # The same as base.sql; repeated here because base imports this module.
    return sa.literal_column(text)


def build_index(emitter: Emitter, table: Table, index: Index) -> sa.Index | None:
    """The index on ``emitter``'s dialect, or None when a key part cannot be expressed there."""
    t = emitter.tables[table.id]
    dialect = emitter.dialect.name
    parts: list[Any] = []
    ops: dict[str, str] = {}
    for key in index.columns:
        element = _key_part(emitter, t, index, key, ops)
        if element is None:
            return None
        parts.append(element)
    kwargs: dict[str, Any] = {}
    prefix = emitter.name
    if ops:
        kwargs[f"{prefix}_ops"] = ops
    if index.method in ("fulltext", "spatial"):
        # MySQL's own kinds of index: CREATE FULLTEXT/SPATIAL INDEX. A B-tree elsewhere would index
        # something else (and may not even fit a long text), so other engines leave it out.
        if index.method not in emitter.index_methods:
            emitter.warn(index.id, f"{dialect} has no {index.method.upper()} indexes; index not emitted")
            return None
        kwargs[f"{prefix}_prefix"] = index.method.upper()
    elif index.method != "btree":
        if index.method in emitter.index_methods:
            kwargs[f"{prefix}_using"] = index.method
        else:
            emitter.warn(index.id, f"{dialect} has no {index.method} indexes; a default (B-tree) index")
    if index.where:
        if emitter.partial_indexes:
            kwargs[f"{prefix}_where"] = _sql(index.where)
        else:
            emitter.warn(
                index.id,
                f"{dialect} has no partial indexes; the index covers every row (predicate {index.where!r} dropped)",
            )
    if index.include:
        included = [t.c[c] for c in index.include]
        if emitter.include_columns:
            kwargs[f"{prefix}_include"] = included
        elif index.unique:
            # Trailing keys would change what is unique.
            emitter.warn(index.id, f"{dialect} has no INCLUDE; covering columns left out")
        else:
            emitter.warn(index.id, f"{dialect} has no INCLUDE; covering columns added as trailing keys")
            parts.extend(included)
    named_columns = [t.c[k.column].name for k in index.columns if k.column is not None]
    name = emitter.constraint_name(
        table, index.id, index.name, emitter.doc.settings.naming.index, columns=named_columns or ["expr"]
    )
    emitter.index_options(table, index, t, kwargs)
    return sa.Index(name, *parts, unique=index.unique, _table=t, **kwargs)


def _key_part(emitter: Emitter, t: sa.Table, index: Index, key: IndexColumn, ops: dict[str, str]) -> Any:
    """One key part with its opclass, direction and NULLS order; None if the target cannot index it."""
    dialect = emitter.dialect.name
    element: Any
    if key.expression is not None:
        if not emitter.index_expressions:
            emitter.warn(index.id, f"{dialect} cannot index the expression {key.expression!r}; index not emitted")
            return None
        element = _sql(f"({key.expression})")
    else:
        assert key.column is not None
        element = t.c[key.column]
    if key.opclass:
        if not emitter.opclasses:
            emitter.warn(index.id, f"{dialect} has no operator classes; {key.opclass} not emitted")
        elif key.expression is None and key.order == "asc" and key.nulls is None:
            ops[element.key] = key.opclass
        else:
            # The opclass goes before DESC/NULLS; the opclass is validated as a plain name.
            inner = emitter.quote(element.name) if key.expression is None else f"({key.expression})"
            element = _sql(f"{inner} {key.opclass}")
    if key.order == "desc":
        element = element.desc()
    if key.nulls:
        if emitter.index_nulls_order:
            element = element.nulls_first() if key.nulls == "first" else element.nulls_last()
        else:
            emitter.warn(
                index.id,
                f"{dialect} cannot order NULLS {key.nulls.upper()} in an index; the engine's NULL order applies",
            )
    return element
