"""Capacity estimates: average row size from column types, and a table inventory with sizes and growth.

    from designs.compiler.capacity import inventory
    for row in inventory(doc): row.table, row.rows, row.row_bytes, row.total_bytes, row.growth_bytes_per_month

The numbers follow PostgreSQL's storage: a 24-byte tuple header, fixed widths for fixed-size types and
an assumed average for variable-length ones (half the declared length, capped). They are estimates for
planning disks and memory, good to a factor of about two; the assumptions are listed in the design
document next to the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Column, Document, Table

TUPLE_HEADER_BYTES = 24
ITEM_POINTER_BYTES = 4
# A btree entry: 8-byte index tuple header plus the key, and pages kept ~70% full on average.
INDEX_ENTRY_OVERHEAD_BYTES = 8
INDEX_FILL = 0.7
PAGE_FILL = 0.9

FIXED_BYTES: dict[str, int] = {
    "smallint": 2,
    "smallserial": 2,
    "integer": 4,
    "serial": 4,
    "bigint": 8,
    "bigserial": 8,
    "real": 4,
    "double": 8,
    "money": 8,
    "boolean": 1,
    "date": 4,
    "time": 8,
    "timetz": 12,
    "timestamp": 8,
    "timestamptz": 8,
    "interval": 16,
    "uuid": 16,
    "inet": 7,
    "cidr": 7,
    "macaddr": 6,
    "year": 2,
    "enum": 4,
}
# Average stored size of variable-length values when the design gives no length.
VARIABLE_BYTES: dict[str, int] = {
    "text": 40,
    "citext": 40,
    "bytea": 200,
    "json": 200,
    "jsonb": 200,
    "xml": 400,
    "tsvector": 200,
    "raw": 16,
}
MAX_ASSUMED_STRING = 255
ARRAY_OVERHEAD_BYTES = 24
ARRAY_ASSUMED_ELEMENTS = 4


def column_bytes(column: Column) -> int:
    """The average stored size of one value of ``column`` (varlena headers included)."""
    t = column.type
    name = t.name
    if name in FIXED_BYTES:
        size = FIXED_BYTES[name]
    elif name in ("varchar", "char"):
        declared = t.length or MAX_ASSUMED_STRING
        # char(n) is padded to n; varchar is assumed half full.
        size = 1 + (declared if name == "char" else max(1, min(declared, MAX_ASSUMED_STRING) // 2))
    elif name == "numeric":
        digits = t.precision or 12
        size = 3 + (digits + 3) // 4 * 2
    else:
        size = VARIABLE_BYTES.get(name, 16)
    if column.example is not None and name not in FIXED_BYTES:
        # A sample value is a better guess than the type's default.
        size = 1 + len(column.example.encode())
    if t.array:
        size = ARRAY_OVERHEAD_BYTES + size * ARRAY_ASSUMED_ELEMENTS**t.array
    return size


def row_bytes(table: Table) -> int:
    """Average stored bytes per row: tuple header, null bitmap, item pointer and every column."""
    nullable = sum(1 for c in table.columns if c.nullable)
    bitmap = (nullable + 7) // 8 if nullable else 0
    return TUPLE_HEADER_BYTES + bitmap + ITEM_POINTER_BYTES + sum(column_bytes(c) for c in table.columns)


def index_bytes_per_row(table: Table) -> int:
    """Estimated index bytes per row over the primary key, uniques and declared indexes."""
    cols = {c.id: c for c in table.columns}
    keysets: list[list[str | None]] = []
    if table.primary_key:
        keysets.append(list(table.primary_key.columns))
    keysets.extend(list(u.columns) for u in table.uniques)
    keysets.extend([k.column for k in i.columns] + list(i.include) for i in table.indexes)
    total = 0.0
    for keys in keysets:
        width = sum(column_bytes(cols[k]) if k in cols else 16 for k in keys)
        total += (INDEX_ENTRY_OVERHEAD_BYTES + width + ITEM_POINTER_BYTES) / INDEX_FILL
    return int(total)


@dataclass(frozen=True)
class TableEstimate:
    table_id: str
    table: str
    rows: int | None
    row_bytes: int
    table_bytes: int | None
    index_bytes: int | None
    total_bytes: int | None
    growth_rows_per_month: int | None
    growth_bytes_per_month: int | None
    rows_in_a_year: int | None


def estimate(table: Table) -> TableEstimate:
    """Sizes for one table; None where the design gives no row count."""
    per_row = row_bytes(table)
    per_index = index_bytes_per_row(table)
    rows = table.estimated_rows
    heap = int(rows * per_row / PAGE_FILL) if rows is not None else None
    idx = rows * per_index if rows is not None else None
    growth = table.growth_rows_per_month
    return TableEstimate(
        table_id=table.id,
        table=table.name,
        rows=rows,
        row_bytes=per_row,
        table_bytes=heap,
        index_bytes=idx,
        total_bytes=(heap or 0) + (idx or 0) if rows is not None else None,
        growth_rows_per_month=growth,
        growth_bytes_per_month=int(growth * (per_row / PAGE_FILL + per_index)) if growth is not None else None,
        rows_in_a_year=(rows or 0) + growth * 12 if growth is not None else rows,
    )


def inventory(doc: Document) -> list[TableEstimate]:
    """One estimate per table, in document order."""
    return [estimate(t) for t in doc.tables]


def human_bytes(n: int | None) -> str:
    """``1.5 GB`` style (powers of 1024), or ``n/a``."""
    if n is None:
        return "n/a"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PB"  # pragma: no cover - unreachable, TB is the last unit
