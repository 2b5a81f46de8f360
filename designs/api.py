"""The designs JSON API. Thin: each endpoint checks the role, then calls the model or the compiler."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError

from designs.compiler.document import Document
from designs.compiler.export import FORMATS, export
from designs.compiler.layout import arrange
from designs.compiler.validate import Problem, validate
from designs.models import Design, Membership, Revision, Role, Version
from designs.permissions import design_for
from designs.schemas import (
    DesignIn,
    DesignOut,
    DesignPatch,
    DocumentSaved,
    ErrorOut,
    MemberIn,
    MemberOut,
    RevisionDetailOut,
    RevisionOut,
    RoleIn,
    ValidationErrorOut,
    VersionIn,
    VersionOut,
)
from designs.sharing import notify_membership_changed

router = Router(tags=["designs"])


class ApiRequest(HttpRequest):
    """A request that passed authentication: ``auth`` is the user."""

    auth: Any


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class DocumentInvalid(Exception):
    """A document failed validation; the project API turns it into a 422 listing every problem."""

    def __init__(self, problems: list[Problem], prefix: str = ""):
        self.problems = problems
        self.prefix = prefix


def design_out(design: Design, role: str) -> dict[str, Any]:
    return {
        "id": design.pk,
        "slug": design.slug,
        "name": design.name,
        "description": design.description,
        "owner": design.owner.get_username(),
        "role": role,
        "revision": design.revision_number,
        "url": reverse("design-editor", args=[design.slug]),
        "created_at": design.created_at,
        "updated_at": design.updated_at,
    }


def revision_out(revision: Revision, with_document: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": revision.number,
        "author": revision.author.get_username() if revision.author else None,
        "message": revision.message,
        "created_at": revision.created_at,
    }
    if with_document:
        out["document"] = revision.document
    return out


def checked_document(data: Any, prefix: str = "", arranged: bool = False) -> dict[str, Any]:
    """The validated document as data; with ``arranged``, laid out first when nobody arranged it."""
    doc, problems = validate(data)
    if doc is None:
        raise DocumentInvalid(problems, prefix)
    return (arrange(doc) if arranged else doc).to_data()


@router.get("/designs", response=list[DesignOut])
def list_designs(request: ApiRequest) -> list[dict[str, Any]]:
    memberships = Membership.objects.filter(user=request.auth).select_related("design", "design__owner")
    memberships = memberships.order_by("-design__updated_at")
    return [design_out(m.design, m.role) for m in memberships]


@router.post("/designs", response={201: DesignOut, **ERRORS})
def create_design(request: ApiRequest, payload: DesignIn) -> Status[dict[str, Any]]:
    document = None
    if payload.document is not None:
        # Tables without positions are laid out here (areas by prefix, layered by FK direction), so
        # the editor opens a map instead of arranging 300 tables in the browser first.
        document = checked_document(payload.document, prefix="document", arranged=True)
        if document.get("name") in (None, "Untitled design"):
            document["name"] = payload.name
    design = Design.create(owner=request.auth, name=payload.name, document=document)
    if payload.description:
        design.description = payload.description
        design.save(update_fields=["description"])
    return Status(201, design_out(design, Role.OWNER))


@router.get("/designs/{design_id}", response={200: DesignOut, **ERRORS})
def get_design(request: ApiRequest, design_id: int) -> dict[str, Any]:
    design, role = design_for(request.auth, design_id, Role.VIEWER)
    return design_out(design, role)


@router.patch("/designs/{design_id}", response={200: DesignOut, **ERRORS})
def update_design(request: ApiRequest, design_id: int, payload: DesignPatch) -> dict[str, Any]:
    design, role = design_for(request.auth, design_id, Role.EDITOR)
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    for field, value in fields.items():
        setattr(design, field, value)
    if fields:
        design.save(update_fields=[*fields, "updated_at"])
    return design_out(design, role)


@router.delete("/designs/{design_id}", response={204: None, **ERRORS})
def delete_design(request: ApiRequest, design_id: int) -> Status[None]:
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    with transaction.atomic():
        Version.objects.filter(design=design).delete()
        design.delete()
    return Status(204, None)


@router.get("/designs/{design_id}/document", response={200: dict[str, Any], **ERRORS})
def get_document(request: ApiRequest, design_id: int) -> dict[str, Any]:
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return design.document


@router.put(
    "/designs/{design_id}/document",
    response={200: DocumentSaved, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DesignDocument"}}},
        }
    },
)
def put_document(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """Replace the document. It is validated first; an invalid one changes nothing (422 lists every error)."""
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    if len(request.body) > settings.DBSTUDIO_MAX_DOCUMENT_BYTES:
        raise HttpError(413, f"The document is larger than {settings.DBSTUDIO_MAX_DOCUMENT_BYTES} bytes")
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise DocumentInvalid([Problem("", f"not valid JSON at line {line}, column {column}")]) from None
    document = checked_document(data)
    message = request.headers.get("X-Revision-Message", "")[:200]
    revision = design.save_document(document, author=request.auth, message=message)
    return {"revision": revision.number, "warnings": []}


@router.get("/designs/{design_id}/revisions", response={200: list[RevisionOut], **ERRORS})
def list_revisions(request: ApiRequest, design_id: int, limit: int = 100, before: int | None = None) -> list[Any]:
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    revisions = design.revisions.select_related("author").defer("document")
    if before is not None:
        revisions = revisions.filter(number__lt=before)
    return [revision_out(r) for r in revisions[: max(1, min(limit, 500))]]


@router.get("/designs/{design_id}/revisions/{number}", response={200: RevisionDetailOut, **ERRORS})
def get_revision(request: ApiRequest, design_id: int, number: int) -> dict[str, Any]:
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    revision = design.revisions.select_related("author").filter(number=number).first()
    if revision is None:
        raise HttpError(404, f"Revision {number} not found")
    return revision_out(revision, with_document=True)


def version_out(version: Version) -> dict[str, Any]:
    return {
        "label": version.label,
        "revision": version.revision.number,
        "notes": version.notes,
        "created_by": version.created_by.get_username() if version.created_by else None,
        "created_at": version.created_at,
    }


@router.get("/designs/{design_id}/versions", response={200: list[VersionOut], **ERRORS})
def list_versions(request: ApiRequest, design_id: int) -> list[dict[str, Any]]:
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return [version_out(v) for v in design.versions.select_related("revision", "created_by")]


@router.post("/designs/{design_id}/versions", response={201: VersionOut, 409: ErrorOut, **ERRORS})
def create_version(request: ApiRequest, design_id: int, payload: VersionIn) -> Status[dict[str, Any]]:
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    number = payload.revision or design.revision_number
    revision = design.revisions.filter(number=number).first()
    if revision is None:
        raise HttpError(404, f"Revision {number} not found")
    try:
        with transaction.atomic():
            version = Version.objects.create(
                design=design, revision=revision, label=payload.label, notes=payload.notes, created_by=request.auth
            )
    except IntegrityError:
        raise HttpError(409, f"Version {payload.label!r} already exists") from None
    return Status(201, version_out(version))


def member_out(membership: Membership) -> dict[str, Any]:
    return {
        "username": membership.user.get_username(),
        "role": membership.role,
        "created_at": membership.created_at,
    }


@router.get("/designs/{design_id}/members", response={200: list[MemberOut], **ERRORS})
def list_members(request: ApiRequest, design_id: int) -> list[dict[str, Any]]:
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return [member_out(m) for m in design.memberships.select_related("user")]


@router.post("/designs/{design_id}/members", response={200: MemberOut, 201: MemberOut, **ERRORS})
def add_member(request: ApiRequest, design_id: int, payload: MemberIn) -> Status[dict[str, Any]]:
    """Add a member by username or email, or change an existing member's role (owner only)."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    User = get_user_model()
    user = User.objects.filter(Q(username=payload.username) | Q(email__iexact=payload.username)).first()
    if user is None or not user.is_active:
        raise HttpError(404, f"No user {payload.username!r}")
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            design=design, user=user, defaults={"role": payload.role}
        )
        if not created and membership.role != payload.role:
            ensure_an_owner_remains(design, membership, payload.role)
            membership.role = payload.role
            membership.save(update_fields=["role"])
    notify_membership_changed(design.pk, user.get_username())
    return Status(201 if created else 200, member_out(membership))


@router.delete("/designs/{design_id}/members/{username}", response={204: None, **ERRORS})
def remove_member(request: ApiRequest, design_id: int, username: str) -> Status[None]:
    """Remove a member (owner), or leave a design yourself (any member)."""
    leaving = username == request.auth.get_username()
    design, _ = design_for(request.auth, design_id, Role.VIEWER if leaving else Role.OWNER)
    membership = design.memberships.select_related("user").filter(user__username=username).first()
    if membership is None:
        raise HttpError(404, f"{username!r} is not a member")
    with transaction.atomic():
        ensure_an_owner_remains(design, membership, None)
        membership.delete()
    notify_membership_changed(design.pk, username)
    return Status(204, None)


@router.patch("/designs/{design_id}/members/{username}", response={200: MemberOut, **ERRORS})
def change_role(request: ApiRequest, design_id: int, username: str, payload: RoleIn) -> dict[str, Any]:
    """Change a member's role (owner). A design always keeps at least one owner."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    membership = design.memberships.select_related("user").filter(user__username=username).first()
    if membership is None:
        raise HttpError(404, f"{username!r} is not a member")
    with transaction.atomic():
        ensure_an_owner_remains(design, membership, payload.role)
        membership.role = payload.role
        membership.save(update_fields=["role"])
    notify_membership_changed(design.pk, username)
    return member_out(membership)


def ensure_an_owner_remains(design: Design, membership: Membership, new_role: str | None) -> None:
    losing_an_owner = membership.role == Role.OWNER and new_role != Role.OWNER
    if losing_an_owner and not design.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk).exists():
        raise HttpError(403, "A design must keep at least one owner")


ExportFormat = Literal["postgres", "mysql", "sqlite", "mermaid", "dbml", "sqlalchemy", "django", "json"]
assert set(get_args(ExportFormat)) == set(FORMATS), "keep ExportFormat in step with compiler.export.FORMATS"


@router.get(
    "/designs/{design_id}/export",
    response={200: None, **ERRORS},
    openapi_extra={
        # An int key, as ninja's own: a "200" string beside it would be a second key of the same name in
        # the JSON (Swagger UI refuses such a document).
        "responses": {
            200: {
                "description": "the exported file; with Accept: application/json, {to, filename, text, warnings}",
                "content": {"*/*": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_design(
    request: ApiRequest, design_id: int, to: ExportFormat, revision: int | None = None
) -> HttpResponse | dict[str, Any]:
    """Export the current document, or a given revision, as DDL, Mermaid, DBML, models or JSON."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    data = design.document
    if revision is not None:
        row = design.revisions.filter(number=revision).first()
        if row is None:
            raise HttpError(404, f"Revision {revision} not found")
        data = row.document
    out = export(Document.model_validate(data), to)
    filename = f"{design.slug}.{to}.{out.extension}" if out.extension == "sql" else f"{design.slug}.{out.extension}"
    if "application/json" in request.headers.get("Accept", ""):
        body = {"to": to, "filename": filename, "text": out.text, "warnings": out.warnings}
        return HttpResponse(json.dumps(body), content_type="application/json")
    response = HttpResponse(out.text, content_type=f"{out.media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Export-Warnings"] = str(len(out.warnings))
    return response
