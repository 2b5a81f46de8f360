"""Text conversions for the editor: parse Mermaid/DBML into a document, print a document as text.

These need a logged-in user but no design: the editor sends the text it holds, and nothing is stored.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from designs.api import ERRORS, ApiRequest, ExportFormat, checked_document
from designs.compiler.document import Document
from designs.compiler.export import export
from designs.compiler.parse.errors import ParseError

router = Router(tags=["text"])

ParseFormat = Literal["mermaid", "dbml"]


class ParseIn(Schema):
    format: ParseFormat = "mermaid"
    text: str = Field(description="the text to parse")
    base: dict[str, Any] | None = Field(
        default=None,
        description="Mermaid only: the design the text was printed from without details; what the text "
        "does not state (ids, defaults, indexes, ...) is taken from it",
    )


class ParseOut(Schema):
    document: dict[str, Any]
    warnings: list[str]


class PrintIn(Schema):
    format: ExportFormat = "mermaid"
    document: dict[str, Any]
    details: bool = Field(
        default=True,
        description="Mermaid only: false leaves out the %% @dbstudio lines (plain Mermaid; read it back with "
        "the document as the parse's base)",
    )
    canonical: bool = Field(default=False, description="also return the document in its stored form")


class PrintOut(Schema):
    text: str
    warnings: list[str]
    document: dict[str, Any] | None = Field(
        default=None, description="with canonical: the document as stored (defaults left out), as a parse returns it"
    )


class TextProblem(Schema):
    path: str
    message: str
    line: int
    column: int
    hint: str | None = None


class TextProblemsOut(Schema):
    detail: list[TextProblem]


def parse_text(fmt: str, text: str, base: Document | None = None) -> Any:
    if fmt == "mermaid" and base is not None:
        from designs.compiler.text.mermaid_plain import parse_against

        return parse_against(text, base)
    if fmt == "mermaid":
        from designs.compiler.parse.mermaid import parse_mermaid

        return parse_mermaid(text)
    from designs.compiler.parse.dbml import parse_dbml  # type: ignore[import-not-found,unused-ignore]

    return parse_dbml(text)


@router.post("/text/parse", response={**ERRORS, 200: ParseOut, 422: TextProblemsOut})
def parse(request: ApiRequest, payload: ParseIn) -> Any:
    """Parse Mermaid ``erDiagram`` or DBML text. A syntax error is a 422 with its line and column."""
    if len(payload.text.encode()) > settings.DBSTUDIO_MAX_DOCUMENT_BYTES:
        raise HttpError(413, f"The text is larger than {settings.DBSTUDIO_MAX_DOCUMENT_BYTES} bytes")
    base = None
    if payload.base is not None:
        base = Document.model_validate(checked_document(payload.base, prefix="base"))
    try:
        result = parse_text(payload.format, payload.text, base)
    except ParseError as exc:
        return Status(422, {"detail": [{"path": "text", **exc.to_data(), "message": str(exc)}]})
    return {"document": result.document.to_data(), "warnings": list(result.warnings)}


@router.post("/text/print", response={200: PrintOut, **ERRORS})
def print_text(request: ApiRequest, payload: PrintIn) -> dict[str, Any]:
    """Print a (valid) document in any export format, e.g. the Mermaid text panel's content."""
    doc = Document.model_validate(checked_document(payload.document, prefix="document"))
    canonical = {"document": doc.to_data()} if payload.canonical else {}
    if payload.format == "mermaid" and not payload.details:
        from designs.compiler.text.mermaid_plain import print_plain

        return {"text": print_plain(doc), "warnings": [], **canonical}
    out = export(doc, payload.format)
    return {"text": out.text, "warnings": out.warnings, **canonical}
