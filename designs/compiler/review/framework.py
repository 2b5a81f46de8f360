"""The review framework: findings, the rule registry, configuration and the context rules read.

A rule is one small function decorated with ``@rule(...)``. It receives a ``Context`` (the document
plus lookups computed once per lint) and yields ``Hit``s: the object it is about (by id), a one-line
message naming it, and optionally a ``Fix``. The framework turns hits into ``Finding``s, applying the
design's configuration (rules turned off, severities changed, suppressions with a reason).

Fixes edit plain document data (``Document.to_data()``): a fix mutates a deep copy in place, and
``apply_fix`` returns the new data, which the caller validates before saving it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

from ..document import Column, Document, Index, Naming, Relationship, Table

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

Data = dict[str, Any]
Edit = Callable[[Data], None]


@dataclass(frozen=True, slots=True)
class Fix:
    """An automatic fix: ``title`` says what it does; ``edit`` mutates plain document data in place."""

    title: str
    edit: Edit


@dataclass(slots=True)
class Hit:
    """What a rule function yields: one problem with one object."""

    object_id: str | None
    message: str
    fix: Fix | None = None


@dataclass(slots=True)
class Finding:
    """One review finding, pointing at an object by id (``object_id``) and at its JSON ``path``."""

    code: str
    rule: str
    severity: Severity
    message: str
    object_id: str | None
    path: str
    why: str
    fix: Fix | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "object_id": self.object_id,
            "path": self.path,
            "why": self.why,
            "fix": self.fix.title if self.fix else None,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    theme: str
    summary: str
    why: str
    check: Callable[[Context], Iterable[Hit]]
    dialects: frozenset[str] | None = None
    fixable: bool = False


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    summary: str,
    why: str,
    dialects: Iterable[str] | None = None,
    fixable: bool = False,
) -> Callable[[Callable[[Context], Iterable[Hit]]], Callable[[Context], Iterable[Hit]]]:
    """Register a rule function under a stable ``code`` (e.g. ``DS101``) and a kebab-case ``name``."""

    def register(func: Callable[[Context], Iterable[Hit]]) -> Callable[[Context], Iterable[Hit]]:
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        theme = func.__module__.rsplit(".", 1)[-1]
        REGISTRY[code] = Rule(
            code, name, severity, theme, summary, " ".join(why.split()), func,
            frozenset(dialects) if dialects else None, fixable,
        )  # fmt: skip
        return func

    return register


def rule_for(key: str) -> Rule | None:
    """A rule by code (``DS101``) or name (``missing-primary-key``)."""
    if key.upper() in REGISTRY:
        return REGISTRY[key.upper()]
    return next((r for r in REGISTRY.values() if r.name == key), None)


# Naming presets a design can pick with ``settings.review["naming"]``; review checks names against the
# preset merged over ``settings.naming`` (``apply_naming_preset`` writes it into the document).
NAMING_PRESETS: dict[str, dict[str, Any]] = {
    "dbstudio": {},
    "idx_table_columns": {
        "primary_key": "pk_{table}",
        "foreign_key": "fk_{table}_{referred_table}",
        "unique": "uq_{table}_{columns}",
        "check": "ck_{table}_{name}",
        "index": "idx_{table}_{columns}",
        "table_case": "snake",
        "table_number": "plural",
    },
    "postgres": {
        "primary_key": "{table}_pkey",
        "foreign_key": "{table}_{columns}_fkey",
        "unique": "{table}_{columns}_key",
        "check": "{table}_{name}_check",
        "index": "{table}_{columns}_idx",
        "table_case": "snake",
    },
    "rails": {
        "primary_key": "{table}_pkey",
        "foreign_key": "fk_rails_{table}_{columns}",
        "index": "index_{table}_on_{columns}",
        "table_case": "snake",
        "table_number": "plural",
    },
    "singular_snake": {"table_case": "snake", "table_number": "singular"},
    "plural_snake": {"table_case": "snake", "table_number": "plural"},
}


def apply_naming_preset(data: Data, preset: str) -> Data:
    """A copy of document data with ``settings.naming`` set to a preset (merged over the current one)."""
    if preset not in NAMING_PRESETS:
        raise ValueError(f"unknown naming preset {preset!r}; choose from {', '.join(NAMING_PRESETS)}")
    out = copy.deepcopy(data)
    settings = out.setdefault("settings", {})
    settings["naming"] = {**settings.get("naming", {}), **NAMING_PRESETS[preset]}
    return out


@dataclass
class Config:
    """Lint configuration, read from ``settings.review`` (and overridden by ``lint(config=...)``).

    ``rules``: code or name → ``"off"`` or a severity. ``suppress``: ``[{"rule", "object", "reason"}]``;
    a suppression without a reason does not count and is itself reported (DS002). ``naming``: a preset.
    Any other key is a rule option (e.g. ``max_indexes``) read with ``option()``.
    """

    raw: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def levels(self) -> dict[str, str]:
        out: dict[str, str] = {}
        rules = self.raw.get("rules")
        for key, level in rules.items() if isinstance(rules, dict) else []:
            found = rule_for(str(key))
            if found is not None and level in ("off", *SEVERITIES):
                out[found.code] = str(level)
        return out

    @cached_property
    def suppressions(self) -> set[tuple[str, str | None]]:
        out: set[tuple[str, str | None]] = set()
        for item in self.raw.get("suppress") or []:
            if not isinstance(item, dict) or not str(item.get("reason") or "").strip():
                continue
            found = rule_for(str(item.get("rule", "")))
            if found is not None:
                obj = item.get("object")
                out.add((found.code, str(obj) if obj else None))
        return out

    def option(self, name: str, default: Any) -> Any:
        value = self.raw.get(name, default)
        return value if isinstance(value, type(default)) and not isinstance(value, bool) else default

    def suppressed(self, code: str, object_ids: Iterable[str | None]) -> bool:
        if (code, None) in self.suppressions:
            return True
        return any((code, oid) in self.suppressions for oid in object_ids if oid)


def snake_words(name: str) -> list[str]:
    return [w for w in name.split("_") if w]


class Context:
    """The document and lookups that many rules share, each computed once, on first use."""

    def __init__(self, doc: Document, config: Config):
        self.doc = doc
        self.config = config
        self.target = doc.settings.target

    @cached_property
    def naming(self) -> Naming:
        preset = self.config.raw.get("naming")
        if isinstance(preset, str) and preset in NAMING_PRESETS:
            return Naming.model_validate({**self.doc.settings.naming.model_dump(), **NAMING_PRESETS[preset]})
        return self.doc.settings.naming

    @cached_property
    def paths(self) -> dict[str, str]:
        """JSON path of every object with an id (first one wins, as in validation)."""
        out: dict[str, str] = {}
        for ti, t in enumerate(self.doc.tables):
            out.setdefault(t.id, f"tables[{ti}]")
            for ci, c in enumerate(t.columns):
                out.setdefault(c.id, f"tables[{ti}].columns[{ci}]")
            for kind in ("uniques", "checks", "indexes"):
                for oi, o in enumerate(getattr(t, kind)):
                    out.setdefault(o.id, f"tables[{ti}].{kind}[{oi}]")
        for kind in ("relationships", "enums", "notes", "areas", "access_patterns"):
            for oi, o in enumerate(getattr(self.doc, kind)):
                out.setdefault(o.id, f"{kind}[{oi}]")
        for kind in ("roles", "grants", "policies"):
            for oi, o in enumerate(getattr(self.doc.security, kind)):
                out.setdefault(o.id, f"security.{kind}[{oi}]")
        return out

    @cached_property
    def tables(self) -> dict[str, Table]:
        return {t.id: t for t in self.doc.tables}

    @cached_property
    def owner(self) -> dict[str, Table]:
        """Column, index, unique and check id → the table holding it."""
        out: dict[str, Table] = {}
        for t in self.doc.tables:
            for group in (t.columns, t.indexes, t.uniques, t.checks):
                for obj in group:
                    out.setdefault(obj.id, t)
        return out

    @cached_property
    def columns(self) -> dict[str, Column]:
        return {c.id: c for t in self.doc.tables for c in t.columns}

    @cached_property
    def relationships_of(self) -> dict[str, list[Relationship]]:
        """Table id → relationships it takes part in, as child or parent."""
        out: dict[str, list[Relationship]] = {t.id: [] for t in self.doc.tables}
        for rel in self.doc.relationships:
            out.setdefault(rel.from_table, []).append(rel)
            if rel.to_table != rel.from_table:
                out.setdefault(rel.to_table, []).append(rel)
        return out

    @cached_property
    def relationship_tables(self) -> dict[str, str]:
        """Relationship id → its referencing (child) table's id."""
        return {rel.id: rel.from_table for rel in self.doc.relationships}

    @cached_property
    def fk_columns(self) -> set[str]:
        return {c for rel in self.doc.relationships for c in rel.from_columns}

    @cached_property
    def all_columns(self) -> list[tuple[Table, Column, str]]:
        """Every column with its table and lower-cased name, in document order."""
        return [(t, c, c.name.lower()) for t in self.doc.tables for c in t.columns]

    @cached_property
    def by_type(self) -> dict[str, list[tuple[Table, Column]]]:
        out: dict[str, list[tuple[Table, Column]]] = {}
        for t, c, _ in self.all_columns:
            out.setdefault(c.type.name, []).append((t, c))
        return out

    def of_type(self, *names: str) -> list[tuple[Table, Column]]:
        """Columns of the given type names, in document order."""
        if len(names) == 1:
            return self.by_type.get(names[0], [])
        wanted = [pair for name in names for pair in self.by_type.get(name, [])]
        order = self.column_order
        return sorted(wanted, key=lambda pair: order[pair[1].id])

    @cached_property
    def column_order(self) -> dict[str, int]:
        return {c.id: i for i, (_, c, _) in enumerate(self.all_columns)}

    @cached_property
    def referenced_columns(self) -> set[str]:
        return {c for rel in self.doc.relationships for c in rel.to_columns}

    def key_prefixes(self, table: Table) -> list[tuple[str, ...]]:
        """Column-id sequences that lead some B-tree structure on the table (PK, uniques, plain indexes)."""
        return self._key_prefixes.get(table.id, [])

    @cached_property
    def _key_prefixes(self) -> dict[str, list[tuple[str, ...]]]:
        out: dict[str, list[tuple[str, ...]]] = {}
        for t in self.doc.tables:
            keys: list[tuple[str, ...]] = []
            if t.primary_key:
                keys.append(tuple(t.primary_key.columns))
            keys.extend(tuple(u.columns) for u in t.uniques)
            for index in t.indexes:
                if index.method == "btree" and index.where is None:
                    keys.append(index_columns(index))
            out[t.id] = keys
        return out

    def unique_keys(self, table: Table) -> list[frozenset[str]]:
        keys = [frozenset(u.columns) for u in table.uniques]
        if table.primary_key:
            keys.append(frozenset(table.primary_key.columns))
        keys.extend(
            frozenset(index_columns(i)) for i in table.indexes if i.unique and i.where is None and all_columns(i)
        )
        return keys

    def name_of(self, object_id: str) -> str:
        """A readable name for messages: ``table``, ``table.column`` or the object's own name."""
        table = self.tables.get(object_id)
        if table is not None:
            return table.name
        column = self.columns.get(object_id)
        if column is not None:
            return f"{self.owner[object_id].name}.{column.name}"
        return object_id

    def hit(self, object_id: str | None, message: str, fix: Fix | None = None) -> Hit:
        return Hit(object_id, message, fix)


def index_columns(index: Index) -> tuple[str, ...]:
    """The leading plain-column key parts of an index (stops at the first expression)."""
    out: list[str] = []
    for key in index.columns:
        if key.column is None:
            break
        out.append(key.column)
    return tuple(out)


def all_columns(index: Index) -> bool:
    return all(k.column is not None for k in index.columns)


_SNAKE = re.compile(r"^[a-z_][a-z0-9_]*$")


@lru_cache(maxsize=65536)
def is_snake(name: str) -> bool:
    return bool(_SNAKE.match(name)) and "__" not in name and not name.endswith("_")


def to_snake(name: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    s = re.sub(r"_+", "_", s)
    if not s or s[0].isdigit():
        s = f"t_{s}"
    return s


# ---- editing plain document data (fix helpers) ----


def find_table(data: Data, table_id: str) -> Data:
    return next(t for t in data.get("tables", []) if t["id"] == table_id)


def find_column(data: Data, column_id: str) -> Data:
    for table in data.get("tables", []):
        for column in table.get("columns", []):
            if column["id"] == column_id:
                return column
    raise KeyError(column_id)


def find_in(data: Data, kind: str, object_id: str) -> Data:
    return next(o for o in data.get(kind, []) if o["id"] == object_id)


def fresh_id(data: Data, base: str) -> str:
    """An id derived from ``base`` that no object in ``data`` uses yet (deterministic)."""
    used = set(_all_ids(data))
    base = re.sub(r"[^A-Za-z0-9_.:-]", "_", base)[:56]
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _all_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            yield node["id"]
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _all_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_ids(value)
