"""The permission matrix: every role (and no role) against every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.designs.conftest import token_client

VALID_DOCUMENT = {"format": 1, "name": "Shop", "tables": []}

# (method, path, body) — {id} is the design's id.
ENDPOINTS: dict[str, tuple[str, str, Any]] = {
    "list": ("get", "/api/designs", None),
    "create": ("post", "/api/designs", {"name": "New"}),
    "read": ("get", "/api/designs/{id}", None),
    "rename": ("patch", "/api/designs/{id}", {"name": "Renamed"}),
    "delete": ("delete", "/api/designs/{id}", None),
    "get_document": ("get", "/api/designs/{id}/document", None),
    "put_document": ("put", "/api/designs/{id}/document", VALID_DOCUMENT),
    "revisions": ("get", "/api/designs/{id}/revisions", None),
    "revision": ("get", "/api/designs/{id}/revisions/1", None),
    "versions": ("get", "/api/designs/{id}/versions", None),
    "create_version": ("post", "/api/designs/{id}/versions", {"label": "v1.0"}),
    "members": ("get", "/api/designs/{id}/members", None),
    "add_member": ("post", "/api/designs/{id}/members", {"username": "stranger", "role": "viewer"}),
    "remove_member": ("delete", "/api/designs/{id}/members/viewer", None),
}

# Expected status per endpoint for: owner, editor, commenter, viewer, stranger (non-member), anonymous.
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    "list": (200, 200, 200, 200, 200, 401),
    "create": (201, 201, 201, 201, 201, 401),
    "read": (200, 200, 200, 200, 404, 401),
    "rename": (200, 200, 403, 403, 404, 401),
    "delete": (204, 403, 403, 403, 404, 401),
    "get_document": (200, 200, 200, 200, 404, 401),
    "put_document": (200, 200, 403, 403, 404, 401),
    "revisions": (200, 200, 200, 200, 404, 401),
    "revision": (200, 200, 200, 200, 404, 401),
    "versions": (200, 200, 200, 200, 404, 401),
    "create_version": (201, 201, 403, 403, 404, 401),
    "members": (200, 200, 200, 200, 404, 401),
    "add_member": (201, 403, 403, 403, 404, 401),
    # The viewer may remove itself (leave); others need to be the owner.
    "remove_member": (204, 403, 403, 204, 404, 401),
}
WHO = ["owner", "editor", "commenter", "viewer", "stranger", "anonymous"]
CASES = [(endpoint, who, MATRIX[endpoint][i]) for endpoint in ENDPOINTS for i, who in enumerate(WHO)]


def call(client: Client, endpoint: str, design_id: int) -> Any:
    method, path, body = ENDPOINTS[endpoint]
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(path.format(id=design_id), **kwargs)


@pytest.mark.parametrize(("endpoint", "who", "expected"), CASES, ids=[f"{e}-{w}" for e, w, _ in CASES])
def test_each_role_gets_the_expected_status(team: dict[str, Any], endpoint: str, who: str, expected: int) -> None:
    client = Client() if who == "anonymous" else token_client(team["users"][who])
    response = call(client, endpoint, team["design"].pk)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json") or expected == 204
    if expected >= 400:
        assert isinstance(response.json()["detail"], str | list)


@pytest.mark.parametrize("endpoint", ["put_document", "rename", "create_version"])
def test_a_session_needs_the_csrf_token_to_write(team: dict[str, Any], endpoint: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(team["users"]["owner"])
    response = call(client, endpoint, team["design"].pk)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    client.cookies["csrftoken"] = "a" * 32  # what the browser holds after any page load
    method, path, body = ENDPOINTS[endpoint]
    response = getattr(client, method)(
        path.format(id=team["design"].pk),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="a" * 32,
    )
    assert response.status_code < 300, response.content


def test_a_session_reads_without_a_csrf_token(team: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(team["users"]["viewer"])
    assert client.get(f"/api/designs/{team['design'].pk}/document").status_code == 200


def test_a_revoked_or_wrong_token_is_refused(team: dict[str, Any]) -> None:
    from django.utils import timezone

    from designs.models import ApiToken

    client = token_client(team["users"]["owner"])
    assert client.get("/api/designs").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/designs").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer dbs_nope").get("/api/designs").status_code == 401
