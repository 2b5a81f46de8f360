"""The index strategy: which indexes a design needs, why, and which ones it does not.

    from designs.compiler.review.index_strategy import recommend_indexes, redundant_indexes, accept
    recs = recommend_indexes(doc)       # each names the FK or access pattern it serves
    flags = redundant_indexes(doc)      # duplicates, prefixes of another index, low-cardinality keys
    data = accept(doc.to_data(), [r.id for r in recs])

Rules (PostgreSQL first; other engines get what their DDL emitter can express):

* every foreign key gets a btree index whose leading columns are the FK's columns, unless the primary
  key, a unique constraint or another index already starts with them;
* every declared access pattern gets the index it needs: equality columns first, then the range
  column, then the sort; partial (``WHERE``) when the pattern filters on a constant; ``INCLUDE`` of the
  columns it reads so the pattern becomes index-only; gin for jsonb/array containment (``@>``) and a
  trigram gin for substring search (``ILIKE '%x%'``).

The module is self-contained (only the document model) so the review rules and the bundle can share it.
Recommendation ids are derived from their content, so they are stable between calls and revisions.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..document import AccessPattern, Column, Document, Index, Relationship, Table

Order = Literal["asc", "desc"]

# Enums with at most this many values, and booleans, make poor leading btree keys on their own.
LOW_CARDINALITY_VALUES = 4


@dataclass(frozen=True)
class Key:
    """One key part: a column id (or an SQL expression), its order and operator class."""

    column: str | None
    expression: str | None = None
    order: Order = "asc"
    opclass: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """An index the design should have, and what it is for.

    ``serves`` lists ``fk:<relationship id>`` and ``pattern:<access pattern id>``; ``replaces`` lists
    ids of existing indexes the new one makes redundant (accepting it drops them).
    """

    id: str
    table_id: str
    name: str
    keys: tuple[Key, ...]
    method: str = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()
    unique: bool = False
    reason: str = ""
    serves: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(k.column for k in self.keys if k.column is not None)

    @property
    def expressions(self) -> tuple[str, ...]:
        return tuple(k.expression for k in self.keys if k.expression is not None)

    def to_index(self) -> dict[str, Any]:
        """The index as design-document data, ready to append to the table's ``indexes``."""
        keys: list[dict[str, Any]] = []
        for k in self.keys:
            part: dict[str, Any] = {"column": k.column} if k.column else {"expression": k.expression}
            if k.order != "asc":
                part["order"] = k.order
            if k.opclass:
                part["opclass"] = k.opclass
            keys.append(part)
        out: dict[str, Any] = {"id": self.id, "name": self.name, "columns": keys}
        if self.unique:
            out["unique"] = True
        if self.method != "btree":
            out["method"] = self.method
        if self.where:
            out["where"] = self.where
        if self.include:
            out["include"] = list(self.include)
        out["comment"] = self.reason
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "table_id": self.table_id,
            "name": self.name,
            "columns": list(self.columns),
            "expressions": list(self.expressions),
            "keys": [k.__dict__ for k in self.keys],
            "method": self.method,
            "where": self.where,
            "include": list(self.include),
            "unique": self.unique,
            "reason": self.reason,
            "serves": list(self.serves),
            "replaces": list(self.replaces),
        }


@dataclass(frozen=True)
class Redundancy:
    """An existing index that costs writes for little gain. ``kind``: duplicate, prefix, low_cardinality."""

    table_id: str
    index_id: str
    kind: str
    reason: str
    other_id: str | None = None


@dataclass
class _Existing:
    """An existing index-like structure: a real index, the primary key or a unique constraint."""

    id: str
    label: str
    keys: tuple[Key, ...]
    method: str = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()
    is_index: bool = True
    served: list[str] = field(default_factory=list)
    unique: bool = False


def _norm(sql: str | None) -> str | None:
    return None if sql is None else re.sub(r"\s+", " ", sql.strip()).lower()


def _existing(table: Table) -> list[_Existing]:
    out: list[_Existing] = []
    if table.primary_key:
        out.append(_Existing("pk", "the primary key", tuple(Key(c) for c in table.primary_key.columns), is_index=False))
    for u in table.uniques:
        out.append(_Existing(u.id, f"unique {u.name or u.id}", tuple(Key(c) for c in u.columns), is_index=False))
    for i in table.indexes:
        keys = tuple(Key(k.column, k.expression, k.order, k.opclass) for k in i.columns)
        out.append(
            _Existing(i.id, f"index {i.name or i.id}", keys, i.method, i.where, tuple(i.include), unique=i.unique)
        )
    return out


def _btree_prefix_matches(keys: Sequence[Key], eq: Sequence[str], rest: Sequence[Key]) -> bool:
    """Whether btree ``keys`` start with the ``eq`` columns (any order) followed by ``rest`` in order.

    The sort part may be scanned backwards, so its directions must all match or all be reversed.
    """
    if len(keys) < len(eq) + len(rest):
        return False
    head = keys[: len(eq)]
    if any(k.column is None for k in head) or {k.column for k in head} != set(eq):
        return False
    tail = keys[len(eq) : len(eq) + len(rest)]
    flips = set()
    for have, want in zip(tail, rest, strict=True):
        if have.column != want.column or have.column is None:
            return False
        flips.add(have.order != want.order)
    return len(flips) <= 1


def _name(doc: Document, table: Table, parts: Sequence[str], used: set[str], suffix: str = "") -> str:
    template = doc.settings.naming.index
    values = {"table": table.name, "columns": "_".join(parts) + suffix, "referred_table": "", "name": ""}
    name = re.sub(r"\{(table|columns|referred_table|name)\}", lambda m: values[m.group(1)], template)
    limit = doc.settings.naming.max_identifier_bytes
    base = name
    n = 2
    while True:
        if len(name.encode()) > limit:
            digest = hashlib.sha256(name.encode()).hexdigest()[:8]
            name = name.encode()[: limit - 9].decode("utf-8", errors="ignore") + "_" + digest
        if name.lower() not in used:
            used.add(name.lower())
            return name
        name = f"{base}_{n}"
        n += 1


def _rec_id(table_id: str, keys: Sequence[Key], method: str, where: str | None, include: Sequence[str]) -> str:
    text = repr((table_id, [tuple(k.__dict__.values()) for k in keys], method, _norm(where), list(include)))
    return "ix_" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _column_names(table: Table, ids: Iterable[str]) -> list[str]:
    return [c.name if (c := table.column(i)) else i for i in ids]


def _is_jsonb_or_array(col: Column | None) -> str:
    if col is None:
        return "unknown"
    if col.type.array:
        return "array"
    return "jsonb" if col.type.name in ("jsonb", "json") else "other"


@dataclass
class _Plan:
    """Working state of one table while recommendations are made."""

    table: Table
    existing: list[_Existing]
    recs: list[Recommendation] = field(default_factory=list)


def _pattern_needs(pattern: AccessPattern, table: Table) -> list[tuple[tuple[Key, ...], str, str | None, str]]:
    """The indexes one pattern needs: (keys, method, where, what it is for) each."""
    needs: list[tuple[tuple[Key, ...], str, str | None, str]] = []
    for col_id in pattern.contains:
        kind = _is_jsonb_or_array(table.column(col_id))
        opclass = "jsonb_path_ops" if kind == "jsonb" else None
        needs.append(((Key(col_id, opclass=opclass),), "gin", pattern.where, "containment (@>)"))
    for col_id in pattern.text_search:
        needs.append(((Key(col_id, opclass="gin_trgm_ops"),), "gin", pattern.where, "substring search (trigram)"))
    keys: list[Key] = [Key(c) for c in pattern.equality]
    seen = set(pattern.equality)
    for col_id in pattern.range[:1]:
        if col_id not in seen:
            keys.append(Key(col_id))
            seen.add(col_id)
    for o in pattern.order_by:
        if o.column in seen:
            continue
        keys.append(Key(o.column, order=o.order))
        seen.add(o.column)
    if keys:
        needs.append((tuple(keys), "btree", pattern.where, "lookup"))
    return needs


def _serves_btree(ex: _Existing, keys: tuple[Key, ...], eq: Sequence[str], where: str | None) -> bool:
    if ex.method != "btree":
        return False
    if ex.where is not None and _norm(ex.where) != _norm(where):
        return False
    return _btree_prefix_matches(ex.keys, eq, keys[len(eq) :])


def _serves_gin(ex: _Existing, key: Key) -> bool:
    if ex.method not in ("gin", "gist") or not ex.keys or ex.where is not None:
        return False
    first = ex.keys[0]
    if first.column != key.column:
        return False
    if key.opclass == "gin_trgm_ops":
        return bool(first.opclass and "trgm" in first.opclass)
    return ex.method == "gin"


def _is_prefix_of(ex: _Existing, keys: tuple[Key, ...], where: str | None) -> bool:
    """Whether btree ``ex`` (same predicate, no INCLUDE) is made redundant by an index on ``keys``."""
    if ex.method != "btree" or ex.include or _norm(ex.where) != _norm(where) or len(ex.keys) >= len(keys):
        return False
    head = keys[: len(ex.keys)]
    return all(a.column == b.column and a.column is not None for a, b in zip(ex.keys, head, strict=True))


def _covers(ex_keys: Sequence[Key], include: Sequence[str], wanted: Iterable[str]) -> bool:
    have = {k.column for k in ex_keys} | set(include)
    return all(c in have for c in wanted)


def recommend_indexes(doc: Document) -> list[Recommendation]:
    """The indexes the design lacks, one per need, each naming the FKs and access patterns it serves."""
    plans = {t.id: _Plan(t, _existing(t)) for t in doc.tables}
    used = {(i.name or "").lower() for t in doc.tables for i in t.indexes if i.name}
    for pattern in doc.access_patterns:
        plan = plans.get(pattern.table)
        if plan is not None:
            _plan_pattern(doc, plan, pattern, used)
    for rel in doc.relationships:
        plan = plans.get(rel.from_table)
        if plan is not None and rel.from_columns:
            _plan_fk(doc, plan, rel, used)
    return [r for t in doc.tables for r in plans[t.id].recs]


def _add(plan: _Plan, rec: Recommendation) -> None:
    plan.recs.append(rec)
    plan.existing.append(
        _Existing(rec.id, f"recommended {rec.name}", rec.keys, rec.method, rec.where, rec.include, served=[])
    )


def _merge_serves(plan: _Plan, ex: _Existing, serves: str) -> None:
    """Record that an already planned recommendation also serves ``serves``."""
    for i, rec in enumerate(plan.recs):
        if rec.id == ex.id and serves not in rec.serves:
            plan.recs[i] = Recommendation(**{**rec.__dict__, "serves": (*rec.serves, serves)})


def _plan_pattern(doc: Document, plan: _Plan, pattern: AccessPattern, used: set[str]) -> None:
    table = plan.table
    serves = f"pattern:{pattern.id}"
    for keys, method, where, purpose in _pattern_needs(pattern, table):
        if method == "gin":
            match = next((ex for ex in plan.existing if _serves_gin(ex, keys[0])), None)
            if match:
                _merge_serves(plan, match, serves)
                continue
            names = _column_names(table, [keys[0].column or ""])
            rid = _rec_id(table.id, keys, method, where, ())
            reason = f"{purpose} on {names[0]} for access pattern '{pattern.name}'"
            if where:
                reason += f"; partial on {where} because the pattern always filters on it"
            _add(
                plan,
                Recommendation(
                    rid,
                    table.id,
                    _name(doc, table, names, used, "_gin"),
                    keys,
                    method,
                    where,
                    reason=reason,
                    serves=(serves,),
                ),
            )
            continue
        eq = pattern.equality
        include = tuple(c for c in pattern.select if c not in {k.column for k in keys})
        matches = [ex for ex in plan.existing if _serves_btree(ex, keys, eq, where)]
        covering = [ex for ex in matches if _covers(ex.keys, ex.include, pattern.select)]
        if covering or (matches and not include):
            _merge_serves(plan, (covering or matches)[0], serves)
            continue
        # An existing index with the right keys but not covering is replaced by a covering one.
        planned = {r.id for r in plan.recs}
        replaces = tuple(
            ex.id
            for ex in plan.existing
            if ex.is_index
            and not ex.unique
            and ex.id not in planned
            and (ex in matches or _is_prefix_of(ex, keys, where))
        )
        names = _column_names(table, [k.column or "" for k in keys])
        rid = _rec_id(table.id, keys, method, where, include)
        bits = [f"for access pattern '{pattern.name}'"]
        if eq:
            bits.append("equality on " + ", ".join(_column_names(table, eq)))
        if pattern.range:
            bits.append("range on " + _column_names(table, pattern.range[:1])[0])
        if pattern.order_by:
            bits.append(
                "sorted by "
                + ", ".join(
                    f"{n} {o.order}"
                    for n, o in zip(
                        _column_names(table, [o.column for o in pattern.order_by]), pattern.order_by, strict=True
                    )
                )
            )
        if where:
            bits.append(f"partial on {where} because the pattern always filters on it")
        if include:
            bits.append("INCLUDE " + ", ".join(_column_names(table, include)) + " so it is answered index-only")
        if replaces:
            bits.append("replaces " + ", ".join(replaces) + ", which it makes redundant")
        suffix = "_partial" if where else ""
        _add(
            plan,
            Recommendation(
                rid,
                table.id,
                _name(doc, table, names, used, suffix),
                keys,
                method,
                where,
                include,
                reason="; ".join(bits),
                serves=(serves,),
                replaces=replaces,
            ),
        )


def _plan_fk(doc: Document, plan: _Plan, rel: Relationship, used: set[str]) -> None:
    table = plan.table
    serves = f"fk:{rel.id}"
    cols = list(rel.from_columns)
    for ex in plan.existing:
        if ex.method == "btree" and ex.where is None and _btree_prefix_matches(ex.keys, cols, ()):
            _merge_serves(plan, ex, serves)
            return
    keys = tuple(Key(c) for c in cols)
    names = _column_names(table, cols)
    target = next((t.name for t in doc.tables if t.id == rel.to_table), rel.to_table)
    reason = (
        f"foreign key {rel.name or rel.id} ({', '.join(names)}) → {target}: deletes and updates of the "
        f"referenced row, and joins from {target}, look rows up by these columns"
    )
    rid = _rec_id(table.id, keys, "btree", None, ())
    _add(plan, Recommendation(rid, table.id, _name(doc, table, names, used), keys, reason=reason, serves=(serves,)))


def serving_index(doc: Document, recs: Sequence[Recommendation] = ()) -> dict[str, tuple[str, str]]:
    """For each FK (``fk:<id>``) and pattern (``pattern:<id>``): (table id, index/constraint id) serving it.

    Considers the design's own indexes, its keys, and ``recs`` (as if accepted).
    """
    out: dict[str, tuple[str, str]] = {}
    for rec in recs:
        for s in rec.serves:
            out[s] = (rec.table_id, rec.id)
    replaced = {r for rec in recs for r in rec.replaces}
    for table in doc.tables:
        existing = [ex for ex in _existing(table) if ex.id not in replaced]
        for pattern in doc.access_patterns:
            key = f"pattern:{pattern.id}"
            if pattern.table != table.id or key in out:
                continue
            for keys, method, where, _ in _pattern_needs(pattern, table):
                if method == "gin":
                    hit = next((ex for ex in existing if _serves_gin(ex, keys[0])), None)
                else:
                    hit = next((ex for ex in existing if _serves_btree(ex, keys, pattern.equality, where)), None)
                if hit:
                    out[key] = (table.id, hit.id)
                    break
        for rel in doc.relationships:
            key = f"fk:{rel.id}"
            if rel.from_table != table.id or key in out or not rel.from_columns:
                continue
            hit = next(
                (
                    ex
                    for ex in existing
                    if ex.method == "btree"
                    and ex.where is None
                    and _btree_prefix_matches(ex.keys, rel.from_columns, ())
                ),
                None,
            )
            if hit:
                out[key] = (table.id, hit.id)
    return out


def _low_cardinality(doc: Document, table: Table, index: Index) -> Column | None:
    first = index.columns[0]
    col = table.column(first.column) if first.column else None
    if col is None or col.type.array:
        return None
    if col.type.name == "boolean":
        return col
    if col.type.name == "enum" and col.type.enum:
        enum = doc.enum(col.type.enum)
        if enum is not None and len(enum.values) <= LOW_CARDINALITY_VALUES:
            return col
    return None


def redundant_indexes(doc: Document) -> list[Redundancy]:
    """Indexes to reconsider: exact duplicates, btree prefixes of another index, low-cardinality keys."""
    out: list[Redundancy] = []
    for table in doc.tables:
        indexes = table.indexes
        for i, index in enumerate(indexes):
            mine = tuple(Key(k.column, k.expression, k.order, k.opclass) for k in index.columns)
            for j, other in enumerate(indexes):
                if i == j or other.method != index.method or _norm(other.where) != _norm(index.where):
                    continue
                theirs = tuple(Key(k.column, k.expression, k.order, k.opclass) for k in other.columns)
                same = mine == theirs and tuple(index.include) == tuple(other.include)
                if same and j < i and index.unique <= other.unique:
                    out.append(
                        Redundancy(
                            table.id, index.id, "duplicate", f"same definition as {other.name or other.id}", other.id
                        )
                    )
                    break
                if (
                    index.method == "btree"
                    and not index.unique
                    and len(mine) < len(theirs)
                    and theirs[: len(mine)] == mine
                    and not index.include
                ):
                    out.append(
                        Redundancy(
                            table.id,
                            index.id,
                            "prefix",
                            f"its keys are a prefix of {other.name or other.id}, which serves the same lookups",
                            other.id,
                        )
                    )
                    break
            col = _low_cardinality(doc, table, index)
            if col is not None and index.where is None and index.method == "btree" and len(index.columns) == 1:
                out.append(
                    Redundancy(
                        table.id,
                        index.id,
                        "low_cardinality",
                        f"{col.name} has few distinct values; a lookup by it reads a large share of "
                        "the table, so the planner rarely uses this index (consider a partial index)",
                    )
                )
    return out


def accept(data: dict[str, Any], ids: Iterable[str], doc: Document | None = None) -> dict[str, Any]:
    """Document ``data`` with the recommendations ``ids`` added (and the indexes they replace removed).

    Unknown ids raise ``KeyError`` naming them; ids already accepted are skipped.
    """
    doc = doc or Document.model_validate(data)
    recs = {r.id: r for r in recommend_indexes(doc)}
    wanted = list(dict.fromkeys(ids))
    out = copy.deepcopy(data)
    present = {i.get("id") for t in out.get("tables", []) for i in t.get("indexes", [])}
    missing = [i for i in wanted if i not in recs and i not in present]
    if missing:
        raise KeyError(", ".join(missing))
    for rid in wanted:
        rec = recs.get(rid)
        if rec is None:
            continue
        table = next(t for t in out["tables"] if t["id"] == rec.table_id)
        kept = [i for i in table.get("indexes", []) if i["id"] not in rec.replaces]
        table["indexes"] = [*kept, rec.to_index()]
    return out
