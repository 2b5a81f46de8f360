"""Migrations between two versions of a design: compare → operations → Alembic script or SQL.

from designs.compiler.migrate import diff
plan = diff(old_doc, new_doc)            # matched by stable id: a rename is a rename
plan.ops, plan.hazards, plan.notes
plan.reverse()                           # the downgrade, derived
from designs.compiler.migrate.sql import sql_script
from designs.compiler.migrate.alembic import revision_script
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from .compare import compare
from .ops import CreateTable, DropTable, Hazard, Op, RenameTable

__all__ = ["Hazard", "Op", "Plan", "diff"]


def _ordered(ops: list[Op]) -> list[Op]:
    return sorted(ops, key=lambda op: op.phase)  # stable: within a phase, the given order


@dataclass
class Plan:
    """The operations that turn ``old`` into ``new``, in execution order."""

    old: Document
    new: Document
    ops: list[Op]
    notes: list[str] = field(default_factory=list)

    def reverse(self) -> Plan:
        """The plan that undoes this one (the downgrade)."""
        return Plan(self.new, self.old, _ordered([op.reverse() for op in reversed(self.ops)]), list(self.notes))

    @property
    def hazards(self) -> list[tuple[Op, Hazard]]:
        return [(op, h) for op in self.ops for h in op.hazards]

    def __bool__(self) -> bool:
        return bool(self.ops)

    def to_data(self) -> dict[str, Any]:
        """A JSON-ready summary for the editor: what changes (by id) and what is dangerous."""
        return {
            "operations": [
                {
                    "kind": op.kind,
                    "description": op.describe(),
                    "object": object_id(op),
                    "hazards": [h.to_data() for h in op.hazards],
                }
                for op in self.ops
            ],
            "changes": self.changes(),
            "notes": list(self.notes),
        }

    def changes(self) -> dict[str, str]:
        """Object id → ``added``, ``removed``, ``renamed`` or ``changed``, for marking the canvas.

        A table holding a changed column, index or constraint is ``changed`` itself.
        """
        out: dict[str, str] = {}
        for op in self.ops:
            oid = object_id(op)
            status = _STATUS.get(type(op).__name__[:4], "changed")
            if (
                oid is not None
                and oid == getattr(getattr(op, "table", None), "id", None)
                and not isinstance(op, CreateTable | DropTable | RenameTable)
            ):
                status = "changed"  # the table's primary key, comment, security, partitions
            # The first telling status wins: a renamed table whose key is renamed with it stays "renamed".
            if oid is not None and out.get(oid) in (None, "changed"):
                out[oid] = status
            table = getattr(op, "table", None)
            if table is not None and table.id != oid and table.id not in out:
                out[table.id] = "changed"
        return out


_STATUS = {
    "Crea": "added",
    "AddC": "added",
    "AddI": "added",
    "AddF": "added",
    "AddP": "added",
    "Drop": "removed",
    "Rena": "renamed",
}


def object_id(op: Op) -> str | None:
    """The id of the design object an operation is about."""
    for attr in ("column", "index", "constraint", "relationship", "policy", "enum", "partition", "new"):
        value = getattr(op, attr, None)
        if value is not None and hasattr(value, "id"):
            return str(value.id)
        if value is not None and attr == "constraint":  # a primary key: the table's
            return str(op.table.id)  # type: ignore[attr-defined]
    table = getattr(op, "table", None)
    return str(table.id) if table is not None else None


def diff(old: Document, new: Document) -> Plan:
    """Compare two designs (matched by id) and return the ordered plan from ``old`` to ``new``."""
    ops, notes = compare(old, new)
    return Plan(old, new, _ordered(ops), notes)
