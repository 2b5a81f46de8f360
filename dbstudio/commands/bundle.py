"""``dbstudio bundle DESIGN [--previous DESIGN...] -o bundle.zip``: the compile bundle, offline.

The same zip a compile job makes from the same document (the ERD pictures only when a browser is
available and ``--erd`` is given; otherwise the bundle says they were not rendered).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from dbstudio.cliutil import EXIT_OK, CliError, load_document


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "bundle",
        help="compile a design into the downloadable bundle (zip)",
        description="Build the bundle: DDL per engine, models, data dictionary, index strategy, design document.",
    )
    parser.add_argument("design", metavar="DESIGN", help="a design document (JSON), or - for stdin")
    parser.add_argument(
        "--previous",
        nargs="*",
        default=[],
        metavar="DESIGN",
        help="earlier versions, oldest first, for the migrations/ Alembic chain",
    )
    parser.add_argument("--version", dest="version_label", default=None, help="version label of DESIGN (e.g. v1.2)")
    parser.add_argument(
        "--target",
        action="append",
        choices=["postgresql", "mysql", "sqlite"],
        help="schema dialects to include (repeatable); all by default",
    )
    parser.add_argument("--erd", action="store_true", help="render docs/erd.svg and .png with Chromium")
    parser.add_argument("-o", "--output", metavar="FILE", required=True, help="where to write the zip")
    parser.set_defaults(func=cmd_bundle)


def cmd_bundle(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from designs.compiler.bundle import DEFAULT_DIALECTS, BundleError, build_bundle, manifest, safe_name

    doc = load_document(args.design)
    previous = [(f"v{n}", load_document(path)) for n, path in enumerate(args.previous, start=1)]
    extras: dict[str, bytes] = {}
    notes: list[str] = []
    if args.erd:
        extras, notes = _render(doc)
    meta = {"version": args.version_label or f"v{len(previous) + 1}"}
    try:
        data = build_bundle(
            doc,
            name=safe_name(doc.name),
            meta=meta,
            previous=previous,
            extras=extras,
            notes=notes,
            dialects=args.target or DEFAULT_DIALECTS,
        )
    except BundleError as exc:
        raise CliError(str(exc)) from None
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        for warning in manifest(data)["warnings"]:
            stderr.write(f"warning: {warning}\n")
    return EXIT_OK


def _render(doc: Any) -> tuple[dict[str, bytes], list[str]]:
    """The ERD through Django's settings (for the Mermaid path); only when asked, since it needs Chromium."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")
    django.setup()
    from designs.compiler.export import export
    from designs.render import render_erd

    return render_erd(export(doc, "mermaid").text)
