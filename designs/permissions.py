"""Who may do what to a design. Every API endpoint and websocket goes through ``design_for``, every
page through ``page_design``."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja.errors import HttpError

from designs import collab
from designs.models import ROLE_RANK, Design, Membership, Role


def has_role(role: str | None, needed: Role) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[needed]


def design_for(user: Any, design_id: int, needed: Role) -> tuple[Design, str]:
    """The design and the user's role in it, if the user has at least ``needed``.

    A non-member gets 404, so the existence of a design is not revealed; a member whose
    role is too low gets 403 naming the role needed.
    """
    membership = (
        Membership.objects.select_related("design", "design__owner").filter(design_id=design_id, user=user).first()
    )
    if membership is None:
        raise HttpError(404, "Design not found")
    if not has_role(membership.role, needed):
        raise HttpError(403, f"This needs the {needed.value} role; you are {membership.role}")
    design = membership.design
    # Live edits the editors were told are saved, but not yet frozen into a revision, are now.
    if collab.flush_live_edits(design.pk):
        design.refresh_from_db()
    return design, membership.role


def page_design(user: Any, slug: str) -> tuple[Design, str]:
    """For a page: the design with ``slug`` and the user's role in it; a non-member gets 404, as in ``design_for``."""
    design = get_object_or_404(Design, slug=slug)
    role = design.role_of(user)
    if role is None:
        raise Http404("Design not found")
    return design, role
