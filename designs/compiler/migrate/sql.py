"""Plain SQL for a plan, per dialect, through Alembic's offline ("--sql") mode.

The same steps the Alembic script runs are executed against an offline ``MigrationContext`` that
writes SQL instead of running it. PostgreSQL and SQLite get explicit BEGIN/COMMIT around the
transactional parts; steps that must run outside a transaction (CREATE INDEX CONCURRENTLY, ALTER
TYPE … ADD VALUE) stand between them. MySQL commits every DDL statement itself, so it gets none.
"""

from __future__ import annotations

import io
import re

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from . import Plan
from .dialects import renderer
from .render import Step

TRANSACTIONAL = {"postgresql": True, "mysql": False, "sqlite": True}


def _statements(steps: list[Step], dialect: str) -> list[tuple[str, Step]]:
    out: list[tuple[str, Step]] = []
    for step in steps:
        buffer = io.StringIO()
        # paramstyle "named": with the drivers' "pyformat" a literal % would come out doubled.
        context = MigrationContext.configure(
            dialect_name=dialect,
            dialect_opts={"paramstyle": "named"},
            opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
        )
        Operations(context).invoke(step.op)
        for text in re.split(r";\n\n", buffer.getvalue()):
            text = text.strip()
            if text:
                if step.lint_ignore:
                    text = f"-- squawk-ignore {step.lint_ignore}\n{text}"
                out.append((text.rstrip(";"), step))
    return out


def statements(plan: Plan, dialect: str, safe: bool = True) -> list[str]:
    """Every statement of the migration, with BEGIN/COMMIT where the dialect has transactional DDL."""
    r = renderer(plan, dialect, safe)
    pairs = _statements(r.steps(), dialect)
    out: list[str] = list(r.outside_before())
    if not TRANSACTIONAL[dialect]:
        return out + [s for s, _ in pairs] + list(r.outside_after())
    open_ = False
    for text, step in pairs:
        if step.autocommit and open_:
            out.append("COMMIT")
            open_ = False
        elif not step.autocommit and not open_:
            out.append("BEGIN")
            open_ = True
        # A step that must not share the migration's transaction still gets one of its own.
        out.extend(["BEGIN", text, "COMMIT"] if step.alone else [text])
    if open_:
        out.append("COMMIT")
    return out + list(r.outside_after())


def sql_script(plan: Plan, dialect: str, safe: bool = True, title: str | None = None) -> str:
    """The migration as one SQL script, its hazards listed first as comments."""
    head = [f"-- {title}"] if title else []
    for op, hazard in plan.hazards:
        alt = f" (safer: {hazard.safe_alternative})" if hazard.safe_alternative else ""
        head.append(f"-- HAZARD {hazard.kind}: {op.describe()}: {hazard.message}{alt}")
    head.extend(f"-- NOTE: {note}" for note in plan.notes)
    body = ";\n\n".join(statements(plan, dialect, safe))
    return "\n".join(head) + ("\n\n" if head else "") + (body + ";\n" if body else "")


def flyway_series(versions: list[tuple[str, object]], dialect: str, safe: bool = True) -> dict[str, str]:
    """A numbered ``V001__<name>.sql`` series: the first version's full DDL, then one file per step."""
    from ..ddl import emit
    from ..document import Document
    from . import diff

    out: dict[str, str] = {}
    previous: Document | None = None
    for n, (label, doc) in enumerate(versions, start=1):
        assert isinstance(doc, Document)
        slug = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_") or f"version_{n}"
        if previous is None:
            text = emit(doc, dialect).sql
        else:
            text = sql_script(diff(previous, doc), dialect, safe, title=label)
        out[f"V{n:03d}__{slug}.sql"] = text
        previous = doc
    return out
