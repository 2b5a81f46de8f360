from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from designs.models import ApiToken, Design, Membership, Role

ROLES = ["owner", "editor", "commenter", "viewer"]


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, **extra: Any) -> User:
        return User.objects.create_user(username=username, password="correct horse battery", **extra)

    return make


@pytest.fixture
def team(make_user: Callable[..., User]) -> dict[str, Any]:
    """A design with one user per role, plus a stranger who is not a member."""
    users = {role: make_user(role) for role in ROLES}
    users["stranger"] = make_user("stranger")
    design = Design.create(owner=users["owner"], name="Shop")
    for role in ("editor", "commenter", "viewer"):
        Membership.objects.create(design=design, user=users[role], role=Role(role))
    return {"design": design, "users": users}


def token_client(user: User) -> Client:
    _, secret = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
