"""Auto-layout for new designs: layered by foreign-key direction, so referenced tables come first.

Each table's layer is one more than the deepest table it references (cycles are broken where they
are met); layers are columns left to right, tall layers wrap into several columns, and inside a
layer tables are ordered by the average row of what they reference, which keeps edges short.
"""

from __future__ import annotations

from .document import Document, Point

WIDTH, GAP_X, GAP_Y, ROW, HEADER = 260, 120, 60, 24, 48
MAX_PER_COLUMN = 12


def height(columns: int) -> float:
    return HEADER + ROW * max(columns, 1)


def layout(doc: Document) -> Document:
    """A copy of ``doc`` with every table placed; deterministic for the same document."""
    parents: dict[str, list[str]] = {t.id: [] for t in doc.tables}
    for rel in doc.relationships:
        if rel.from_table in parents and rel.to_table in parents and rel.from_table != rel.to_table:
            parents[rel.from_table].append(rel.to_table)
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(table_id: str) -> int:
        if table_id in layer:
            return layer[table_id]
        if table_id in visiting:
            return 0  # a cycle: break it here
        visiting.add(table_id)
        value = 1 + max((depth(p) for p in parents[table_id]), default=-1)
        visiting.discard(table_id)
        layer[table_id] = value
        return value

    for table in doc.tables:
        depth(table.id)
    order: dict[str, float] = {}
    by_layer: dict[int, list[str]] = {}
    for table in doc.tables:
        by_layer.setdefault(layer[table.id], []).append(table.id)
    sizes = {t.id: len(t.columns) for t in doc.tables}
    positions: dict[str, Point] = {}
    x = 0.0
    for index in sorted(by_layer):
        ids = by_layer[index]
        ids.sort(key=lambda i: (sum(order.get(p, 0) for p in parents[i]) / max(len(parents[i]), 1), i))
        for start in range(0, len(ids), MAX_PER_COLUMN):
            y = 0.0
            for row, table_id in enumerate(ids[start : start + MAX_PER_COLUMN]):
                order[table_id] = start + row
                positions[table_id] = Point(x=x, y=y)
                y += height(sizes[table_id]) + GAP_Y
            x += WIDTH + GAP_X
    tables = [t.model_copy(update={"position": positions[t.id]}) for t in doc.tables]
    return doc.model_copy(update={"tables": tables})


def needs_layout(doc: Document) -> bool:
    """True when no table has a position yet (every one at the origin)."""
    return all(t.position.x == 0 and t.position.y == 0 for t in doc.tables) and len(doc.tables) > 0
