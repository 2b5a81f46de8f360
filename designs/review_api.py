"""The review endpoints: a design's findings, one-click fixes, and review of an unsaved document.

The editor reviews the document on screen: ``POST /review`` with the live document 400 ms after each
edit, and ``POST /review/fix`` to get that document back with one finding fixed, which it applies as
an ordinary (undoable, saved) edit. ``POST /designs/{id}/review/fix`` fixes the stored document as a
new revision instead (for API clients; the editor would race it with its own unsaved edits).

Speed matters here: the editor promises findings within a second of an edit on a 300-table design.
The document endpoints therefore validate the document once (not once more after ``to_data``), run
with the cyclic garbage collector paused (validation and lint allocate tens of thousands of small
acyclic objects, and a full collection over a large heap was a third of the time), and write their
already plain JSON answer directly instead of re-validating ~2,000 findings against the schema.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from designs.api import ERRORS, ApiRequest, DocumentInvalid, checked_document
from designs.compiler.document import Document
from designs.compiler.review import NAMING_PRESETS, REGISTRY, apply_fix, counts, find, lint, rule_for
from designs.compiler.validate import Problem, validate
from designs.models import Role
from designs.permissions import design_for
from designs.schemas import ErrorOut

router = Router(tags=["review"])


class FindingOut(Schema):
    code: str
    rule: str
    severity: Literal["error", "warning", "info"]
    message: str
    object_id: str | None = Field(description="id of the table, column, index, ... to highlight; null for the design")
    path: str = Field(description="JSON path of the object in the document, e.g. tables[2].columns[0]")
    why: str
    fix: str | None = Field(description="what the automatic fix does; null when there is none")


class Counts(Schema):
    error: int
    warning: int
    info: int


class ReviewOut(Schema):
    revision: int | None
    counts: Counts
    findings: list[FindingOut]


class FixIn(Schema):
    code: str = Field(description="the rule code (DS102) or name (fk-without-index)")
    object_id: str | None = None


class ReviewDocumentIn(Schema):
    document: dict[str, Any]
    config: dict[str, Any] | None = Field(default=None, description="merged over settings.review for this run")


class FixDocumentIn(Schema):
    document: dict[str, Any] = Field(description="the document as the editor has it (unsaved edits included)")
    code: str = Field(description="the rule code (DS102) or name (fk-without-index)")
    object_id: str | None = Field(default=None, description="the finding's object_id (null for a design-wide one)")


class FixedOut(Schema):
    document: dict[str, Any] = Field(description="the whole document with the fix applied (validated)")
    code: str
    object_id: str | None
    fix: str = Field(description="what the fix did")


class RuleOut(Schema):
    code: str
    name: str
    severity: Literal["error", "warning", "info"]
    theme: str
    summary: str
    fixable: bool
    dialects: list[str] | None


class RulesOut(Schema):
    rules: list[RuleOut]
    naming_presets: dict[str, dict[str, Any]] = Field(description="preset name → the settings.naming it implies")


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _json(payload: dict[str, Any]) -> HttpResponse:
    """A 200 with ``payload`` as JSON; it is built from plain data already, so schema checks are skipped."""
    return HttpResponse(json.dumps(payload, separators=(",", ":")), content_type="application/json")


def _document(data: Any, prefix: str = "") -> Document:
    """The validated document, or a 422 listing every problem under ``prefix``."""
    doc, problems = validate(data)
    if doc is None:
        raise DocumentInvalid(problems, prefix)
    return doc


def review_out(doc: Document, revision: int | None, config: dict[str, Any] | None = None) -> dict[str, Any]:
    findings = lint(doc, config)
    return {"revision": revision, "counts": counts(findings), "findings": [f.to_json() for f in findings]}


def _stored(data: Any) -> Document:
    return Document.model_validate(checked_document(data))


@router.get("/designs/{design_id}/review", response={200: ReviewOut, **ERRORS})
def get_review(request: ApiRequest, design_id: int) -> Any:
    """Every finding on the design's current document, errors first."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    with _gc_paused():
        return _json(review_out(_document(design.document), design.revision_number))


@router.post("/designs/{design_id}/review/fix", response={200: ReviewOut, 409: ErrorOut, **ERRORS})
def fix_finding(request: ApiRequest, design_id: int, payload: FixIn) -> dict[str, Any]:
    """Apply one finding's automatic fix as a new revision; answers with the review of that revision."""
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    doc = _stored(design.document)
    finding = find(lint(doc), payload.code, payload.object_id)
    if finding is None:
        raise HttpError(404, f"No finding {payload.code} on {payload.object_id} (it may be fixed already)")
    if finding.fix is None:
        raise HttpError(409, f"{finding.code} on {payload.object_id} has no automatic fix")
    data = checked_document(apply_fix(doc, finding))
    message = f"Fix {finding.code} ({finding.rule}) on {payload.object_id}: {finding.fix.title}"[:200]
    revision = design.save_document(data, author=request.auth, message=message)
    return review_out(Document.model_validate(data), revision.number)


@router.post("/review", response={200: ReviewOut, **ERRORS})
def review_document(request: ApiRequest, payload: ReviewDocumentIn) -> Any:
    """Review a document that is not saved yet (the editor's live copy); nothing is stored.

    The answer's ``Server-Timing`` header says how long the review took (``review``) and how much of
    that was this thread's CPU time (``cpu``); the difference is time spent waiting for a CPU.
    """
    wall, cpu = time.perf_counter(), time.thread_time()
    with _gc_paused():
        response = _json(review_out(_document(payload.document, "document"), None, payload.config))
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000
    response["Server-Timing"] = f"review;dur={wall:.1f}, cpu;dur={cpu:.1f}"
    return response


@router.post("/review/fix", response={200: FixedOut, **ERRORS})
def fix_document(request: ApiRequest, payload: FixDocumentIn) -> Any:
    """The posted document with one finding's automatic fix applied; nothing is stored.

    The editor applies the answer as an ordinary edit (undoable, then saved with the rest). A rule
    that does not exist, a finding that is not in this document (fixed already, suppressed, turned
    off) or one without an automatic fix is a 422 naming the field at fault.
    """
    if rule_for(payload.code) is None:
        raise DocumentInvalid([Problem("code", f"no review rule {payload.code!r}")])
    with _gc_paused():
        doc = _document(payload.document, "document")
        finding = find(lint(doc), payload.code, payload.object_id)
        if finding is None:
            where = f"on {payload.object_id}" if payload.object_id else "on the design"
            problem = f"no {payload.code} finding {where} in this document (it may be fixed already)"
            raise DocumentInvalid([Problem("object_id", problem)])
        if finding.fix is None:
            raise DocumentInvalid([Problem("code", f"{finding.code} ({finding.rule}) has no automatic fix")])
        fixed = _document(apply_fix(doc, finding), "document").to_data()
        return _json(
            {"document": fixed, "code": finding.code, "object_id": finding.object_id, "fix": finding.fix.title}
        )


@router.get("/review/rules", response={200: RulesOut, **ERRORS})
def list_rules(request: ApiRequest) -> dict[str, Any]:
    """Every rule (code, name, default severity, theme, one-line summary) and the naming presets."""
    rules = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity,
            "theme": r.theme,
            "summary": r.summary,
            "fixable": r.fixable,
            "dialects": sorted(r.dialects) if r.dialects else None,
        }
        for r in sorted(REGISTRY.values(), key=lambda r: r.code)
    ]
    return {"rules": rules, "naming_presets": NAMING_PRESETS}
