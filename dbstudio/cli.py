"""The ``dbstudio`` command line.

Compiler commands (``validate`` and, as their issues land, ``import``, ``export``, ``diff``, ``lint``,
``bundle``) are pure: they read a file (``-`` for stdin), write stdout unless ``-o``, and need no
database. ``serve`` runs the web app on the embedded default unless DATABASE_URL/REDIS_URL say otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from dbstudio.cliutil import EXIT_INVALID, EXIT_OK, CliError, load_document, load_json, read_input, write_output


def cmd_validate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from designs.compiler.validate import validate

    data = load_json(read_input(args.file), args.file)
    doc, problems = validate(data)
    if doc is None:
        for problem in problems:
            stderr.write(f"{args.file}: {problem}\n")
        stderr.write(f"{len(problems)} error{'s' if len(problems) != 1 else ''}\n")
        return EXIT_INVALID
    stdout.write(f"{args.file}: valid ({len(doc.tables)} tables, {len(doc.relationships)} relationships)\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from designs.compiler.export import export

    out = export(load_document(args.design), args.to)
    for warning in out.warnings:
        stderr.write(f"warning: {warning}\n")
    write_output(out.text, args.output, stdout)
    return EXIT_OK


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def serving_warnings(host: str, debug: bool, allowed_hosts: Sequence[str]) -> list[str]:
    """What a person starting the app on ``host`` should know before others try to reach it."""
    if host in LOOPBACK or host.startswith("127."):
        return []
    warnings = []
    if debug:
        warnings.append(
            f"DEBUG is on and the app listens on {host}: error pages show tracebacks and settings to anyone "
            "who reaches it. For a shared server set DEBUG=false, SECRET_KEY and ALLOWED_HOSTS."
        )
    if all(h in LOOPBACK or h == "testserver" for h in allowed_hosts):
        warnings.append(
            "ALLOWED_HOSTS names only this machine's loopback addresses, so requests from other machines "
            "get 400 Bad Request: set ALLOWED_HOSTS to the names people use to reach this server."
        )
    return warnings


def cmd_serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    import uvicorn

    mode = "PostgreSQL" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "SQLite"
    stdout.write(
        f"DB Studio on http://{args.host}:{args.port}/  ({mode}, data in {settings.DATA_DIR};"
        f" {'Redis' if settings.REDIS_URL else 'embedded'} channels and tasks)\n"
    )
    stdout.flush()
    for warning in serving_warnings(args.host, settings.DEBUG, settings.ALLOWED_HOSTS):
        stderr.write(f"warning: {warning}\n")
    uvicorn.run(
        "dbstudio.asgi:application",
        host=args.host,
        port=args.port,
        log_level="info" if args.verbose else "warning",
        reload=False,
    )
    return EXIT_OK


def cmd_manage(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dbstudio manage", *args.rest])
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dbstudio", description="DB Studio: design databases together.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run migrations, then the web app (ASGI)", description=cmd_serve.__doc__)
    serve.add_argument("--host", default=os.environ.get("DBSTUDIO_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("DBSTUDIO_PORT", "8000")))
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    serve.set_defaults(func=cmd_serve)

    validate = sub.add_parser(
        "validate",
        help="check a design document; exit 1 with every error and its path",
        description="Validate a design document (JSON). Prints every error with its JSON path.",
    )
    validate.add_argument("file", metavar="FILE", help="a design document, or - for stdin")
    validate.set_defaults(func=cmd_validate)

    from designs.compiler.export import FORMATS

    export = sub.add_parser(
        "export",
        help="compile a design to DDL, Mermaid, DBML or model code",
        description="Export a design document. Warnings (what the target cannot express) go to stderr.",
    )
    export.add_argument("design", metavar="DESIGN", help="a design document (JSON), or - for stdin")
    export.add_argument("--to", required=True, choices=list(FORMATS), help="the output format")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=cmd_export)

    for module in command_modules():
        module.register(sub)

    manage = sub.add_parser("manage", help="run a Django management command (createsuperuser, ...)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def command_modules() -> list[Any]:
    """Each module in ``dbstudio/commands/`` adds its subcommands through ``register(subparsers)``."""
    import dbstudio.commands as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"dbstudio.commands.{name}") for name in names]


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, stdout, stderr))
    except CliError as exc:
        stderr.write(f"dbstudio {args.command}: {exc}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
