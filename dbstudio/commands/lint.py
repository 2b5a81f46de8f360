"""``dbstudio lint DESIGN [--format text|json|sarif]``: the design review; exit 1 when any finding is an error."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from dbstudio.cliutil import EXIT_INVALID, EXIT_OK, load_document, write_output


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "lint",
        help="review a design like a database architect; exit 1 on errors",
        description="Lint a design document. Exit status 1 when a finding is an error (warnings do not fail).",
    )
    parser.add_argument("design", metavar="DESIGN", help="a design document (JSON), or - for stdin")
    parser.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    parser.add_argument("--disable", action="append", default=[], metavar="RULE", help="turn a rule off (code or name)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(func=cmd_lint)


def cmd_lint(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from designs.compiler.review import counts, lint
    from designs.compiler.review.sarif import to_sarif

    doc = load_document(args.design)
    config = None
    if args.disable:
        rules = dict(doc.settings.review.get("rules") or {})
        rules.update({key: "off" for key in args.disable})
        config = {"rules": rules}
    findings = lint(doc, config)
    tally = counts(findings)
    if args.format == "json":
        text = json.dumps({"findings": [f.to_json() for f in findings], "counts": tally}, indent=2) + "\n"
    elif args.format == "sarif":
        artifact = None if args.design == "-" else args.design
        text = json.dumps(to_sarif(findings, artifact), indent=2) + "\n"
    else:
        lines = [
            f"{args.design}: {f.code} {f.severity} {f.path or '(design)'}: {f.message}"
            + (f"  [fix: {f.fix.title}]" if f.fix else "")
            for f in findings
        ]
        lines.append(f"{tally['error']} errors, {tally['warning']} warnings, {tally['info']} notes")
        text = "\n".join(lines) + "\n"
    write_output(text, args.output, stdout)
    return EXIT_INVALID if tally["error"] else EXIT_OK
