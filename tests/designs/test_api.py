"""The designs API: documents, revisions, versions, members, and JSON errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from designs.models import Design, Revision
from tests.designs.conftest import token_client


def doc_with_table(name: str = "users") -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Shop",
        "tables": [
            {
                "id": "t_users",
                "name": name,
                "columns": [{"id": "c_id", "name": "id", "type": {"name": "bigint"}, "nullable": False}],
                "primary_key": {"columns": ["c_id"]},
            }
        ],
    }


def put(client: Client, design: Design, body: Any) -> Any:
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.put(f"/api/designs/{design.pk}/document", data=raw, content_type="application/json")


def test_creating_a_design_makes_the_owner_and_the_first_revision(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    response = client.post("/api/designs", data={"name": "Billing"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Billing" and body["role"] == "owner" and body["revision"] == 1
    assert body["slug"].startswith("billing-") and body["url"] == f"/d/{body['slug']}/"
    assert client.get(f"/api/designs/{body['id']}/document").json()["name"] == "Billing"
    assert [d["id"] for d in client.get("/api/designs").json()] == [body["id"]]


def prefixed_tables(placed: bool) -> dict[str, Any]:
    """Six tables in two name prefixes (crm_*, hr_*), crm_notes pointing at crm_accounts."""
    doc: dict[str, Any] = {"format": 1, "name": "Team", "tables": [], "relationships": []}
    for i, name in enumerate(["crm_accounts", "crm_notes", "crm_tags", "hr_people", "hr_teams", "hr_roles"]):
        column = {"id": f"t{i}.id", "name": "id", "type": {"name": "bigint"}}
        table: dict[str, Any] = {"id": f"t{i}", "name": name, "columns": [column]}
        if placed:
            table["position"] = {"x": 400 * i, "y": 0}
        doc["tables"].append(table)
    doc["relationships"].append({"id": "r0", "from_table": "t1", "to_table": "t0"})
    return doc


def test_a_design_created_with_tables_nobody_arranged_is_laid_out_as_a_map(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    body = {"name": "Team", "document": prefixed_tables(placed=False)}
    created = client.post("/api/designs", data=body, content_type="application/json").json()
    stored = client.get(f"/api/designs/{created['id']}/document").json()
    assert sorted(a["name"] for a in stored["areas"]) == ["crm", "hr"]
    pos = {t["name"]: t.get("position", {}) for t in stored["tables"]}
    assert all(p.get("x") or p.get("y") for p in pos.values())  # nobody left at the origin
    assert pos["crm_accounts"]["x"] < pos["crm_notes"]["x"]  # the referenced table on the left
    # The first revision is the laid-out document: what a compile or diff reads.
    assert Revision.objects.get(design_id=created["id"], number=1).document == stored


def test_a_design_created_with_positions_keeps_them(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    body = {"name": "Team", "document": prefixed_tables(placed=True)}
    created = client.post("/api/designs", data=body, content_type="application/json").json()
    stored = client.get(f"/api/designs/{created['id']}/document").json()
    positions = [(t.get("position", {}).get("x", 0), t.get("position", {}).get("y", 0)) for t in stored["tables"]]
    assert positions == [(400 * i, 0) for i in range(6)]
    assert "areas" not in stored


def test_creating_a_design_with_an_invalid_document_names_the_paths(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    bad = {"name": "X", "document": {"tables": [{"id": "t", "name": "a", "columns": "nope"}]}}
    response = client.post("/api/designs", data=bad, content_type="application/json")
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["detail"]] == ["document.tables[0].columns"]
    assert not Design.objects.exists()


def test_a_put_with_three_errors_names_all_three_and_changes_nothing(team: dict[str, Any]) -> None:
    design = team["design"]
    client = token_client(team["users"]["editor"])
    assert put(client, design, doc_with_table()).status_code == 200
    before = Design.objects.get(pk=design.pk).document
    revisions_before = Revision.objects.filter(design=design).count()

    bad = doc_with_table()
    bad["tables"][0]["columns"][0]["type"]["name"] = "varchr"  # 1: unknown type
    bad["tables"][0]["colour"] = "#ff0000"  # 2: unknown field
    bad["relationships"] = [{"id": "r1", "from_table": "t_users"}]  # 3: missing to_table
    response = put(client, design, bad)

    assert response.status_code == 422
    paths = sorted(e["path"] for e in response.json()["detail"])
    assert paths == ["relationships[0].to_table", "tables[0].colour", "tables[0].columns[0].type.name"]
    assert all(e["message"] for e in response.json()["detail"])
    assert Design.objects.get(pk=design.pk).document == before
    assert Revision.objects.filter(design=design).count() == revisions_before


def test_semantic_errors_are_reported_with_paths_too(team: dict[str, Any]) -> None:
    bad = doc_with_table()
    bad["tables"][0]["primary_key"]["columns"] = ["c_missing"]
    bad["tables"].append(dict(doc_with_table()["tables"][0], id="t_two"))
    response = put(token_client(team["users"]["owner"]), team["design"], bad)
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["detail"]}
    assert "tables[0].primary_key.columns[0]" in paths
    assert "tables[1].name" in paths  # duplicate table name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON at line 1, column 2"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_document_gets_a_clear_422(team: dict[str, Any], raw: bytes, message: str) -> None:
    response = put(token_client(team["users"]["owner"]), team["design"], raw)
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["message"]


def test_an_oversized_document_is_refused(team: dict[str, Any], settings: Any) -> None:
    settings.DBSTUDIO_MAX_DOCUMENT_BYTES = 1000
    response = put(token_client(team["users"]["owner"]), team["design"], {"name": "x" * 2000})
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_each_accepted_put_makes_a_numbered_revision(team: dict[str, Any]) -> None:
    design, client = team["design"], token_client(team["users"]["editor"])
    put(client, design, doc_with_table("users"))
    put(client, design, doc_with_table("accounts"))
    listing = client.get(f"/api/designs/{design.pk}/revisions").json()
    assert [r["number"] for r in listing] == [3, 2, 1]
    assert listing[0]["author"] == "editor"
    second = client.get(f"/api/designs/{design.pk}/revisions/2").json()
    assert second["document"]["tables"][0]["name"] == "users"
    assert client.get(f"/api/designs/{design.pk}/revisions/99").status_code == 404


def test_a_version_names_a_revision_and_labels_are_unique(team: dict[str, Any]) -> None:
    design, client = team["design"], token_client(team["users"]["editor"])
    put(client, design, doc_with_table())
    url = f"/api/designs/{design.pk}/versions"
    first = client.post(
        url, data={"label": "v1.0", "revision": 1, "notes": "first cut"}, content_type="application/json"
    )
    assert first.status_code == 201 and first.json()["revision"] == 1
    latest = client.post(url, data={"label": "v1.1"}, content_type="application/json")
    assert latest.json()["revision"] == 2
    again = client.post(url, data={"label": "v1.0"}, content_type="application/json")
    assert again.status_code == 409
    missing = client.post(url, data={"label": "v9", "revision": 42}, content_type="application/json")
    assert missing.status_code == 404
    bad = client.post(url, data={"label": "no spaces please"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["path"] == "label"
    assert [v["label"] for v in client.get(url).json()] == ["v1.1", "v1.0"]


def test_members_are_added_by_username_or_email_and_roles_change(team: dict[str, Any], make_user: Any) -> None:
    design, owner = team["design"], token_client(team["users"]["owner"])
    make_user("dana", email="Dana@Example.com")
    url = f"/api/designs/{design.pk}/members"
    added = owner.post(url, data={"username": "dana@example.com", "role": "commenter"}, content_type="application/json")
    assert added.status_code == 201 and added.json() == added.json() | {"username": "dana", "role": "commenter"}
    changed = owner.post(url, data={"username": "dana", "role": "editor"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["role"] == "editor"
    assert (
        owner.post(url, data={"username": "nobody", "role": "viewer"}, content_type="application/json").status_code
        == 404
    )
    bad_role = owner.post(url, data={"username": "dana", "role": "admin"}, content_type="application/json")
    assert bad_role.status_code == 422 and bad_role.json()["detail"][0]["path"] == "role"
    assert {m["username"] for m in owner.get(url).json()} == {"owner", "editor", "commenter", "viewer", "dana"}


def test_the_last_owner_cannot_leave_or_be_demoted(team: dict[str, Any]) -> None:
    design, owner = team["design"], token_client(team["users"]["owner"])
    url = f"/api/designs/{design.pk}/members"
    assert owner.delete(f"{url}/owner").status_code == 403
    demote = owner.post(url, data={"username": "owner", "role": "editor"}, content_type="application/json")
    assert demote.status_code == 403
    owner.post(url, data={"username": "editor", "role": "owner"}, content_type="application/json")
    assert owner.delete(f"{url}/owner").status_code == 204


def test_deleting_a_design_removes_its_revisions_and_versions(team: dict[str, Any]) -> None:
    design, owner = team["design"], token_client(team["users"]["owner"])
    owner.post(f"/api/designs/{design.pk}/versions", data={"label": "v1"}, content_type="application/json")
    assert owner.delete(f"/api/designs/{design.pk}").status_code == 204
    assert not Design.objects.filter(pk=design.pk).exists()
    assert not Revision.objects.filter(design_id=design.pk).exists()


def test_errors_are_json_never_html(team: dict[str, Any]) -> None:
    client = token_client(team["users"]["owner"])
    for path in ["/api/nope", "/api/designs/999999", "/api/designs/abc"]:
        response = client.get(path)
        assert response.status_code in (404, 422), path
        assert response["Content-Type"].startswith("application/json"), path
        assert "detail" in response.json()
    bad_body = client.post("/api/designs", data="{", content_type="application/json")
    assert bad_body.status_code in (400, 422) and bad_body["Content-Type"].startswith("application/json")


def test_openapi_lists_every_endpoint_and_the_document_schema(client: Client, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, methods in {
        "/api/designs": {"get", "post"},
        "/api/designs/{design_id}": {"get", "patch", "delete"},
        "/api/designs/{design_id}/document": {"get", "put"},
        "/api/designs/{design_id}/revisions": {"get"},
        "/api/designs/{design_id}/revisions/{number}": {"get"},
        "/api/designs/{design_id}/versions": {"get", "post"},
        "/api/designs/{design_id}/members": {"get", "post"},
        "/api/designs/{design_id}/members/{username}": {"delete"},
    }.items():
        assert methods <= set(paths[path]), path
    assert "DesignDocument" in schema["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_openapi_has_no_key_twice_in_any_object(client: Client, db: Any) -> None:
    # JSON readers keep the last of two equal keys; Swagger UI refuses the whole document instead
    # ("duplicated mapping key"): an int and a str status code both rendered as "200" did that.
    repeated: list[list[str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        repeated.extend([sorted({k for k in keys if keys.count(k) > 1})] if len(set(keys)) < len(keys) else [])
        return dict(items)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=pairs)
    assert repeated == []


@pytest.mark.parametrize(
    ("to", "needle", "media"),
    [
        ("postgres", "CONSTRAINT pk_users PRIMARY KEY (id)", "application/sql"),
        ("sqlite", "PRAGMA foreign_keys", "application/sql"),
        ("mysql", "ENGINE=InnoDB", "application/sql"),
        ("mermaid", "erDiagram", "text/vnd.mermaid"),
        ("json", '"t_users"', "application/json"),
    ],
)
def test_export_returns_the_file_for_each_format(team: dict[str, Any], to: str, needle: str, media: str) -> None:
    design, client = team["design"], token_client(team["users"]["viewer"])
    put(token_client(team["users"]["owner"]), design, doc_with_table())
    response = client.get(f"/api/designs/{design.pk}/export", {"to": to})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(media)
    assert needle in response.content.decode()
    assert response["Content-Disposition"].startswith(f'attachment; filename="{design.slug}.')


def test_export_as_json_carries_the_warnings_and_reads_old_revisions(team: dict[str, Any]) -> None:
    design, client = team["design"], token_client(team["users"]["owner"])
    put(client, design, doc_with_table("first"))
    put(client, design, doc_with_table("second"))
    url = f"/api/designs/{design.pk}/export"
    body = client.get(url, {"to": "sqlite", "revision": "2"}, HTTP_ACCEPT="application/json").json()
    assert "CREATE TABLE first" in body["text"] and body["warnings"] == [] and body["filename"].endswith(".sqlite.sql")
    assert client.get(url, {"to": "sqlite", "revision": "99"}).status_code == 404
    bad = client.get(url, {"to": "oracle"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["path"] == "to"
