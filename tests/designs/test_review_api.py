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
    timing = dict(part.strip().split(";dur=") for part in response["Server-Timing"].split(","))
    assert float(timing["cpu"]) <= float(timing["review"]) + 1
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


def post_fix(client: Any, payload: Any) -> Any:
    return client.post("/api/review/fix", payload, content_type="application/json")


@pytest.mark.parametrize("role", ["viewer", "stranger"])
def test_any_signed_in_user_gets_an_unsaved_document_back_with_a_fix_applied(
    team: dict[str, Any], design: Design, role: str
) -> None:
    # Like POST /review, it touches no stored design, so membership is not needed.
    before = design.revision_number
    response = post_fix(
        token_client(team["users"][role]), {"document": DOC, "code": "fk-without-index", "object_id": "r_posts_users"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "DS102" and body["object_id"] == "r_posts_users" and body["fix"]
    posts = next(t for t in body["document"]["tables"] if t["name"] == "posts")
    assert [key["column"] for key in posts["indexes"][0]["columns"]] == ["posts.author_id"]
    review = token_client(team["users"][role]).post(
        "/api/review", {"document": body["document"]}, content_type="application/json"
    )
    assert ("DS102", "r_posts_users") not in codes(review.json())
    design.refresh_from_db()
    assert design.revision_number == before  # nothing stored


def test_a_fix_of_an_unsaved_document_needs_a_login(team: dict[str, Any]) -> None:
    from django.test import Client

    response = post_fix(Client(), {"document": DOC, "code": "DS102", "object_id": "r_posts_users"})
    assert response.status_code == 401
    assert Client().get("/api/review/rules").status_code == 401


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"document": DOC, "object_id": "r_posts_users"}, "code"),
        ({"code": "DS102", "object_id": "r_posts_users"}, "document"),
        ({"document": DOC, "code": "DS999", "object_id": "r_posts_users"}, "code"),
        ({"document": DOC, "code": "DS102", "object_id": "no_such_thing"}, "object_id"),
        ({"document": DOC, "code": "DS102"}, "object_id"),
        ({"document": {"tables": [{"id": "t"}]}, "code": "DS102", "object_id": "t"}, "document.tables[0].name"),
        ({"document": {**DOC, "format": 99}, "code": "DS102", "object_id": "r_posts_users"}, "document.format"),
    ],
    ids=["no-code", "no-document", "unknown-rule", "no-such-finding", "design-wide", "invalid", "future-format"],
)
def test_a_fix_of_an_unsaved_document_with_bad_input_is_422_with_the_field(
    team: dict[str, Any], payload: Any, path: str
) -> None:
    response = post_fix(token_client(team["users"]["viewer"]), payload)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["path"] == path, response.json()


def test_a_finding_without_a_fix_in_an_unsaved_document_is_422(team: dict[str, Any]) -> None:
    doc = D(T("people", col("phone1"), col("phone2")))
    response = post_fix(
        token_client(team["users"]["viewer"]), {"document": doc, "code": "DS701", "object_id": "people"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"path": "code", "message": "DS701 (repeating-columns) has no automatic fix"}]


def test_a_suppressed_finding_is_not_there_to_fix(team: dict[str, Any]) -> None:
    suppress = [{"rule": "DS102", "object": "posts", "reason": "posts are only read by id"}]
    doc = {**DOC, "settings": {"review": {"suppress": suppress}}}
    client = token_client(team["users"]["viewer"])
    assert ("DS102", "r_posts_users") not in codes(
        client.post("/api/review", {"document": doc}, content_type="application/json").json()
    )
    response = post_fix(client, {"document": doc, "code": "DS102", "object_id": "r_posts_users"})
    assert response.status_code == 422 and response.json()["detail"][0]["path"] == "object_id"


def test_the_rule_catalogue_lists_every_rule_and_the_naming_presets(team: dict[str, Any]) -> None:
    response = token_client(team["users"]["stranger"]).get("/api/review/rules")
    assert response.status_code == 200
    body = response.json()
    by_code = {r["code"]: r for r in body["rules"]}
    assert len(by_code) >= 40
    assert by_code["DS102"]["name"] == "fk-without-index" and by_code["DS102"]["fixable"] is True
    assert by_code["DS801"]["dialects"] == ["mysql"]
    assert body["naming_presets"]["postgres"]["index"] == "{table}_{columns}_idx"
