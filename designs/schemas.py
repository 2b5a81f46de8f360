"""Request and response shapes of the JSON API (``XIn`` / ``XOut`` pairs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from designs.models import Role


class DesignIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    document: dict[str, Any] | None = None


class DesignPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class DesignOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    owner: str
    role: str
    revision: int
    url: str
    created_at: datetime
    updated_at: datetime


class RevisionOut(Schema):
    number: int
    author: str | None
    message: str
    created_at: datetime


class RevisionDetailOut(RevisionOut):
    document: dict[str, Any]


class DocumentSaved(Schema):
    revision: int
    warnings: list[str] = []


class VersionIn(Schema):
    label: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
    revision: int | None = Field(default=None, ge=1, description="revision number; the latest when omitted")
    notes: str = Field(default="", max_length=10_000)


class VersionOut(Schema):
    label: str
    revision: int
    notes: str
    created_by: str | None
    created_at: datetime


class MemberIn(Schema):
    username: str = Field(min_length=1, max_length=150, description="username or email address")
    role: Role


class RoleIn(Schema):
    role: Role


class MemberOut(Schema):
    username: str
    role: str
    created_at: datetime


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    path: str
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]
