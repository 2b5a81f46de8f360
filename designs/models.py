"""Persistence: designs, their immutable revisions, named versions, members and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from designs.compiler.document import Document


class Role(models.TextChoices):
    """A member's role. Each role can do everything the roles below it can."""

    OWNER = "owner"
    EDITOR = "editor"
    COMMENTER = "commenter"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 1, Role.COMMENTER: 2, Role.EDITOR: 3, Role.OWNER: 4}


def empty_document(name: str) -> dict[str, Any]:
    return Document(name=name).to_data()


def unique_slug(name: str) -> str:
    base = slugify(name)[:40].strip("-") or "design"
    return f"{base}-{secrets.token_hex(3)}"


class Design(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_designs")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True, default="")
    document = models.JSONField(default=dict)
    revision_number = models.PositiveIntegerField(default=0, help_text="number of the latest revision")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def create(cls, owner: Any, name: str, document: dict[str, Any] | None = None) -> Design:
        """Create a design owned by ``owner`` with its first revision."""
        with transaction.atomic():
            design = cls.objects.create(
                owner=owner, name=name, slug=unique_slug(name), document=document or empty_document(name)
            )
            Membership.objects.create(design=design, user=owner, role=Role.OWNER)
            design.save_document(design.document, author=owner, message="Created")
        return design

    def save_document(self, document: dict[str, Any], author: Any, message: str = "") -> Revision:
        """Store a validated document as the current one and freeze it as the next revision.

        The row lock makes concurrent saves take numbers one after another.
        """
        with transaction.atomic():
            locked = Design.objects.select_for_update().get(pk=self.pk)
            number = locked.revision_number + 1
            revision = Revision.objects.create(
                design=locked, number=number, document=document, author=author, message=message
            )
            Design.objects.filter(pk=self.pk).update(
                document=document, revision_number=F("revision_number") + 1, updated_at=timezone.now()
            )
        self.refresh_from_db()
        return revision

    def role_of(self, user: Any) -> str | None:
        if not user or not user.is_authenticated:
            return None
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class Revision(models.Model):
    """An immutable, numbered snapshot of a design's document."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["design", "number"], name="uq_revision_design_number")]

    def __str__(self) -> str:
        return f"{self.design} r{self.number}"


class Version(models.Model):
    """A named revision, such as ``v1.2``."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=50)
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["design", "label"], name="uq_version_design_label")]

    def __str__(self) -> str:
        return f"{self.design} {self.label}"


class Membership(models.Model):
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["design", "user"], name="uq_membership_design_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.design}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the token itself is shown once."""

    PREFIX = "dbs_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="token")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="the first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: Any, name: str = "token") -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the secret (never stored)."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name or "token", token_hash=hash_token(secret), hint=secret[:10])
        return row, secret

    @classmethod
    def authenticate(cls, secret: str) -> Any | None:
        row = (
            cls.objects.select_related("user")
            .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        # Touch at most once a minute: a busy client should not write on every request.
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user


class Artifact(models.Model):
    """A compiled bundle, stored once by content hash under ``ARTIFACT_DIR/<sha256[:2]>/<sha256>.zip``."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]

    @property
    def path(self) -> Any:
        from pathlib import Path

        return Path(settings.ARTIFACT_DIR) / self.sha256[:2] / f"{self.sha256}.zip"


class CompileJob(models.Model):
    """One compile of one frozen revision into a bundle, run by a Celery task (see designs/tasks.py)."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="compile_jobs")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="compile_jobs")
    targets = models.JSONField(default=list)
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent done")
    step = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    warnings = models.JSONField(default=list)
    artifact = models.ForeignKey(Artifact, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    attempt = models.PositiveIntegerField(default=1)
    worker = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["design", "-created_at"], name="idx_compilejob_design_created")]

    def __str__(self) -> str:
        return f"compile #{self.pk} of {self.design} r{self.revision.number}: {self.state}"


class DesignUpdate(models.Model):
    """One Yjs update from a live editor, stored before it is broadcast (see designs/collab.py).

    ``seq`` orders a design's updates; compaction folds them into the ``DesignSnapshot`` and deletes them.
    """

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="live_updates")
    seq = models.PositiveBigIntegerField()
    update = models.BinaryField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["design", "seq"], name="uq_designupdate_design_seq")]

    def __str__(self) -> str:
        return f"{self.design_id} update #{self.seq}"


class DesignSnapshot(models.Model):
    """The compacted Yjs state of a design: every update up to ``seq`` merged into one."""

    design = models.OneToOneField(Design, on_delete=models.CASCADE, related_name="live_snapshot")
    state = models.BinaryField()
    seq = models.PositiveBigIntegerField(default=0, help_text="the last update folded into state")
    revision = models.PositiveIntegerField(default=0, help_text="the design revision the live state last matched")
    saved_seq = models.PositiveBigIntegerField(default=0, help_text="the last update included in a saved revision")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.design_id} snapshot @{self.seq}"


class DesignLogCounter(models.Model):
    """The last sequence number handed to one of a design's live updates.

    Storing updates bumps it, and its row lock, held until they commit, makes numbers commit in order.
    It is a row of its own because compaction rewrites the snapshot row's multi-megabyte ``state``:
    with the counter on that row, every edit waited for each snapshot write (up to 600 ms on a big
    design; bench/collab_load.py).
    """

    design = models.OneToOneField(Design, on_delete=models.CASCADE, primary_key=True, related_name="live_counter")
    last_seq = models.PositiveBigIntegerField(default=0, help_text="the last sequence number handed to an update")

    def __str__(self) -> str:
        return f"{self.design_id} log @{self.last_seq}"


class Comment(models.Model):
    """A review comment anchored to the design or to one of its objects by stable id.

    A reply has a ``parent`` (threads are one level deep). ``anchor_label`` is the object's name when it
    was last seen, so a comment on a deleted object can still say what it was about.
    """

    class Anchor(models.TextChoices):
        DESIGN = "design"
        TABLE = "table"
        COLUMN = "column"
        RELATIONSHIP = "relationship"
        INDEX = "index"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    anchor_kind = models.CharField(max_length=16, choices=Anchor.choices, default=Anchor.DESIGN)
    anchor_id = models.CharField(max_length=64, blank=True, default="")
    anchor_label = models.CharField(max_length=300, blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=10_000)
    mentions = models.JSONField(default=list, help_text="usernames of members mentioned with @name")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["design", "anchor_id"], name="idx_comment_design_anchor")]

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.anchor_kind} {self.anchor_id}"


class ReviewState(models.Model):
    """Where a design is in its review: draft → in review → changes requested / approved.

    ``cycle`` counts submissions; approvals belong to one cycle and pin the revision they approved.
    """

    class State(models.TextChoices):
        DRAFT = "draft"
        IN_REVIEW = "in_review"
        CHANGES_REQUESTED = "changes_requested"
        APPROVED = "approved"

    design = models.OneToOneField(Design, on_delete=models.CASCADE, related_name="review_state")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    cycle = models.PositiveIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.design_id} {self.state} (cycle {self.cycle})"


class Approval(models.Model):
    """One reviewer's decision in one review cycle, pinned to the revision they looked at."""

    class Decision(models.TextChoices):
        APPROVED = "approved"
        CHANGES_REQUESTED = "changes_requested"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="approvals")
    cycle = models.PositiveIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.decision} r{self.revision.number}"


class Invitation(models.Model):
    """An owner's invitation, by email, of someone who has no account yet (see designs/sharing.py).

    Only a hash of the link's token is stored. It becomes a membership when its link is followed by a
    logged-in user, or when someone signs up or logs in with the email address.
    """

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="stored lower-case")
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email"], name="idx_invitation_email")]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} of {self.design_id}"

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ShareLink(models.Model):
    """A link that makes whoever follows it (logged in) a member, at most at ``role``; hash of the token only."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="share_links")
    role = models.CharField(max_length=16, choices=[(r.value, r.label) for r in Role if r != Role.OWNER])
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="the first characters of the token, to tell links apart")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0, help_text="how many people joined through it")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role} link {self.hint}… to {self.design_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
