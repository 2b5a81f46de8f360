"""The downloadable bundle: one deterministic zip with everything the compiler makes from a design.

    from designs.compiler.bundle import build_bundle, manifest
    data = build_bundle(doc, name="shop", meta={"revision": 7, "version": "v1.2", "last_updated": "2024-05-01"})
    manifest(data)["files"]   # path -> {"sha256", "size"}

Same document, meta, previous versions and extras → the same bytes: entries are sorted, every
timestamp is 1980-01-01, permissions and the creating system are fixed and nothing reads the clock.
Paths are relative, inside one top folder named after the design. The worker adds what needs a
browser (the ERD as SVG/PNG) through ``extras``; when it is missing, the bundle says so in its
warnings rather than failing.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from .document import Document
from .export import export
from .review.index_strategy import recommend_indexes
from .text.design_doc import design_markdown, index_strategy_markdown
from .text.dictionary import dictionary_html, dictionary_markdown
from .text.django_models import print_django
from .text.sqlalchemy_models import print_sqlalchemy

MAX_BUNDLE_BYTES = 64 * 1024 * 1024
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MANIFEST = "manifest.json"

SCHEMAS = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
DEFAULT_DIALECTS: tuple[str, ...] = tuple(SCHEMAS)
ERD_FILES = ("docs/erd.svg", "docs/erd.png")


class BundleError(ValueError):
    """The bundle cannot be built as asked (too large, a bad path)."""


def safe_name(name: str) -> str:
    """A folder name from a design name: lowercase letters, digits, ``-`` and ``_`` only."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    return slug[:60] or "design"


def _check_path(path: str) -> None:
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        raise BundleError(f"not a safe relative path in a bundle: {path!r}")


Previous = Document | tuple[str, Document]


def _versions(previous: Sequence[Previous], doc: Document, meta: Mapping[str, Any]) -> list[tuple[str, Document]]:
    out: list[tuple[str, Document]] = []
    for n, item in enumerate(previous, start=1):
        out.append(item if isinstance(item, tuple) else (f"v{n}", item))
    out.append((str(meta.get("version") or f"v{len(out) + 1}"), doc))
    return out


def _migrations(versions: list[tuple[str, Document]]) -> tuple[dict[str, str], list[str]]:
    """The Alembic project under ``migrations/`` when the migrations compiler is installed."""
    try:
        from .migrate.alembic import alembic_project
    except ImportError:  # the migrations issue has not landed in this build
        return {}, ["migrations/ is not included: this build has no migrations compiler"]
    try:
        # The revisions are written for the design's target engine (PostgreSQL unless it names another).
        target = versions[-1][1].settings.target if versions else "postgresql"
        files = alembic_project(versions, target if target in ("mysql", "sqlite") else "postgresql")
    except Exception as exc:  # a bundle without migrations beats no bundle; the warning says why
        return {}, [f"migrations/ could not be generated: {type(exc).__name__}: {exc}"]
    return {f"migrations/{path}": text for path, text in files.items()}, []


def bundle_files(
    doc: Document,
    *,
    meta: Mapping[str, Any] | None = None,
    previous: Sequence[Previous] = (),
    extras: Mapping[str, bytes] | None = None,
    notes: Sequence[str] = (),
    dialects: Sequence[str] = DEFAULT_DIALECTS,
) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the bundle (relative path → bytes) and the bundle-level warnings.

    ``dialects`` picks which ``schema/`` scripts to include (some of ``DEFAULT_DIALECTS``).
    """
    unknown = [d for d in dialects if d not in SCHEMAS]
    if unknown or not dialects:
        raise BundleError(f"unknown or no targets {unknown}; choose from {', '.join(SCHEMAS)}")
    meta = dict(meta or {})
    files: dict[str, bytes] = {}
    warnings: list[str] = list(notes)

    def put(path: str, text: str) -> None:
        files[path] = text.encode("utf-8")

    put("design.json", export(doc, "json").text)
    put("design.mmd", export(doc, "mermaid").text)
    put("design.dbml", export(doc, "dbml").text)
    for dialect, fmt in SCHEMAS.items():
        if dialect not in dialects:
            continue
        out = export(doc, fmt)
        put(f"schema/{dialect}.sql", out.text)
        put(f"schema/{dialect}.warnings.txt", "".join(f"{w}\n" for w in out.warnings) or "No warnings.\n")
    for printer, path in ((print_sqlalchemy, "models/sqlalchemy_models.py"), (print_django, "models/django_models.py")):
        printed = printer(doc)
        put(path, printed.text)
        warnings += _grouped(path, [(w.object_id, w.message) for w in printed.warnings])
    put("docs/data_dictionary.md", dictionary_markdown(doc))
    put("docs/data_dictionary.html", dictionary_html(doc))
    put("docs/index_strategy.md", index_strategy_markdown(doc))
    put(
        "docs/index_recommendations.json",
        json.dumps([r.to_json() for r in recommend_indexes(doc)], indent=2, sort_keys=True) + "\n",
    )
    put("docs/design.md", design_markdown(doc, meta))
    for path, data in (extras or {}).items():
        files[path] = data
    if not all(p in files for p in ERD_FILES):
        warnings.append(
            "docs/erd.svg and docs/erd.png were not rendered (this bundle was built without a browser); "
            "design.mmd renders anywhere Mermaid does"
        )
    migrations, notes_m = _migrations(_versions(previous, doc, meta))
    warnings += notes_m
    files.update({p: t.encode("utf-8") for p, t in migrations.items()})
    put("README.md", _readme(doc, meta, sorted(files), warnings, bool(migrations)))
    for path in files:
        _check_path(path)
    return files, warnings


def _grouped(path: str, warnings: list[tuple[str, str]]) -> list[str]:
    """One line per message, naming every object it is about, in the order first seen.

    Most model-export warnings are about the ORM, not the object ("Django names the primary key
    itself", once per table): listed per object, they buried the few that need a look.
    """
    objects: dict[str, list[str]] = {}
    for object_id, message in warnings:
        objects.setdefault(message, []).append(object_id)
    return [
        f"{path}: {ids[0]}: {message}" if len(ids) == 1 else f"{path}: {message} ({len(ids)}: {', '.join(ids)})"
        for message, ids in objects.items()
    ]


def _readme(doc: Document, meta: Mapping[str, Any], paths: list[str], warnings: list[str], migrations: bool) -> str:
    version = meta.get("version") or f"revision {meta.get('revision', '?')}"
    lines = [
        f"# {doc.name} ({version})",
        "",
        doc.description or "",
        "",
        "Compiled by DB Studio from one frozen revision of the design; the same revision always gives",
        "this same archive, byte for byte.",
        "",
        "## How to apply",
        "",
        "```sh",
        "psql -v ON_ERROR_STOP=1 -d mydb -f schema/postgresql.sql      # PostgreSQL",
        "mysql mydb < schema/mysql.sql                                  # MySQL / MariaDB",
        "sqlite3 my.db < schema/sqlite.sql                              # SQLite",
        "```",
        "",
    ]
    if migrations:
        lines += [
            "Or, to move an existing database from version to version, use the Alembic project:",
            "",
            "```sh",
            "cd migrations && DATABASE_URL=postgresql://... alembic upgrade head",
            "```",
            "",
        ]
    lines += [
        "Read `schema/<engine>.warnings.txt` first: it lists what that engine cannot express and what was",
        "done instead.",
        "",
        "## What is inside",
        "",
    ]
    described = {
        "README.md": "this file",
        "manifest.json": "every file with its SHA-256, and the warnings",
        "design.json": "the design document (the source of everything here)",
        "design.mmd": "the design as a Mermaid erDiagram (renders on GitHub, in docs, anywhere Mermaid runs)",
        "design.dbml": "the design in DBML (dbdiagram.io)",
        "models/sqlalchemy_models.py": "SQLAlchemy 2.0 declarative models",
        "models/django_models.py": "Django models",
        "docs/erd.svg": "the entity-relationship diagram (vector)",
        "docs/erd.png": "the entity-relationship diagram (image)",
        "docs/data_dictionary.md": "every table and column with types, defaults, descriptions, tags, sample rows",
        "docs/data_dictionary.html": "the same, as a web page",
        "docs/index_strategy.md": "every index, existing and recommended, with the reason for it",
        "docs/index_recommendations.json": "the recommended indexes, machine-readable",
        "docs/design.md": "the design document: inventory, query patterns, pooling, backups, security, monitoring",
    }
    for path in [*paths, MANIFEST]:
        if path.startswith("migrations/") and path != "migrations/alembic.ini":
            continue
        what = described.get(path)
        if what is None and path.startswith("schema/"):
            what = "DDL" if path.endswith(".sql") else "what the DDL could not express"
        if path == "migrations/alembic.ini":
            path, what = "migrations/", "an Alembic project, one revision per version"
        lines.append(f"- `{path}`: {what or 'generated file'}")
    lines += ["", "## Warnings", ""]
    lines += [f"- {w}" for w in warnings] or ["None."]
    return "\n".join(lines).rstrip() + "\n"


def build_bundle(
    doc: Document,
    *,
    name: str,
    meta: Mapping[str, Any] | None = None,
    previous: Sequence[Previous] = (),
    extras: Mapping[str, bytes] | None = None,
    notes: Sequence[str] = (),
    max_bytes: int = MAX_BUNDLE_BYTES,
    dialects: Sequence[str] = DEFAULT_DIALECTS,
) -> bytes:
    """The bundle zip for ``doc``; ``name`` becomes the top folder. Raises BundleError if over ``max_bytes``."""
    files, warnings = bundle_files(doc, meta=meta, previous=previous, extras=extras, notes=notes, dialects=dialects)
    listing = {p: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for p, d in sorted(files.items())}
    files[MANIFEST] = (
        json.dumps(
            {"design": doc.name, "meta": dict(meta or {}), "files": listing, "warnings": warnings},
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        + "\n"
    ).encode("utf-8")
    total = sum(len(d) for d in files.values())
    if total > max_bytes:
        raise BundleError(f"the bundle would hold {total} bytes, more than the limit of {max_bytes}")
    top = safe_name(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{path}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode bits below mean the same everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path], compresslevel=9)
    data = buffer.getvalue()
    if len(data) > max_bytes:
        raise BundleError(f"the bundle is {len(data)} bytes, more than the limit of {max_bytes}")
    return data


def manifest(data: bytes) -> dict[str, Any]:
    """The manifest of a built bundle: design name, meta, files (sha256, size) and warnings."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entry = next(n for n in archive.namelist() if n.split("/", 1)[-1] == MANIFEST)
        result: dict[str, Any] = json.loads(archive.read(entry))
        return result


def read_bundle(data: bytes) -> dict[str, bytes]:
    """Every file of a bundle, by its path inside the top folder."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
