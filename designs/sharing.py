"""Who joins a design and how: invitations by username or email, and share links with a role cap.

Plain functions over the models, called by the JSON API (``designs/sharing_api.py``) and the members
page (``designs/views_sharing.py``). Tokens are random, shown once (in the email or to the owner who
made the link) and stored only as a SHA-256 hash.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from designs.events import tell_design
from designs.models import ROLE_RANK, Design, Invitation, Membership, Role, ShareLink, hash_token

CAPPABLE_ROLES = (Role.VIEWER, Role.COMMENTER, Role.EDITOR)


class SharingError(Exception):
    """A request that cannot be carried out; ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, field: str = "", status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def invitation_days() -> int:
    return int(getattr(settings, "DBSTUDIO_INVITATION_DAYS", 14))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def grant(design: Design, user: Any, role: str) -> tuple[Membership, bool]:
    """Make ``user`` a member with at least ``role``; an existing higher role is kept.

    Returns the membership and whether anything changed.
    """
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            design=design, user=user, defaults={"role": role}
        )
        if created:
            return membership, True
        if ROLE_RANK[Role(role)] > ROLE_RANK[Role(membership.role)]:
            membership.role = role
            membership.save(update_fields=["role"])
            return membership, True
    return membership, False


# --- invitations -----------------------------------------------------------------------------------


@dataclass
class Invited:
    """What ``invite`` did: added an existing user (``membership``) or sent an ``invitation``."""

    membership: Membership | None = None
    created: bool = False
    invitation: Invitation | None = None
    token: str = ""


def set_role(design: Design, user: Any, role: str) -> tuple[Membership, bool]:
    """Give an existing user exactly ``role`` (the owner's choice), keeping at least one owner."""
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            design=design, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            ensure_an_owner_remains(design, membership, role)
            membership.role = role
            membership.save(update_fields=["role"])
    return membership, created


def ensure_an_owner_remains(design: Design, membership: Membership, new_role: str | None) -> None:
    losing_an_owner = membership.role == Role.OWNER and new_role != Role.OWNER
    if losing_an_owner and not design.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk).exists():
        raise SharingError("A design must keep at least one owner", "role", status=403)


def invite(design: Design, by: Any, who: str, role: str, link_for: Any) -> Invited:
    """Invite ``who`` (a username or an email address) as ``role``.

    A user with that username, or with that email, is added at once. An email address nobody has
    yet gets a pending invitation, mailed with a link (``link_for(token)`` makes it absolute).
    """
    who = who.strip()
    if not who:
        raise SharingError("Give a username or an email address", "who")
    User = get_user_model()
    is_email = "@" in who
    users = User.objects.filter(is_active=True)
    user = users.filter(email__iexact=who).order_by("pk").first() if is_email else users.filter(username=who).first()
    if user is not None:
        membership, created = set_role(design, user, role)
        return Invited(membership=membership, created=created)
    if not is_email:
        raise SharingError(f"No user is called {who!r}; to invite someone new, give their email address", "who")
    try:
        validate_email(who)
    except ValidationError:
        raise SharingError(f"{who!r} is not a valid email address", "who") from None
    email = who.lower()
    token = new_token()
    with transaction.atomic():
        # A second invitation replaces the first: one pending invitation per address and design.
        pending = Invitation.objects.filter(design=design, email=email, accepted_at__isnull=True)
        pending.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            design=design,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=invitation_days()),
        )
    send_invitation(invitation, by, link_for(token))
    return Invited(invitation=invitation, token=token)


def send_invitation(invitation: Invitation, by: Any, link: str) -> None:
    inviter = by.get_username() if by is not None else "Someone"
    design = invitation.design.name
    body = (
        f"{inviter} invited you to work on the database design “{design}” in DB Studio as {invitation.role}.\n\n"
        f"Open this link to accept (sign up first if you have no account; it works once):\n{link}\n\n"
        f"The invitation expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC. "
        f"Signing up or logging in with this email address ({invitation.email}) accepts it too.\n"
    )
    send_mail(f"{inviter} invited you to “{design}” on DB Studio", body, None, [invitation.email])


def pending_invitations(design: Design) -> list[Invitation]:
    now = timezone.now()
    rows = design.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    return list(rows.select_related("invited_by"))


def accept_invitation(token: str, user: Any) -> tuple[Membership, Invitation]:
    """Accept the invitation whose link holds ``token``, as ``user`` (the link is the proof)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("design").filter(token_hash=hash_token(token)).first()
        )
        if invitation is None:
            raise SharingError("This invitation link is not valid", "token", status=404)
        if invitation.revoked_at is not None:
            raise SharingError("This invitation was withdrawn; ask the design's owner for a new one", "token", 410)
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                membership = Membership.objects.filter(design=invitation.design, user=user).first()
                if membership is not None:
                    return membership, invitation
            raise SharingError("This invitation was already used", "token", status=410)
        if invitation.expires_at <= timezone.now():
            raise SharingError(
                f"This invitation expired on {invitation.expires_at:%Y-%m-%d}; ask for a new one", "token", 410
            )
        membership, _ = grant(invitation.design, user, invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership, invitation


def claim_invitations(user: Any) -> list[Membership]:
    """Accept every pending invitation to ``user``'s email address (on sign-up and log-in)."""
    email = (getattr(user, "email", "") or "").strip().lower()
    if not email:
        return []
    joined = []
    now = timezone.now()
    with transaction.atomic():
        invitations = Invitation.objects.select_for_update().filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        for invitation in invitations.select_related("design"):
            membership, _ = grant(invitation.design, user, invitation.role)
            invitation.accepted_at = now
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            joined.append(membership)
    return joined


# --- share links -----------------------------------------------------------------------------------


def create_share_link(design: Design, by: Any, role: str, days: int) -> tuple[ShareLink, str]:
    """A new link granting at most ``role`` (never owner), valid for ``days`` days; the row and its token."""
    if role not in CAPPABLE_ROLES:
        raise SharingError("A share link can grant viewer, commenter or editor, never owner", "role")
    token = new_token()
    link = ShareLink.objects.create(
        design=design,
        role=role,
        token_hash=hash_token(token),
        hint=token[:8],
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, token


def active_share_links(design: Design) -> list[ShareLink]:
    rows = design.share_links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return list(rows.select_related("created_by"))


def share_link_of(token: str) -> ShareLink:
    """The usable link with ``token``, or a SharingError saying why it cannot be used."""
    link = ShareLink.objects.select_related("design").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise SharingError("This share link is not valid", "token", status=404)
    if link.revoked_at is not None:
        raise SharingError("This share link was revoked by the design's owner", "token", status=410)
    if link.expires_at <= timezone.now():
        raise SharingError(f"This share link expired on {link.expires_at:%Y-%m-%d}", "token", status=410)
    return link


def follow_share_link(token: str, user: Any) -> tuple[Membership, bool, ShareLink]:
    """Join through a share link: membership at the link's role, never lowering a higher one."""
    link = share_link_of(token)
    membership, changed = grant(link.design, user, link.role)
    if changed:
        ShareLink.objects.filter(pk=link.pk).update(uses=link.uses + 1)
    return membership, changed, link


def revoke(row: Invitation | ShareLink) -> None:
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])


def notify_membership_changed(design_id: int, username: str) -> None:
    """Tell the member's open sockets to re-read their role (a removed member's socket is closed)."""
    # Lost only if the layer is down: the socket re-checks the role on its next connect.
    tell_design(design_id, {"type": "membership.changed", "username": username})
