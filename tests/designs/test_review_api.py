"""The review API: findings for viewers, one-click fixes for editors, review of unsaved documents."""

from __future__ import annotations

from typing import Any

import pytest

from designs.models import Design
from tests.compiler.review.build import D, T, col, idx, rel
from tests.designs.conftest import token_client

USERS = T("users", col("email", "text", nullable=False), comment="people")
POSTS = T("posts", col("author_id", "bigint", nullable=False), comment="articles")
DOC = D(USERS, POSTS, rels=(rel("posts", ["author_id"], "users", ["id"]),))


@pytest.fixture
def design(team: dict[str, Any]) -> Design:
    d: Design = team["design"]
    d.save_document(DOC, author=team["users"]["owner"], message="start")
    return d


def codes(body: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(f["code"], f["object_id"]) for f in body["findings"]}


@pytest.mark.parametrize("role", ["owner", "editor", "commenter", "viewer"])
def test_every_member_can_read_the_review(team: dict[str, Any], design: Design, role: str) -> None:
    response = token_client(team["users"][role]).get(f"/api/designs/{design.pk}/review")
    assert response.status_code == 200, response.content
    body = response.json()
    assert ("DS102", "r_posts_users") in codes(body)
    assert body["revision"] == design.revision_number
    finding = next(f for f in body["findings"] if f["code"] == "DS102")
    assert finding["path"] == "relationships[0]" and finding["fix"] and finding["why"]
    assert body["counts"]["warning"] >= 1


def test_a_stranger_gets_404(team: dict[str, Any], design: Design) -> None:
    assert token_client(team["users"]["stranger"]).get(f"/api/designs/{design.pk}/review").status_code == 404


def test_an_editor_applies_a_fix_as_a_new_revision(team: dict[str, Any], design: Design) -> None:
    before = design.revision_number
    client = token_client(team["users"]["editor"])
    response = client.post(
        f"/api/designs/{design.pk}/review/fix",
        {"code": "DS102", "object_id": "r_posts_users"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert ("DS102", "r_posts_users") not in codes(response.json())
    design.refresh_from_db()
    assert design.revision_number == before + 1 == response.json()["revision"]
    assert len(design.document["tables"][1]["indexes"]) == 1
    assert "DS102" in design.revisions.get(number=design.revision_number).message
    again = client.get(f"/api/designs/{design.pk}/review").json()
    assert ("DS102", "r_posts_users") not in codes(again)


@pytest.mark.parametrize("role", ["commenter", "viewer"])
def test_a_reader_cannot_apply_a_fix(team: dict[str, Any], design: Design, role: str) -> None:
    response = token_client(team["users"][role]).post(
        f"/api/designs/{design.pk}/review/fix",
        {"code": "DS102", "object_id": "r_posts_users"},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"code": "DS102", "object_id": "no_such_thing"}, 404),
        ({"code": "DS999", "object_id": "r_posts_users"}, 404),
        ({"code": "DS108", "object_id": "users"}, 404),  # users has a relationship: no such finding
    ],
)
def test_fixing_a_finding_that_is_not_there_is_404(
    team: dict[str, Any], design: Design, payload: Any, status: int
) -> None:
    response = token_client(team["users"]["owner"]).post(
        f"/api/designs/{design.pk}/review/fix", payload, content_type="application/json"
    )
    assert response.status_code == status
    design.refresh_from_db()
    assert design.revision_number == 1 + 1  # creation + "start" only


def test_a_finding_without_a_fix_is_409(team: dict[str, Any], make_user: Any) -> None:
    owner = team["users"]["owner"]
    design: Design = Design.create(owner=owner, name="Phones")
    design.save_document(D(T("people", col("phone1"), col("phone2"))), author=owner)
    response = token_client(owner).post(
        f"/api/designs/{design.pk}/review/fix",
        {"code": "repeating-columns", "object_id": "people"},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_an_unsaved_document_can_be_reviewed(team: dict[str, Any]) -> None:
    client = token_client(team["users"]["viewer"])
    doc = D(T("users", col("email"), indexes=[idx("email"), idx("email")]))
    response = client.post("/api/review", {"document": doc}, content_type="application/json")
    assert response.status_code == 200
    assert ("DS201", "users.i1") in codes(response.json()) and response.json()["revision"] is None
    off = client.post(
        "/api/review", {"document": doc, "config": {"rules": {"DS201": "off"}}}, content_type="application/json"
    )
    assert ("DS201", "users.i1") not in codes(off.json())


def test_an_invalid_unsaved_document_is_422_with_paths(team: dict[str, Any]) -> None:
    response = token_client(team["users"]["viewer"]).post(
        "/api/review", {"document": {"tables": [{"id": "t"}]}}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "document.tables[0].name"
