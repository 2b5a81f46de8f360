"""``dbstudio import`` and ``dbstudio introspect``: schemas people already have become designs."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from dbstudio.cliutil import EXIT_OK, CliError, write_output

FROM = ("postgres", "mysql", "sqlite", "mermaid", "dbml", "json")


def cmd_import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Import FILE (SQL, Mermaid, DBML or JSON) as a design document; warnings go to stderr."""
    import sys

    from designs.compiler.importing import import_bytes
    from designs.compiler.parse.errors import ParseError

    if args.file == "-":
        raw = sys.stdin.buffer.read(args.max_bytes + 1)
    else:
        try:
            with open(args.file, "rb") as handle:
                raw = handle.read(args.max_bytes + 1)
        except OSError as exc:
            raise CliError(f"{args.file}: {exc.strerror}") from None
    exact = None
    if args.exact:
        exact = os.environ.get("DBSTUDIO_EXACT_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL") or (
            "postgresql://postgres@127.0.0.1:5432/postgres"
        )
    try:
        result = import_bytes(raw, args.source, exact, args.name, args.max_bytes)
    except ParseError as exc:
        raise CliError(f"{args.file}: {exc}") from None
    return _write(result.document, result.warnings, args.file, args.output, stdout, stderr)


def cmd_introspect(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Read a live database's schema (PostgreSQL, MariaDB/MySQL, SQLite) into a design document."""
    from designs.compiler.layout import arrange
    from designs.compiler.parse.introspect import IntrospectError, introspect

    try:
        doc, warnings = introspect(args.url, schema=args.schema)
    except IntrospectError as exc:
        raise CliError(str(exc)) from None
    return _write(arrange(doc), warnings, "the database", args.output, stdout, stderr)


def _write(doc: Any, warnings: list[str], source: str, output: str | None, stdout: TextIO, stderr: TextIO) -> int:
    """Print the warnings and write the design; one the compiler would refuse is not written (exit 1).

    The API answers such an import with 422; here it would leave a file that ``lint`` and ``bundle``
    refuse, over whatever ``-o`` held before.
    """
    from designs.compiler.validate import validate

    for warning in warnings:
        if not warning.startswith("design problem: "):
            stderr.write(f"warning: {warning}\n")
    _, problems = validate(doc.to_data())
    if problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise CliError(f"{source}: the design read from it is not valid, so nothing was written:\n{listed}")
    write_output(json.dumps(doc.to_data(), indent=2, ensure_ascii=False) + "\n", output, stdout)
    return EXIT_OK


def register(sub: Any) -> None:
    imp = sub.add_parser(
        "import",
        help="turn SQL DDL, Mermaid, DBML or JSON into a design document",
        description="Import a schema as a design document (JSON). What cannot be modelled is listed on stderr.",
    )
    imp.add_argument("file", metavar="FILE", help="the schema file, or - for stdin")
    imp.add_argument("--from", dest="source", choices=FROM, help="the input format (detected when omitted)")
    imp.add_argument("--exact", action="store_true",
                     help="PostgreSQL: run the DDL in a throwaway database and read the catalog back "
                          "(server from DBSTUDIO_EXACT_POSTGRES_URL)")
    imp.add_argument("--name", help="the design's name")
    imp.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024, help="refuse larger input (default 20 MiB)")
    imp.add_argument("-o", "--output", metavar="DESIGN", help="write the design here instead of stdout")
    imp.set_defaults(func=cmd_import)

    intro = sub.add_parser(
        "introspect",
        help="read a live database's schema into a design document",
        description="Introspect DATABASE_URL (postgresql://, mysql://, sqlite:///) into a design document.",
    )
    intro.add_argument("url", metavar="DATABASE_URL")
    intro.add_argument("--schema", help="PostgreSQL schema to read (default: every non-system schema)")
    intro.add_argument("-o", "--output", metavar="DESIGN", help="write the design here instead of stdout")
    intro.set_defaults(func=cmd_introspect)
