"""``dbstudio diff OLD NEW --to alembic|postgres|mysql|sqlite [-o FILE]``: the migration between two designs.

Objects are matched by stable id, so renames are renames. Hazards go to stderr (and head the
script); the script goes to stdout or ``-o``. ``--unsafe`` writes the plain plan without PostgreSQL's
lock-avoiding steps (CONCURRENTLY, NOT VALID + VALIDATE, timeouts).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from dbstudio.cliutil import EXIT_OK, CliError, load_document, write_output

TARGETS = {"alembic": None, "postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


def cmd_diff(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from designs.compiler.migrate import diff
    from designs.compiler.migrate.alembic import revision_id, revision_script
    from designs.compiler.migrate.sql import sql_script

    old, new = load_document(args.old), load_document(args.new)
    plan = diff(old, new)
    for op, hazard in plan.hazards:
        alt = f" (safer: {hazard.safe_alternative})" if hazard.safe_alternative else ""
        stderr.write(f"hazard [{hazard.kind}] {op.describe()}: {hazard.message}{alt}\n")
    for note in plan.notes:
        stderr.write(f"note: {note}\n")
    if args.flyway:
        return _flyway(args, old, new, stdout)
    if args.to == "alembic":
        revision = revision_id(args.revision or new.name)
        down = revision_id(args.down_revision) if args.down_revision else None
        text = revision_script(plan, revision, down, args.message or f"{old.name} → {new.name}", safe=not args.unsafe)
    else:
        text = sql_script(plan, TARGETS[args.to] or "postgresql", safe=not args.unsafe)
    if not plan:
        stderr.write("no changes\n")
    write_output(text, args.output, stdout)
    return EXIT_OK


def _flyway(args: argparse.Namespace, old: Any, new: Any, stdout: TextIO) -> int:
    """Write V001__<old>.sql (OLD's full DDL) and V002__<new>.sql (the migration) into a directory."""
    from designs.compiler.migrate.sql import flyway_series

    if args.to == "alembic":
        raise CliError("--flyway writes SQL: use --to postgres, mysql or sqlite")
    folder = Path(args.flyway)
    folder.mkdir(parents=True, exist_ok=True)
    labels = (args.down_revision or old.name, args.revision or new.name)
    for name, text in flyway_series(
        list(zip(labels, (old, new), strict=True)), TARGETS[args.to] or "", not args.unsafe
    ).items():
        (folder / name).write_text(text, encoding="utf-8")
        stdout.write(f"{folder / name}\n")
    return EXIT_OK


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "diff",
        help="write the migration between two versions of a design (Alembic or SQL)",
        description="Compare two design documents by stable id and write the migration from OLD to NEW. "
        "Hazards (data loss, locks, ...) are printed to stderr and listed at the top of the output.",
    )
    parser.add_argument("old", metavar="OLD", help="the earlier design document (JSON), or - for stdin")
    parser.add_argument("new", metavar="NEW", help="the later design document (JSON)")
    parser.add_argument("--to", required=True, choices=list(TARGETS), help="an Alembic revision or SQL per dialect")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--unsafe", action="store_true", help="no CONCURRENTLY / NOT VALID / timeouts (PostgreSQL)")
    parser.add_argument("--revision", help="Alembic revision id (default: from NEW's name)")
    parser.add_argument("--down-revision", help="the revision this one follows (Alembic)")
    parser.add_argument("--message", help="the revision's message (Alembic)")
    parser.add_argument(
        "--flyway", metavar="DIR", help="write a numbered V001__/V002__ SQL series (OLD's DDL, then the migration)"
    )
    parser.set_defaults(func=cmd_diff)
