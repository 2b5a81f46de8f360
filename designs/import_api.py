"""The import endpoints: a schema file, pasted text or a live database becomes a new design.

    POST /api/designs/import      multipart (file, name, format?) or JSON {name, format?, text}
    POST /api/designs/introspect  JSON {name, url, schema?}

Both answer 201 with the new design, or 422 with ``{"detail": {message, line, column, hint}}``.
The connection URL is used once for reading and is never stored, logged or echoed back.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from designs.api import ApiRequest, checked_document, design_out
from designs.compiler.importing import MAX_BYTES, import_bytes, summarize_warnings
from designs.compiler.parse.errors import ParseError
from designs.models import Design, Role

router = Router(tags=["import"])


class IntrospectIn(Schema):
    name: str
    url: str
    schema_: str | None = None


def _error(exc: ParseError) -> Status[dict[str, Any]]:
    return Status(422, {"detail": exc.to_data()})


@router.post("/designs/import", response={201: dict, 422: dict})
def import_design(request: ApiRequest) -> Status[dict[str, Any]]:
    """Create a design from an uploaded or pasted schema (SQL, Mermaid, DBML or JSON)."""
    limit = int(getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES))
    upload = request.FILES.get("file")
    if isinstance(upload, UploadedFile):
        if upload.size and upload.size > limit:
            return _error(ParseError(f"the file is over the {limit:,}-byte limit", 1, 1))
        raw = upload.read(limit + 1)
        name = request.POST.get("name") or (upload.name or "Imported design").rsplit(".", 1)[0]
        fmt = request.POST.get("format") or None
        exact = request.POST.get("exact") == "true"
    else:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, "expected JSON {name, format?, text} or a multipart upload") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise HttpError(400, "expected JSON {name, format?, text} or a multipart upload")
        raw = body["text"].encode("utf-8", "surrogatepass")
        name = str(body.get("name") or "Imported design")
        fmt = body.get("format") or None
        exact = bool(body.get("exact"))
    exact_url = getattr(settings, "IMPORT_EXACT_POSTGRES_URL", None) if exact else None
    try:
        result = import_bytes(raw, fmt, exact_url, name, limit)
    except ParseError as exc:
        return _error(exc)
    design = Design.create(owner=request.auth, name=name[:200], document=checked_document(result.document.to_data()))
    summary = summarize_warnings(result.warnings)
    tables = len(design.document["tables"])
    extra = {"warnings": result.warnings, "summary": summary, "format": result.format, "tables": tables}
    return Status(201, design_out(design, Role.OWNER) | extra)


@router.post("/designs/introspect", response={201: dict, 422: dict})
def introspect_design(request: ApiRequest, payload: IntrospectIn) -> Status[dict[str, Any]]:
    """Create a design from a live database; the URL is not kept anywhere."""
    from designs.compiler.layout import arrange
    from designs.compiler.parse.introspect import IntrospectError, introspect
    from designs.import_views import check_introspect_url

    try:
        check_introspect_url(payload.url)
        doc, warnings = introspect(payload.url, schema=payload.schema_)
    except IntrospectError as exc:
        return Status(422, {"detail": {"message": str(exc), "line": None, "column": None, "hint": None}})
    doc = arrange(doc).model_copy(update={"name": payload.name[:200]})
    design = Design.create(owner=request.auth, name=payload.name[:200], document=checked_document(doc.to_data()))
    return Status(
        201,
        design_out(design, Role.OWNER)
        | {"warnings": warnings, "summary": summarize_warnings(warnings), "tables": len(design.document["tables"])},
    )
