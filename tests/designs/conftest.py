from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from designs.models import ApiToken, Design, Membership, Role

ROLES = ["owner", "editor", "commenter", "viewer"]


@pytest.fixture(scope="session", autouse=True)
def close_the_sync_thread_connection(django_db_setup: Any) -> Iterator[None]:
    """Before the test database is dropped, close the connection Channels' sync thread keeps.

    Consumers run their queries on asgiref's one sync thread, whose connection lives on between calls
    (``conn_max_age=60`` on PostgreSQL, as deployed); left open, it made dropping the test database
    fail with "being accessed by other users", and the database stayed behind on the server.
    """
    yield
    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())


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
