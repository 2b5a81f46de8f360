"""Synthetic design documents of any size, for benchmarks (deterministic: same arguments, same document).

    from bench.synthetic import generate, design
    data = generate(tables=1000, columns=12_000, foreign_keys=1_500, indexes=2_000, seed=1)  # plain JSON data
    doc = design(tables=50)                                                                   # a validated Document

Each table has a bigint identity key, a spread of portable types (numbers, text, dates, uuid, jsonb,
booleans) with some NOT NULL columns, literal and expression defaults, a check and a unique key on
some tables. Foreign keys add a ``<parent>_id`` column to the child and point at earlier or later
tables alike, so reference cycles occur. Indexes cover every foreign-key column first (as a reviewer
would ask), then composite, descending and partial indexes on other columns. Only features every
dialect expresses without a warning-worthy loss are used, so the output suits cross-dialect timings.
"""

from __future__ import annotations

import random
from typing import Any

from designs.compiler.document import Document
from designs.compiler.validate import load

# (type, parameters, NOT NULL share, default or None); picked with the weights below.
COLUMN_KINDS: tuple[tuple[dict[str, Any], float, dict[str, Any] | None], ...] = (
    ({"name": "integer"}, 0.5, {"kind": "literal", "value": 0}),
    ({"name": "bigint"}, 0.3, None),
    ({"name": "varchar", "length": 100}, 0.6, None),
    ({"name": "varchar", "length": 255}, 0.3, {"kind": "literal", "value": "n/a"}),
    ({"name": "text"}, 0.2, None),
    ({"name": "numeric", "precision": 12, "scale": 2}, 0.5, {"kind": "literal", "value": 0}),
    ({"name": "boolean"}, 0.8, {"kind": "literal", "value": False}),
    ({"name": "date"}, 0.3, None),
    ({"name": "timestamptz"}, 0.7, {"kind": "expression", "value": "CURRENT_TIMESTAMP"}),
    ({"name": "uuid"}, 0.4, None),
    ({"name": "jsonb"}, 0.1, None),
    ({"name": "double"}, 0.2, None),
)
WEIGHTS = (10, 6, 12, 6, 4, 6, 5, 4, 6, 3, 2, 2)


def generate(
    tables: int = 1000,
    columns: int = 12_000,
    foreign_keys: int = 1_500,
    indexes: int = 2_000,
    seed: int = 1,
) -> dict[str, Any]:
    """A design document as plain data with about ``columns`` columns in all (keys and FK columns included).

    ``indexes`` must be at least ``foreign_keys`` (every FK column is indexed first).
    """
    if indexes < foreign_keys:
        raise ValueError("indexes must be at least foreign_keys: every foreign-key column is indexed")
    rng = random.Random(seed)
    names = [f"t{i:05d}_{_word(rng)}" for i in range(tables)]
    plain_total = max(columns - tables - foreign_keys, 0)  # minus the id and FK columns
    per_table = _spread(rng, plain_total, tables)
    docs: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        table_id = f"t{i}"
        cols: list[dict[str, Any]] = [
            {"id": f"{table_id}.id", "name": "id", "type": {"name": "bigint"}, "nullable": False, "identity": {}}
        ]
        for j in range(per_table[i]):
            kind = rng.choices(range(len(COLUMN_KINDS)), WEIGHTS)[0]
            ctype, not_null_share, default = COLUMN_KINDS[kind]
            column: dict[str, Any] = {"id": f"{table_id}.c{j}", "name": f"c{j}_{_word(rng)}", "type": dict(ctype)}
            if rng.random() < not_null_share:
                column["nullable"] = False
            if default is not None and rng.random() < 0.5:
                column["default"] = dict(default)
            cols.append(column)
        table: dict[str, Any] = {
            "id": table_id,
            "name": name,
            "columns": cols,
            "primary_key": {"columns": [f"{table_id}.id"]},
            "estimated_rows": rng.choice([1_000, 50_000, 2_000_000]),
        }
        numeric = [c for c in cols[1:] if c["type"]["name"] in ("integer", "numeric") and not c.get("nullable", True)]
        if numeric and rng.random() < 0.3:
            table["checks"] = [{"id": f"{table_id}.k", "expression": f"{numeric[0]['name']} >= 0"}]
        texts = [c for c in cols[1:] if c["type"]["name"] == "varchar"]
        if texts and rng.random() < 0.2:
            table["uniques"] = [{"id": f"{table_id}.u", "columns": [texts[0]["id"]]}]
        docs.append(table)
    relationships = []
    fk_columns: list[tuple[int, str]] = []
    for n in range(foreign_keys):
        child = n % tables
        parent = rng.randrange(tables)
        column_id = f"t{child}.fk{n}"
        docs[child]["columns"].append(
            {
                "id": column_id,
                "name": f"{names[parent][:40]}_id{n}",
                "type": {"name": "bigint"},
                "nullable": rng.random() < 0.5,
            }
        )
        relationships.append(
            {
                "id": f"r{n}",
                "from_table": f"t{child}",
                "from_columns": [column_id],
                "to_table": f"t{parent}",
                "to_columns": [f"t{parent}.id"],
                "on_delete": rng.choice(["no_action", "cascade", "restrict"]),
            }
        )
        fk_columns.append((child, column_id))
    for n, (child, column_id) in enumerate(fk_columns):
        docs[child].setdefault("indexes", []).append({"id": f"i{n}", "columns": [{"column": column_id}]})
    for n in range(len(fk_columns), indexes):
        i = n % tables
        candidates = [c for c in docs[i]["columns"][1:] if c["type"]["name"] not in ("text", "jsonb")]
        if not candidates:
            candidates = [docs[i]["columns"][0]]
        picked = rng.sample(candidates, k=min(len(candidates), rng.choice([1, 1, 2, 3])))
        index: dict[str, Any] = {
            "id": f"i{n}",
            "columns": [{"column": c["id"], "order": rng.choice(["asc", "asc", "desc"])} for c in picked],
        }
        if rng.random() < 0.1:
            index["unique"] = True
        docs[i].setdefault("indexes", []).append(index)
    return {
        "format": 1,
        "name": f"Synthetic design ({tables} tables, seed {seed})",
        "tables": docs,
        "relationships": relationships,
    }


def design(**kwargs: Any) -> Document:
    """``generate(**kwargs)``, validated into a ``Document``."""
    return load(generate(**kwargs))


def count(doc: Document) -> dict[str, int]:
    """How big a design is: tables, columns, foreign keys, indexes."""
    return {
        "tables": len(doc.tables),
        "columns": sum(len(t.columns) for t in doc.tables),
        "foreign_keys": len(doc.relationships),
        "indexes": sum(len(t.indexes) for t in doc.tables),
    }


_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "po", "qu", "da")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _spread(rng: random.Random, total: int, buckets: int) -> list[int]:
    """``total`` split over ``buckets``, unevenly (a few wide tables) but summing exactly to ``total``."""
    weights = [rng.choice([1, 1, 1, 2, 3]) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % buckets] += 1
    return counts
