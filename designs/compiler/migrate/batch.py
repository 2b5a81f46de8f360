"""SQLite's table rebuild as one Alembic operation: ``batch_alter_table(recreate="always", copy_from=…)``.

SQLite alters little in place, so a changed table is rebuilt: a new table, the rows copied, the old
one dropped, the new one renamed. Alembic's batch mode does exactly that; given ``copy_from`` (the
table as it stands) it needs no reflection, so the same operation runs against a live database and
in offline ("--sql") mode, where it prints plain SQL. ``RebuildTableOp`` carries the ``copy_from``
table and the batch operations (Alembic operation objects) that turn it into the new design's table;
it is executed through Alembic's ``Operations`` and rendered into a revision script as a
``with op.batch_alter_table(...) as batch_op:`` block.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import render_op_text
from alembic.operations import Operations
from alembic.operations import ops as aop


class RebuildTableOp(aop.MigrateOperation):
    """Rebuild ``table_name`` from ``copy_from`` with ``ops`` applied (Alembic batch mode)."""

    def __init__(
        self,
        table_name: str,
        copy_from: sa.Table,
        ops: list[aop.MigrateOperation],
        reordering: tuple[str, ...] = (),
        table_kwargs: dict[str, Any] | None = None,
    ):
        self.table_name = table_name
        self.copy_from = copy_from
        self.ops = ops
        self.reordering = reordering
        self.table_kwargs = table_kwargs or {}

    def batch_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"recreate": "always", "copy_from": self.copy_from}
        if self.reordering:
            out["partial_reordering"] = [self.reordering]
        if self.table_kwargs:
            out["table_kwargs"] = self.table_kwargs
        return out


@Operations.implementation_for(RebuildTableOp)
def _rebuild(operations: Operations, operation: RebuildTableOp) -> None:
    with operations.batch_alter_table(operation.table_name, **operation.batch_kwargs()) as batch:
        for op in operation.ops:
            batch.invoke(op)


_CREATE = re.compile(r"op\.create_table\(((?:'(?:[^'\\]|\\.)*')|(?:\"(?:[^\"\\]|\\.)*\")),")


@renderers.dispatch_for(RebuildTableOp)
def _render_rebuild(context: AutogenContext, operation: RebuildTableOp) -> str:
    # copy_from is rendered as Alembic renders a create_table, turned into a Table expression.
    created = render_op_text(context, aop.CreateTableOp.from_table(operation.copy_from))
    match = _CREATE.match(created)
    assert match is not None, created
    rest = textwrap.indent(created[match.end() :].lstrip("\n"), "    ")
    copy_from = f"sa.Table(\n    {match.group(1)},\n    sa.MetaData(),\n{rest}"
    args = [repr(operation.table_name), "recreate='always'", f"copy_from={copy_from}"]
    if operation.reordering:
        args.append(f"partial_reordering=[{operation.reordering!r}]")
    if operation.table_kwargs:
        args.append(f"table_kwargs={operation.table_kwargs!r}")
    lines = [f"with op.batch_alter_table({', '.join(args)}) as batch_op:"]
    with context._within_batch():
        body = [_render_inner(context, op) for op in operation.ops]
    lines.append(textwrap.indent("\n".join(body) or "pass", "    "))
    return "\n".join(lines)


def _render_inner(context: AutogenContext, op: aop.MigrateOperation) -> str:
    if isinstance(op, aop.CreatePrimaryKeyOp):  # Alembic's renderer has none
        return f"batch_op.create_primary_key({op.constraint_name!r}, {list(op.columns)!r})"
    return render_op_text(context, op)
