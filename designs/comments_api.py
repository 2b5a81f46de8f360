"""Review comments and the review workflow (draft → in review → changes requested / approved).

Comments are threads anchored to the design or to one of its objects by stable id.

A comment follows its object through renames (the anchor is the id; the label shown is the object's
current name) and, when the object is deleted, stays readable with ``outdated: true`` and the label it
last had. Commenters and up write; viewers read. Every change is sent to the design's channel-layer
group as ``{"type": "comment.changed", "action": ..., "comment": ...}`` for open editors.

The review workflow announces itself the same way: whenever what ``GET .../review-state`` answers
changes (a step of the workflow, or a new revision, which moves the current revision and can make
decisions stale), ``{"type": "review.changed", "reason": ...}`` goes to the group once the change is
committed, and open editors fetch the state again instead of polling for it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from designs.api import ERRORS, ApiRequest
from designs.events import tell_design
from designs.models import Approval, Comment, Design, Membership, ReviewState, Revision, Role
from designs.permissions import design_for, has_role
from designs.schemas import ErrorOut

router = Router(tags=["comments"])

AnchorKind = Literal["design", "table", "column", "relationship", "index"]
# A mention is @ and a Django username, not preceded by a word character (so e-mail addresses are not
# mentions). A trailing full stop ends a sentence rather than belonging to the name.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]+)")


class AnchorOut(Schema):
    kind: AnchorKind
    id: str = Field(description="stable id of the object; empty for the design itself")
    label: str = Field(description="the object's current name, or the last one known when it is gone")


class CommentOut(Schema):
    id: int
    parent: int | None
    anchor: AnchorOut
    outdated: bool = Field(description="the anchored object no longer exists in the current document")
    author: str | None
    body: str
    mentions: list[str]
    created_at: datetime
    edited_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    deleted: bool


class ThreadOut(CommentOut):
    replies: list[CommentOut]


class CommentIn(Schema):
    anchor_kind: AnchorKind = "design"
    anchor_id: str = Field(default="", max_length=64)
    body: str = Field(min_length=1, max_length=10_000)
    parent: int | None = Field(default=None, description="the thread's first comment, to reply to it")


class CommentPatch(Schema):
    body: str = Field(min_length=1, max_length=10_000)


def anchors_of(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Every object a comment may be anchored to, as ``(kind, id) -> label``."""
    found: dict[tuple[str, str], str] = {}
    table_names: dict[str, str] = {}
    for table in document.get("tables", []):
        tname = str(table.get("name", table.get("id")))
        table_names[table.get("id", "")] = tname
        found[("table", table.get("id", ""))] = tname
        for column in table.get("columns", []):
            found[("column", column.get("id", ""))] = f"{tname}.{column.get('name')}"
        for index in table.get("indexes", []):
            found[("index", index.get("id", ""))] = index.get("name") or f"index on {tname}"
    for rel in document.get("relationships", []):
        default = f"{table_names.get(rel.get('from_table'), '?')} → {table_names.get(rel.get('to_table'), '?')}"
        found[("relationship", rel.get("id", ""))] = rel.get("name") or default
    return found


def mentions_in(body: str, design: Design) -> list[str]:
    """The usernames mentioned in ``body``; each must be a member of the design (else 422)."""
    names = list(dict.fromkeys(m.rstrip(".") for m in MENTION.findall(body)))
    members = set(
        Membership.objects.filter(design=design, user__username__in=names).values_list("user__username", flat=True)
    )
    unknown = [n for n in names if n not in members]
    if unknown:
        listed = ", ".join(f"@{n}" for n in unknown)
        raise ValidationError([{"loc": ("body", "payload", "body"), "msg": f"Not members of this design: {listed}"}])
    return names


def comment_out(comment: Comment, anchors: dict[tuple[str, str], str], design: Design) -> dict[str, Any]:
    kind, anchor_id = comment.anchor_kind, comment.anchor_id
    if kind == Comment.Anchor.DESIGN:
        label, outdated = design.name, False
    else:
        current = anchors.get((kind, anchor_id))
        label, outdated = (current, False) if current is not None else (comment.anchor_label, True)
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "anchor": {"kind": kind, "id": anchor_id, "label": label},
        "outdated": outdated,
        "author": comment.author.get_username() if comment.author else None,
        "body": "" if comment.deleted else comment.body,
        "mentions": [] if comment.deleted else comment.mentions,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "resolved_at": comment.resolved_at,
        "resolved_by": comment.resolved_by.get_username() if comment.resolved_by else None,
        "deleted": comment.deleted,
    }


def broadcast(design: Design, action: str, comment: Comment) -> None:
    """Tell open editors of the design; a missing channel layer only means nobody is listening."""
    out = comment_out(comment, anchors_of(design.document), design)
    for key in ("created_at", "edited_at", "resolved_at"):
        out[key] = out[key].isoformat() if out[key] else None
    tell_design(design.pk, {"type": "comment.changed", "action": action, "comment": out})


def refresh_labels(comments: list[Comment], anchors: dict[tuple[str, str], str]) -> None:
    """Remember each object's current name, so a comment on it still says what it was once it is gone."""
    for comment in comments:
        current = anchors.get((comment.anchor_kind, comment.anchor_id))
        if current is not None and current != comment.anchor_label:
            comment.anchor_label = current[:300]
            Comment.objects.filter(pk=comment.pk).update(anchor_label=comment.anchor_label)


def comment_in(design: Design, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("author", "resolved_by").filter(design=design, pk=comment_id).first()
    if comment is None:
        raise HttpError(404, "Comment not found")
    return comment


@router.get("/designs/{design_id}/comments", response={200: list[ThreadOut], **ERRORS})
def list_comments(
    request: ApiRequest, design_id: int, anchor_id: str | None = None, include_resolved: bool = True
) -> list[dict[str, Any]]:
    """Every thread on the design, oldest first, each with its replies."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    comments = list(Comment.objects.filter(design=design).select_related("author", "resolved_by"))
    anchors = anchors_of(design.document)
    refresh_labels(comments, anchors)
    replies: dict[int, list[dict[str, Any]]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(comment_out(c, anchors, design))
    threads = []
    for c in comments:
        if c.parent_id is not None or (anchor_id is not None and c.anchor_id != anchor_id):
            continue
        if c.resolved_at is not None and not include_resolved:
            continue
        threads.append({**comment_out(c, anchors, design), "replies": replies.get(c.pk, [])})
    return threads


@router.post("/designs/{design_id}/comments", response={201: CommentOut, **ERRORS})
def create_comment(request: ApiRequest, design_id: int, payload: CommentIn) -> Status[dict[str, Any]]:
    """Start a thread on an object (or the design), or reply to one with ``parent``."""
    design, _ = design_for(request.auth, design_id, Role.COMMENTER)
    anchors = anchors_of(design.document)
    parent = None
    if payload.parent is not None:
        parent = comment_in(design, payload.parent)
        if parent.parent_id is not None:
            raise HttpError(422, "Reply to the thread's first comment; threads are one level deep")
        kind, anchor_id, label = parent.anchor_kind, parent.anchor_id, parent.anchor_label
    elif payload.anchor_kind == "design":
        kind, anchor_id, label = "design", "", design.name
    else:
        kind, anchor_id = payload.anchor_kind, payload.anchor_id
        found = anchors.get((kind, anchor_id))
        if found is None:
            raise HttpError(422, f"No {kind} with id {anchor_id!r} in the current document")
        label = found
    comment = Comment.objects.create(
        design=design,
        parent=parent,
        anchor_kind=kind,
        anchor_id=anchor_id,
        anchor_label=label[:300],
        author=request.auth,
        body=payload.body,
        mentions=mentions_in(payload.body, design),
    )
    broadcast(design, "created", comment)
    return Status(201, comment_out(comment, anchors, design))


@router.patch("/designs/{design_id}/comments/{comment_id}", response={200: CommentOut, **ERRORS})
def edit_comment(request: ApiRequest, design_id: int, comment_id: int, payload: CommentPatch) -> dict[str, Any]:
    """Change the text of one's own comment."""
    design, _ = design_for(request.auth, design_id, Role.COMMENTER)
    comment = comment_in(design, comment_id)
    if comment.author_id != request.auth.pk or comment.deleted:
        raise HttpError(403, "Only the author can edit a comment")
    comment.body = payload.body
    comment.mentions = mentions_in(payload.body, design)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "mentions", "edited_at"])
    broadcast(design, "edited", comment)
    return comment_out(comment, anchors_of(design.document), design)


@router.delete("/designs/{design_id}/comments/{comment_id}", response={204: None, **ERRORS})
def delete_comment(request: ApiRequest, design_id: int, comment_id: int) -> Status[None]:
    """Delete one's own comment (the owner may delete any). Its replies stay; its text goes."""
    design, role = design_for(request.auth, design_id, Role.COMMENTER)
    comment = comment_in(design, comment_id)
    if comment.author_id != request.auth.pk and role != Role.OWNER:
        raise HttpError(403, "Only the author or the design's owner can delete a comment")
    comment.deleted = True
    comment.body = ""
    comment.mentions = []
    comment.save(update_fields=["deleted", "body", "mentions"])
    broadcast(design, "deleted", comment)
    return Status(204, None)


def _set_resolved(request: ApiRequest, design_id: int, comment_id: int, resolved: bool) -> dict[str, Any]:
    design, role = design_for(request.auth, design_id, Role.COMMENTER)
    assert has_role(role, Role.COMMENTER)
    comment = comment_in(design, comment_id)
    if comment.parent_id is not None:
        raise HttpError(422, "Resolve the thread (its first comment), not a reply")
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = request.auth if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    broadcast(design, "resolved" if resolved else "reopened", comment)
    return comment_out(comment, anchors_of(design.document), design)


@router.post("/designs/{design_id}/comments/{comment_id}/resolve", response={200: CommentOut, **ERRORS})
def resolve_thread(request: ApiRequest, design_id: int, comment_id: int) -> dict[str, Any]:
    """Mark a thread resolved."""
    return _set_resolved(request, design_id, comment_id, True)


@router.post("/designs/{design_id}/comments/{comment_id}/reopen", response={200: CommentOut, **ERRORS})
def reopen_thread(request: ApiRequest, design_id: int, comment_id: int) -> dict[str, Any]:
    """Reopen a resolved thread."""
    return _set_resolved(request, design_id, comment_id, False)


# --- the review workflow ---------------------------------------------------------------------------
# draft → (submit) → in_review → (approve) → approved
#                              → (request changes) → changes_requested → (submit) → in_review ...
# Any state → (withdraw) → draft. Every submit starts a new cycle. An approval pins the revision it saw;
# an edit after it makes it stale, and an approved design whose approvals are all stale reads as stale.

State = ReviewState.State


class ReviewNoteIn(Schema):
    note: str = Field(default="", max_length=10_000)


class ApprovalOut(Schema):
    reviewer: str
    decision: Literal["approved", "changes_requested"]
    revision: int
    stale: bool = Field(description="the design changed after this decision")
    note: str
    created_at: datetime


class ReviewStateOut(Schema):
    state: Literal["draft", "in_review", "changes_requested", "approved"]
    cycle: int = Field(description="how many times the design was submitted for review")
    revision: int = Field(description="the design's current revision")
    stale: bool = Field(description="approved, but edited since every approval")
    submitted_by: str | None
    approvals: list[ApprovalOut] = Field(description="decisions of the current cycle, oldest first")


def required_approvals() -> int:
    return int(getattr(settings, "DBSTUDIO_REVIEW_APPROVALS", 1))


def announce_review_change(design_id: int, reason: str) -> None:
    """Send ``review.changed`` to the design's open editors once the current transaction commits.

    After the commit, so an editor that fetches the state on hearing it reads the change (and never
    hears of one that was rolled back). ``reason`` says what happened, for logs and tests; clients
    fetch the whole state again whatever it is.
    """
    transaction.on_commit(lambda: _send_review_changed(design_id, reason))


def _send_review_changed(design_id: int, reason: str) -> None:
    tell_design(design_id, {"type": "review.changed", "reason": reason})


def revision_created(sender: Any, instance: Revision, created: bool, **kwargs: Any) -> None:
    """``post_save`` receiver for Revision (connected in ``designs.apps``): the current revision moved.

    Every new revision changes the review state's ``revision``, and the first one after a decision
    makes that decision stale (an approved design reads "stale" once all its approvals are).
    """
    if created:
        announce_review_change(instance.design_id, "revision")


def review_of(design: Design, lock: bool = False) -> ReviewState:
    ReviewState.objects.get_or_create(design=design)
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to submitted_by.
    rows = ReviewState.objects.select_for_update(of=("self",)) if lock else ReviewState.objects
    return rows.select_related("submitted_by").get(design=design)


def review_state_out(design: Design, review: ReviewState) -> dict[str, Any]:
    design.refresh_from_db(fields=["revision_number"])
    approvals = Approval.objects.filter(design=design, cycle=review.cycle).select_related("reviewer", "revision")
    out = [
        {
            "reviewer": a.reviewer.get_username(),
            "decision": a.decision,
            "revision": a.revision.number,
            "stale": a.revision.number != design.revision_number,
            "note": a.note,
            "created_at": a.created_at,
        }
        for a in approvals
    ]
    fresh = [a for a in out if a["decision"] == Approval.Decision.APPROVED and not a["stale"]]
    return {
        "state": review.state,
        "cycle": review.cycle,
        "revision": design.revision_number,
        "stale": review.state == State.APPROVED and not fresh,
        "submitted_by": review.submitted_by.get_username() if review.submitted_by else None,
        "approvals": out,
    }


def _decide(request: ApiRequest, design_id: int, decision: str, note: str) -> dict[str, Any]:
    design, _ = design_for(request.auth, design_id, Role.COMMENTER)
    with transaction.atomic():
        review = review_of(design, lock=True)
        if review.state not in (State.IN_REVIEW, State.APPROVED):
            raise HttpError(409, f"The design is {review.state}, not in review")
        if review.submitted_by_id == request.auth.pk:
            raise HttpError(403, "You submitted this review; someone else must decide")
        revision = Revision.objects.get(design=design, number=design.revision_number)
        Approval.objects.create(
            design=design, cycle=review.cycle, reviewer=request.auth, revision=revision, decision=decision, note=note
        )
        if decision == Approval.Decision.CHANGES_REQUESTED:
            review.state = State.CHANGES_REQUESTED
        else:
            approvers = set(
                Approval.objects.filter(
                    design=design, cycle=review.cycle, decision=decision, revision__number=design.revision_number
                ).values_list("reviewer_id", flat=True)
            )
            if len(approvers) >= required_approvals():
                review.state = State.APPROVED
        review.save(update_fields=["state", "updated_at"])
        announce_review_change(design.pk, str(decision))
    return review_state_out(design, review)


@router.get("/designs/{design_id}/review-state", response={200: ReviewStateOut, **ERRORS})
def get_review_state(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """The design's review state, with the current cycle's decisions."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return review_state_out(design, review_of(design))


@router.post("/designs/{design_id}/review-state/submit", response={200: ReviewStateOut, 409: ErrorOut, **ERRORS})
def submit_for_review(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """Ask for review of the current revision (editor+); starts a new review cycle."""
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    with transaction.atomic():
        review = review_of(design, lock=True)
        if review.state == State.IN_REVIEW:
            raise HttpError(409, "The design is already in review")
        review.state, review.cycle, review.submitted_by = State.IN_REVIEW, review.cycle + 1, request.auth
        review.save(update_fields=["state", "cycle", "submitted_by", "updated_at"])
        announce_review_change(design.pk, "submitted")
    return review_state_out(design, review)


@router.post("/designs/{design_id}/review-state/approve", response={200: ReviewStateOut, 409: ErrorOut, **ERRORS})
def approve(request: ApiRequest, design_id: int, payload: ReviewNoteIn) -> dict[str, Any]:
    """Approve the current revision (commenter+, not the submitter)."""
    return _decide(request, design_id, Approval.Decision.APPROVED, payload.note)


@router.post(
    "/designs/{design_id}/review-state/request-changes", response={200: ReviewStateOut, 409: ErrorOut, **ERRORS}
)
def request_changes(request: ApiRequest, design_id: int, payload: ReviewNoteIn) -> dict[str, Any]:
    """Send the design back to its authors (commenter+, not the submitter)."""
    return _decide(request, design_id, Approval.Decision.CHANGES_REQUESTED, payload.note)


@router.post("/designs/{design_id}/review-state/withdraw", response={200: ReviewStateOut, **ERRORS})
def withdraw(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """Back to draft (editor+)."""
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    with transaction.atomic():
        review = review_of(design, lock=True)
        review.state = State.DRAFT
        review.save(update_fields=["state", "updated_at"])
        announce_review_change(design.pk, "withdrawn")
    return review_state_out(design, review)
