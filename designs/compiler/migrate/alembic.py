"""A plan → an Alembic revision script, rendered through Alembic's own operation renderer.

The upgrade is the plan; the downgrade is ``plan.reverse()`` rendered the same way, never written by
hand. Steps that must run outside the transaction are wrapped in ``autocommit_block()``. The hazards
head the script. ``alembic_project`` writes a whole project (alembic.ini, env.py reading
DATABASE_URL, one revision per named version) that ``alembic upgrade head`` runs as downloaded.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import render_op_text
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops as aop
from alembic.runtime.migration import MigrationContext
from sqlalchemy.sql.elements import TextClause

from ..ddl.base import Emitter
from ..ddl.types import RawType
from ..document import Document, Security
from . import Plan, diff
from .dialects import renderer
from .render import Renderer, Step

# A self-contained copy of the raw-SQL type, so a script imports nothing from DB Studio.
RAW_TYPE_HELPER = '''

class RawType(sa.types.UserDefinedType):
    """A column type written as SQL text (a design's raw type or a keyword such as SERIAL)."""

    cache_ok = True

    def __init__(self, sql):
        self.sql = sql

    def get_col_spec(self, **kw):
        return self.sql
'''


def _context(dialect: str) -> AutogenContext:
    def render_item(type_: str, obj: Any, context: AutogenContext) -> str | bool:
        if type_ == "type" and isinstance(obj, RawType):
            context.imports.add("# raw types: RawType below")
            return f"RawType({obj.sql!r})"
        if type_ == "server_default" and isinstance(obj, sa.DefaultClause) and isinstance(obj.arg, str):
            # A literal string default, as is: Alembic's renderer strips a leading and trailing
            # quote, which would change a value such as "'); DROP TABLE y; --".
            return repr(obj.arg)
        if type_ == "server_default" and isinstance(obj, str):
            return repr(obj)  # the same, given bare (SQLite's batch alter_column)
        if type_ == "server_default" and isinstance(obj, TextClause):
            return f"sa.text({obj.text!r})"  # Alembic would write the bare text, 10 for '10'
        return False

    migration = MigrationContext.configure(
        dialect_name=dialect,
        opts={
            "sqlalchemy_module_prefix": "sa.",
            "alembic_module_prefix": "op.",
            "user_module_prefix": None,
            "render_item": render_item,
        },
    )
    return AutogenContext(migration)


def _body(steps: list[Step], context: AutogenContext) -> str:
    lines: list[str] = []
    in_block = False
    for step in steps:
        text = _render(context, step.op)
        if step.autocommit and not in_block:
            lines.append("with op.get_context().autocommit_block():")
            in_block = True
        elif not step.autocommit and in_block:
            in_block = False
        lines.append(textwrap.indent(text, "    ") if in_block else text)
    return textwrap.indent("\n".join(lines) or "pass", "    ")


def _steps(r: Renderer) -> list[Step]:
    """The renderer's steps, with what must run outside any transaction (SQLite's foreign_keys
    pragma) in autocommit blocks around them."""
    before = [Step(aop.ExecuteSQLOp(sql), autocommit=True) for sql in r.outside_before()]
    after = [Step(aop.ExecuteSQLOp(sql), autocommit=True) for sql in r.outside_after()]
    return [*before, *r.steps(), *after]


def _render(context: AutogenContext, op: Any) -> str:
    if isinstance(op, aop.RenameTableOp):  # Alembic's autogenerate renderer has no rename_table
        schema = f", schema={op.schema!r}" if op.schema else ""
        return f"op.rename_table({op.table_name!r}, {op.new_table_name!r}{schema})"
    return render_op_text(context, op)


def _hazard_lines(plan: Plan) -> list[str]:
    out = []
    for op, hazard in plan.hazards:
        alt = f"\n      safer: {hazard.safe_alternative}" if hazard.safe_alternative else ""
        out.append(f"  - [{hazard.kind}] {op.describe()}: {hazard.message}{alt}")
    out.extend(f"  - [note] {note}" for note in plan.notes)
    return out


def revision_id(label: str) -> str:
    """A revision id from a version label: lower-case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "version"


def revision_script(
    plan: Plan,
    revision: str,
    down_revision: str | None,
    message: str = "",
    dialect: str | None = None,
    safe: bool = True,
) -> str:
    """The Alembic revision script for ``plan`` (``dialect``: the design's target by default)."""
    dialect = dialect or (
        plan.new.settings.target if plan.new.settings.target in ("postgresql", "mysql", "sqlite") else "postgresql"
    )
    context = _context(dialect)
    emitters: dict[int, Emitter] = {}
    upgrade = _body(_steps(renderer(plan, dialect, safe, emitters)), context)
    downgrade = _body(_steps(renderer(plan.reverse(), dialect, safe, emitters)), context)
    hazards = _hazard_lines(plan)
    imports = sorted(i for i in context.imports if not i.startswith("#"))
    helper = RAW_TYPE_HELPER if any(i.startswith("#") for i in context.imports) else ""
    doc = message or f"{plan.old.name} → {plan.new.name}"
    head = "\n".join([doc, "", f"Revision ID: {revision}", f"Revises: {down_revision or ''}", f"Dialect: {dialect}"])
    if hazards:
        head += "\n\nHazards:\n" + "\n".join(hazards)
    return (
        f'"""{_escape(head)}\n"""\n\n'
        "from alembic import op\nimport sqlalchemy as sa\n"
        + "".join(f"{i}\n" for i in imports)
        + f"{helper}\n"
        + f"revision = {revision!r}\ndown_revision = {down_revision!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        + f"def upgrade() -> None:\n{upgrade}\n\n\ndef downgrade() -> None:\n{downgrade}\n"
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def empty_like(doc: Document) -> Document:
    """``doc`` with no schema objects: the starting point of the first revision."""
    return doc.model_copy(update={"tables": [], "relationships": [], "enums": [], "security": Security()})


ALEMBIC_INI = """[alembic]
script_location = %(here)s
prepend_sys_path = .
# The database comes from the DATABASE_URL environment variable (see env.py).

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''"""Alembic environment: the database is DATABASE_URL; --sql writes the SQL instead of running it."""

import os
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL to the database to migrate, e.g. postgresql+psycopg://user@host/db")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def run_offline():
    context.configure(url=database_url(), literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    engine = sa.create_engine(database_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


def alembic_project(
    versions: list[tuple[str, Document]], dialect: str | None = None, safe: bool = True
) -> dict[str, str]:
    """An Alembic project, path → text: one revision per named version, chained in order.

    The first revision creates the first version from nothing; each next one migrates from the
    version before it.
    """
    files = {"alembic.ini": ALEMBIC_INI, "env.py": ENV_PY, "script.py.mako": SCRIPT_MAKO}
    previous: Document | None = None
    down: str | None = None
    seen: set[str] = set()
    for n, (label, doc) in enumerate(versions, start=1):
        rev = revision_id(label)
        if rev in seen:
            rev = f"{rev}_{n}"
        seen.add(rev)
        plan = diff(previous if previous is not None else empty_like(doc), doc)
        files[f"versions/{n:04d}_{rev}.py"] = revision_script(plan, rev, down, f"Version {label}", dialect, safe)
        previous, down = doc, rev
    return files
