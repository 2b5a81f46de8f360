"""Design review: the lint a database architect would run, each finding with a why and often a fix.

    from designs.compiler.review import lint, apply_fix
    findings = lint(doc)                       # list[Finding], errors first
    new_data = apply_fix(doc, findings[0])     # plain document data; validate it before saving

Rules live in ``rules/`` grouped by theme (keys, indexes, types, naming, conventions, security,
modelling, dialects); each is one small function registered with a stable code. Configuration comes
from ``doc.settings.review`` (see ``framework.Config``) and may be overridden by ``config``.
"""

from __future__ import annotations

import copy
import gc
from typing import Any

from ..document import Document
from . import rules  # noqa: F401  (importing registers every rule)
from .framework import (
    NAMING_PRESETS,
    REGISTRY,
    SEVERITY_RANK,
    Config,
    Context,
    Finding,
    Fix,
    Rule,
    apply_naming_preset,
    rule_for,
)

__all__ = [
    "NAMING_PRESETS",
    "REGISTRY",
    "Finding",
    "Fix",
    "Rule",
    "apply_fix",
    "apply_naming_preset",
    "counts",
    "find",
    "lint",
    "rule_for",
]


def lint(doc: Document, config: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding on a valid document, errors first, then in document order within a severity.

    ``config`` is merged over ``doc.settings.review`` (its keys win), so a caller can, for example,
    turn a rule off for one run without editing the design.
    """
    # Lint allocates many small, acyclic objects; with a large document alive, the cyclic collector
    # would rescan it again and again (it was most of the time on a 300-table design).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(doc, config)
    finally:
        if enabled:
            gc.enable()


def _lint(doc: Document, config: dict[str, Any] | None) -> list[Finding]:
    raw = {**doc.settings.review, **(config or {})}
    cfg = Config(raw)
    ctx = Context(doc, cfg)
    findings: list[Finding] = []
    for code in sorted(REGISTRY):
        spec = REGISTRY[code]
        level = cfg.levels.get(code, spec.severity)
        if level == "off" or (spec.dialects is not None and ctx.target not in spec.dialects):
            continue
        suppressing = bool(cfg.suppressions)
        paths = ctx.paths
        for hit in spec.check(ctx):
            if suppressing and cfg.suppressed(code, _scope(ctx, hit.object_id)):
                continue
            path = paths.get(hit.object_id, "") if hit.object_id else ""
            findings.append(Finding(code, spec.name, level, hit.message, hit.object_id, path, spec.why, hit.fix))  # type: ignore[arg-type]
    order = {oid: i for i, oid in enumerate(ctx.paths)}
    findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], order.get(f.object_id or "", -1), f.code))
    return findings


def _scope(ctx: Context, object_id: str | None) -> list[str | None]:
    """The object and its table: suppressing a rule on a table covers its columns, indexes, constraints
    and its foreign keys (relationships it is the referencing side of)."""
    if object_id is None:
        return []
    owner = ctx.owner.get(object_id)
    if owner is not None:
        return [object_id, owner.id]
    return [object_id, ctx.relationship_tables.get(object_id)]


def find(findings: list[Finding], code: str, object_id: str | None) -> Finding | None:
    """The finding with this rule code (or name) and object id, if any."""
    spec = rule_for(code)
    wanted = spec.code if spec else code
    return next((f for f in findings if f.code == wanted and f.object_id == object_id), None)


def apply_fix(doc: Document, finding: Finding) -> dict[str, Any]:
    """New plain document data with the finding's fix applied (the input is left untouched)."""
    if finding.fix is None:
        raise ValueError(f"{finding.code} on {finding.object_id} has no automatic fix")
    data = copy.deepcopy(doc.to_data())
    finding.fix.edit(data)
    return data


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] += 1
    return out
