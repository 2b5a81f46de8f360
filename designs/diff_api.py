"""The diff endpoint: the migration between two versions of a design, with its hazards.

    GET /api/designs/{id}/diff?from=v1&to=v2&to_format=alembic|postgres|mysql|sqlite|plan

``from`` and ``to`` are version labels or revision numbers (``current`` is the live document, the
default for ``to``). Viewers may read it. Besides the script, the answer lists the operations with
their hazards and marks every added, removed, renamed or changed object by id for the canvas.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from designs.api import ERRORS, ApiRequest
from designs.compiler.document import Document
from designs.models import Design, Role
from designs.permissions import design_for

router = Router(tags=["diff"])

DiffFormat = Literal["alembic", "postgres", "mysql", "sqlite", "plan"]
DIALECT = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


class DiffQuery(Schema):
    from_: str = Field(alias="from", description="a version label or revision number")
    to: str = Field(default="current", description="a version label, revision number, or current")
    to_format: DiffFormat = "alembic"
    safe: bool = Field(default=True, description="PostgreSQL: avoid locks (CONCURRENTLY, NOT VALID, timeouts)")


class EndOut(Schema):
    ref: str
    label: str | None
    revision: int


class HazardOut(Schema):
    kind: str
    message: str
    safe_alternative: str | None


class OperationOut(Schema):
    kind: str
    description: str
    object: str | None
    hazards: list[HazardOut]


class DiffOut(Schema):
    from_: EndOut = Field(alias="from")
    to: EndOut
    to_format: str
    filename: str | None
    text: str
    operations: list[OperationOut]
    changes: dict[str, str] = Field(description="object id → added, removed, renamed or changed")
    notes: list[str]


def resolve(design: Design, ref: str) -> tuple[dict[str, Any], str | None, int]:
    """A version label, a revision number or ``current`` → (document, label, revision number)."""
    if ref == "current":
        return design.document, None, design.revision_number
    version = design.versions.select_related("revision").filter(label=ref).first()
    if version is not None:
        return version.revision.document, version.label, version.revision.number
    if ref.isdigit():
        revision = design.revisions.filter(number=int(ref)).first()
        if revision is not None:
            return revision.document, None, revision.number
    raise HttpError(404, f"No version or revision {ref!r}")


@router.get("/designs/{design_id}/diff", response={200: DiffOut, **ERRORS}, by_alias=True)
def design_diff(request: ApiRequest, design_id: int, query: Query[DiffQuery]) -> dict[str, Any]:
    """The migration from one version to another, its hazards, and the objects that change."""
    from designs.compiler.migrate import diff
    from designs.compiler.migrate.alembic import revision_id, revision_script
    from designs.compiler.migrate.sql import sql_script

    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    old_data, old_label, old_number = resolve(design, query.from_)
    new_data, new_label, new_number = resolve(design, query.to)
    plan = diff(Document.model_validate(old_data), Document.model_validate(new_data))
    old_ref = old_label or f"r{old_number}"
    new_ref = new_label or f"r{new_number}"
    text, filename = "", None
    if query.to_format == "alembic":
        rev = revision_id(new_ref)
        text = revision_script(
            plan, rev, revision_id(old_ref), f"{design.name}: {old_ref} → {new_ref}", safe=query.safe
        )
        filename = f"{rev}.py"
    elif query.to_format in DIALECT:
        title = f"{design.name}: {old_ref} → {new_ref}"
        text = sql_script(plan, DIALECT[query.to_format], safe=query.safe, title=title)
        filename = f"{design.slug}-{revision_id(old_ref)}-to-{revision_id(new_ref)}.{query.to_format}.sql"
    summary = plan.to_data()
    return {
        "from": {"ref": query.from_, "label": old_label, "revision": old_number},
        "to": {"ref": query.to, "label": new_label, "revision": new_number},
        "to_format": query.to_format,
        "filename": filename,
        "text": text,
        "operations": summary["operations"],
        "changes": summary["changes"],
        "notes": summary["notes"],
    }
