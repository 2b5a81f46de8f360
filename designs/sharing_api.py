"""Members, invitations and share links over the JSON API. Thin: role checks, then ``designs.sharing``.

Only an owner invites, changes roles, removes members, and makes or revokes invitations and share
links; anyone logged in may accept an invitation or follow a share link whose token they hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from designs import sharing
from designs.api import ERRORS, ApiRequest, DocumentInvalid, member_out
from designs.compiler.validate import Problem
from designs.models import Design, Invitation, Membership, Role, ShareLink
from designs.permissions import design_for
from designs.schemas import ErrorOut, MemberOut

router = Router(tags=["sharing"])

GONE: dict[int, Any] = {410: ErrorOut}


class InvitationIn(Schema):
    who: str = Field(min_length=1, max_length=254, description="a username or an email address")
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


class InvitedOut(Schema):
    status: Literal["added", "updated", "invited"]
    member: MemberOut | None = None
    invitation: InvitationOut | None = None
    link: str | None = Field(default=None, description="the invitation link (also emailed); shown once")


class ShareLinkIn(Schema):
    role: Literal["viewer", "commenter", "editor"] = "viewer"
    expires_in_days: int = Field(default=7, ge=1, le=365)


class ShareLinkOut(Schema):
    id: int
    role: str
    hint: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime
    uses: int
    url: str | None = Field(default=None, description="the link itself: only in the answer that created it")


class TokenIn(Schema):
    token: str = Field(min_length=1, max_length=200)


class JoinedOut(Schema):
    design: int
    slug: str
    name: str
    url: str
    role: str
    changed: bool


def fail(error: sharing.SharingError) -> Exception:
    """The JSON error for a SharingError: 422 with the field's path, or the error's own status."""
    if error.status == 422 and error.field:
        return DocumentInvalid([Problem(error.field, error.message)])
    return HttpError(error.status, error.message)


@contextmanager
def sharing_errors() -> Iterator[None]:
    """Raise a SharingError from the block as its JSON error (see ``fail``)."""
    try:
        yield
    except sharing.SharingError as exc:
        raise fail(exc) from None


def revoke_row(
    request: ApiRequest, design_id: int, model: type[Invitation] | type[ShareLink], row_id: int, what: str
) -> Status[None]:
    """Revoke one of a design's invitations or share links (owner); 404 when the design has no such one."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    row = model.objects.filter(design=design, pk=row_id).first()
    if row is None:
        raise HttpError(404, f"{what} {row_id} not found")
    sharing.revoke(row)
    return Status(204, None)


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "invited_by": invitation.invited_by.get_username() if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


def share_link_out(link: ShareLink, url: str | None = None) -> dict[str, Any]:
    return {
        "id": link.pk,
        "role": link.role,
        "hint": link.hint,
        "created_by": link.created_by.get_username() if link.created_by else None,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "uses": link.uses,
        "url": url,
    }


def joined_out(design: Design, membership: Membership, changed: bool) -> dict[str, Any]:
    return {
        "design": design.pk,
        "slug": design.slug,
        "name": design.name,
        "url": reverse("design-editor", args=[design.slug]),
        "role": membership.role,
        "changed": changed,
    }


def absolute(request: HttpRequest, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(name, args=[token]))


@router.post("/designs/{design_id}/invitations", response={200: InvitedOut, 201: InvitedOut, **ERRORS})
def invite(request: ApiRequest, design_id: int, payload: InvitationIn) -> Status[dict[str, Any]]:
    """Invite by username or email (owner): an existing user is added at once; a new address gets an email."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    with sharing_errors():
        done = sharing.invite(
            design, request.auth, payload.who, payload.role, lambda t: absolute(request, "invitation", t)
        )
    if done.membership is not None:
        sharing.notify_membership_changed(design.pk, done.membership.user.get_username())
        status = "added" if done.created else "updated"
        return Status(201 if done.created else 200, {"status": status, "member": member_out(done.membership)})
    assert done.invitation is not None
    link = absolute(request, "invitation", done.token)
    return Status(201, {"status": "invited", "invitation": invitation_out(done.invitation), "link": link})


@router.get("/designs/{design_id}/invitations", response={200: list[InvitationOut], **ERRORS})
def list_invitations(request: ApiRequest, design_id: int) -> list[dict[str, Any]]:
    """Pending invitations (owner)."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    return [invitation_out(i) for i in sharing.pending_invitations(design)]


@router.delete("/designs/{design_id}/invitations/{invitation_id}", response={204: None, **ERRORS})
def revoke_invitation(request: ApiRequest, design_id: int, invitation_id: int) -> Status[None]:
    """Withdraw an invitation (owner); its link stops working."""
    return revoke_row(request, design_id, Invitation, invitation_id, "Invitation")


@router.post("/invitations/accept", response={200: JoinedOut, **ERRORS, **GONE})
def accept_invitation(request: ApiRequest, payload: TokenIn) -> dict[str, Any]:
    """Accept an invitation with the token from its link (any logged-in user holding the link)."""
    with sharing_errors():
        membership, invitation = sharing.accept_invitation(payload.token, request.auth)
    return joined_out(invitation.design, membership, True)


@router.get("/designs/{design_id}/share-links", response={200: list[ShareLinkOut], **ERRORS})
def list_share_links(request: ApiRequest, design_id: int) -> list[dict[str, Any]]:
    """Share links that still work (owner). The links themselves are not stored, so not shown."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    return [share_link_out(link) for link in sharing.active_share_links(design)]


@router.post("/designs/{design_id}/share-links", response={201: ShareLinkOut, **ERRORS})
def create_share_link(request: ApiRequest, design_id: int, payload: ShareLinkIn) -> Status[dict[str, Any]]:
    """Make a share link (owner): whoever follows it, logged in, joins with at most ``role``."""
    design, _ = design_for(request.auth, design_id, Role.OWNER)
    with sharing_errors():
        link, token = sharing.create_share_link(design, request.auth, payload.role, payload.expires_in_days)
    return Status(201, share_link_out(link, absolute(request, "share-link", token)))


@router.delete("/designs/{design_id}/share-links/{link_id}", response={204: None, **ERRORS})
def revoke_share_link(request: ApiRequest, design_id: int, link_id: int) -> Status[None]:
    """Revoke a share link (owner). Members who joined through it stay members."""
    return revoke_row(request, design_id, ShareLink, link_id, "Share link")


@router.post("/share-links/accept", response={200: JoinedOut, **ERRORS, **GONE})
def follow_share_link(request: ApiRequest, payload: TokenIn) -> dict[str, Any]:
    """Join a design through a share link's token, at the link's role; a higher role is kept."""
    with sharing_errors():
        membership, changed, link = sharing.follow_share_link(payload.token, request.auth)
    return joined_out(link.design, membership, changed)
