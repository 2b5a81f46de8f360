"""Review comments: anchored threads, replies, mentions, resolve/reopen, and objects that move or vanish."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.test import Client

from designs.models import Design
from tests.designs.conftest import token_client

DOC: dict[str, Any] = {
    "name": "Shop",
    "tables": [
        {
            "id": "t_users",
            "name": "users",
            "columns": [
                {"id": "c_users_id", "name": "id", "type": {"name": "bigint"}, "nullable": False},
                {"id": "c_users_email", "name": "email", "type": {"name": "text"}},
            ],
            "primary_key": {"columns": ["c_users_id"]},
            "indexes": [{"id": "i_users_email", "name": "users_by_email", "columns": [{"column": "c_users_email"}]}],
        },
        {
            "id": "t_posts",
            "name": "posts",
            "columns": [{"id": "c_posts_author", "name": "author_id", "type": {"name": "bigint"}}],
        },
    ],
    "relationships": [
        {"id": "r_posts_users", "from_table": "t_posts", "from_columns": ["c_posts_author"], "to_table": "t_users"}
    ],
}


@pytest.fixture
def design(team: dict[str, Any]) -> Design:
    d: Design = team["design"]
    d.save_document(DOC, author=team["users"]["owner"], message="start")
    return d


def post(client: Client, design: Design, data: dict[str, Any], suffix: str = "") -> Any:
    return client.post(f"/api/designs/{design.pk}/comments{suffix}", data, content_type="application/json")


def threads(client: Client, design: Design, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/designs/{design.pk}/comments{query}")
    assert response.status_code == 200, response.content
    result: list[dict[str, Any]] = response.json()
    return result


@pytest.mark.parametrize(
    ("kind", "anchor_id", "label"),
    [
        ("design", "", "Shop"),
        ("table", "t_users", "users"),
        ("column", "c_users_email", "users.email"),
        ("relationship", "r_posts_users", "posts → users"),
        ("index", "i_users_email", "users_by_email"),
    ],
)
def test_a_commenter_anchors_a_thread_to_any_kind_of_object(
    team: dict[str, Any], design: Design, kind: str, anchor_id: str, label: str
) -> None:
    client = token_client(team["users"]["commenter"])
    response = post(client, design, {"anchor_kind": kind, "anchor_id": anchor_id, "body": "Why?"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["anchor"] == {"kind": kind, "id": anchor_id, "label": label}
    assert body["outdated"] is False and body["author"] == "commenter"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("owner", 200, 201), ("editor", 200, 201), ("commenter", 200, 201), ("viewer", 200, 403), ("stranger", 404, 404)],
)
def test_commenters_and_up_write_and_viewers_only_read(
    team: dict[str, Any], design: Design, role: str, read: int, write: int
) -> None:
    client = token_client(team["users"][role])
    assert client.get(f"/api/designs/{design.pk}/comments").status_code == read
    assert post(client, design, {"body": "Looks good"}).status_code == write


def test_an_anchor_that_does_not_exist_is_refused(team: dict[str, Any], design: Design) -> None:
    client = token_client(team["users"]["commenter"])
    response = post(client, design, {"anchor_kind": "table", "anchor_id": "c_users_email", "body": "x"})
    assert response.status_code == 422


def test_replies_are_nested_under_their_thread(team: dict[str, Any], design: Design) -> None:
    commenter, editor = token_client(team["users"]["commenter"]), token_client(team["users"]["editor"])
    first = post(commenter, design, {"anchor_kind": "table", "anchor_id": "t_posts", "body": "Add a title?"}).json()
    reply = post(editor, design, {"body": "Done", "parent": first["id"]})
    assert reply.status_code == 201
    assert reply.json()["anchor"]["id"] == "t_posts"
    assert post(editor, design, {"body": "nested", "parent": reply.json()["id"]}).status_code == 422
    [thread] = threads(commenter, design)
    assert [r["body"] for r in thread["replies"]] == ["Done"]


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [
        ("@editor please look", 201, ["editor"]),
        ("cc @viewer and @owner.", 201, ["viewer", "owner"]),
        ("mail me at someone@editor.com", 201, []),
        ("@stranger can you help", 422, None),
        ("@nobody", 422, None),
    ],
)
def test_mentions_must_be_members(
    team: dict[str, Any], design: Design, body: str, status: int, mentions: list[str] | None
) -> None:
    response = post(token_client(team["users"]["commenter"]), design, {"body": body})
    assert response.status_code == status, response.content
    if mentions is not None:
        assert response.json()["mentions"] == mentions


def test_a_thread_is_resolved_and_reopened(team: dict[str, Any], design: Design) -> None:
    client = token_client(team["users"]["commenter"])
    first = post(client, design, {"body": "Naming?"}).json()
    resolved = post(client, design, {}, f"/{first['id']}/resolve")
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "commenter"
    assert threads(client, design, "?include_resolved=false") == []
    assert post(client, design, {}, f"/{first['id']}/reopen").json()["resolved_at"] is None
    assert len(threads(client, design, "?include_resolved=false")) == 1
    viewer = token_client(team["users"]["viewer"])
    assert post(viewer, design, {}, f"/{first['id']}/resolve").status_code == 403


def test_only_the_author_edits_and_the_author_or_owner_deletes(team: dict[str, Any], design: Design) -> None:
    commenter = token_client(team["users"]["commenter"])
    editor = token_client(team["users"]["editor"])
    first = post(commenter, design, {"body": "typo"}).json()
    url = f"/api/designs/{design.pk}/comments/{first['id']}"
    assert editor.patch(url, {"body": "hijack"}, content_type="application/json").status_code == 403
    edited = commenter.patch(url, {"body": "fixed @editor"}, content_type="application/json")
    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None and edited.json()["mentions"] == ["editor"]
    assert editor.delete(url).status_code == 403
    assert token_client(team["users"]["owner"]).delete(url).status_code == 204
    [thread] = threads(commenter, design)
    assert thread["deleted"] is True and thread["body"] == ""


def test_a_comment_follows_its_object_through_a_rename_and_outlives_it(team: dict[str, Any], design: Design) -> None:
    client = token_client(team["users"]["commenter"])
    post(client, design, {"anchor_kind": "column", "anchor_id": "c_users_email", "body": "unique?"})
    renamed = copy.deepcopy(DOC)
    renamed["tables"][0]["name"] = "accounts"
    renamed["tables"][0]["columns"][1]["name"] = "mail"
    design.save_document(renamed, author=team["users"]["owner"])
    [thread] = threads(client, design)
    assert thread["anchor"]["label"] == "accounts.mail" and thread["outdated"] is False
    gone = copy.deepcopy(renamed)
    gone["tables"][0]["columns"].pop()
    gone["tables"][0]["indexes"] = []
    design.save_document(gone, author=team["users"]["owner"])
    [thread] = threads(client, design)
    assert thread["outdated"] is True
    assert thread["anchor"] == {"kind": "column", "id": "c_users_email", "label": "accounts.mail"}


def test_comment_changes_are_sent_to_the_design_group(team: dict[str, Any], design: Design, settings: Any) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"design-{design.pk}", channel)
    post(
        token_client(team["users"]["commenter"]), design, {"anchor_kind": "table", "anchor_id": "t_users", "body": "hi"}
    )
    event = async_to_sync(layer.receive)(channel)
    assert event["type"] == "comment.changed" and event["action"] == "created"
    assert event["comment"]["anchor"]["label"] == "users"


def review(client: Client, design: Design, action: str = "", data: dict[str, Any] | None = None) -> Any:
    url = f"/api/designs/{design.pk}/review-state" + (f"/{action}" if action else "")
    if not action:
        return client.get(url)
    return client.post(url, data or {}, content_type="application/json")


def test_a_design_goes_through_review_to_approval(team: dict[str, Any], design: Design) -> None:
    editor, commenter = token_client(team["users"]["editor"]), token_client(team["users"]["commenter"])
    assert review(editor, design).json()["state"] == "draft"
    assert review(editor, design, "submit").json() | {"approvals": []} == {
        "state": "in_review",
        "cycle": 1,
        "revision": design.revision_number,
        "stale": False,
        "submitted_by": "editor",
        "approvals": [],
    }
    changes = review(commenter, design, "request-changes", {"note": "add an index"}).json()
    assert changes["state"] == "changes_requested" and changes["approvals"][0]["note"] == "add an index"
    assert review(editor, design, "submit").json()["cycle"] == 2
    approved = review(commenter, design, "approve").json()
    assert approved["state"] == "approved"
    assert [(a["reviewer"], a["decision"], a["revision"]) for a in approved["approvals"]] == [
        ("commenter", "approved", design.revision_number)
    ]


def test_an_edit_after_approval_makes_it_stale(team: dict[str, Any], design: Design) -> None:
    editor, owner = token_client(team["users"]["editor"]), token_client(team["users"]["owner"])
    review(editor, design, "submit")
    assert review(owner, design, "approve").json()["stale"] is False
    design.save_document({**DOC, "description": "later"}, author=team["users"]["editor"])
    state = review(token_client(team["users"]["viewer"]), design).json()
    assert state["state"] == "approved" and state["stale"] is True and state["approvals"][0]["stale"] is True


@pytest.mark.parametrize(
    ("actor", "action", "status"),
    [
        ("viewer", "approve", 403),
        ("commenter", "submit", 403),
        ("editor", "approve", 403),  # the submitter cannot approve their own review
        ("owner", "submit", 409),  # already in review
        ("stranger", "approve", 404),
    ],
)
def test_review_transitions_are_checked(
    team: dict[str, Any], design: Design, actor: str, action: str, status: int
) -> None:
    review(token_client(team["users"]["editor"]), design, "submit")
    assert review(token_client(team["users"][actor]), design, action).status_code == status


def test_a_decision_outside_review_is_a_conflict(team: dict[str, Any], design: Design) -> None:
    owner = token_client(team["users"]["owner"])
    assert review(owner, design, "approve").status_code == 409
    review(token_client(team["users"]["editor"]), design, "submit")
    assert review(owner, design, "withdraw").json()["state"] == "draft"
    assert review(owner, design, "request-changes").status_code == 409
