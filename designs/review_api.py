"""The review endpoints: a design's findings, one-click fixes, and review of an unsaved document.

The editor calls ``GET /designs/{id}/review`` after each save (lint takes a few milliseconds on a
300-table design) and ``POST /review`` with the live document while someone is typing.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from designs.api import ERRORS, ApiRequest, checked_document
from designs.compiler.document import Document
from designs.compiler.review import apply_fix, counts, find, lint
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


def review_out(doc: Document, revision: int | None, config: dict[str, Any] | None = None) -> dict[str, Any]:
    findings = lint(doc, config)
    return {"revision": revision, "counts": counts(findings), "findings": [f.to_json() for f in findings]}


def _stored(data: Any) -> Document:
    return Document.model_validate(checked_document(data))


@router.get("/designs/{design_id}/review", response={200: ReviewOut, **ERRORS})
def get_review(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """Every finding on the design's current document, errors first."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return review_out(_stored(design.document), design.revision_number)


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
def review_document(request: ApiRequest, payload: ReviewDocumentIn) -> dict[str, Any]:
    """Review a document that is not saved yet (the editor's live copy); nothing is stored."""
    doc = Document.model_validate(checked_document(payload.document, prefix="document"))
    return review_out(doc, None, payload.config)
