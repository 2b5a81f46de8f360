"""GET /api/designs/{id}/diff: the migration between two versions, for viewers and up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from designs.models import Design

from .conftest import token_client

PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "migrations"


def load(name: str, side: str) -> dict[str, Any]:
    return json.loads((PAIRS / name / f"{side}.json").read_text())


def save(client: Client, design: Design, doc: dict[str, Any]) -> None:
    response = client.put(f"/api/designs/{design.pk}/document", data=json.dumps(doc), content_type="application/json")
    assert response.status_code == 200, response.content


@pytest.fixture
def versioned(team: dict[str, Any]) -> dict[str, Any]:
    """The design saved as v1 (revision 2) and v2 (revision 3): a column dropped, a table renamed."""
    design, editor = team["design"], token_client(team["users"]["editor"])
    old, new = load("compound_rename_and_extend", "old"), load("compound_rename_and_extend", "new")
    new["tables"][1]["columns"] = [c for c in new["tables"][1]["columns"] if c["id"] != "c_or_code"]
    save(editor, design, old)
    editor.post(f"/api/designs/{design.pk}/versions", data={"label": "v1"}, content_type="application/json")
    save(editor, design, new)
    editor.post(f"/api/designs/{design.pk}/versions", data={"label": "v2"}, content_type="application/json")
    return team


def get(client: Client, design: Design, **params: Any) -> Any:
    return client.get(f"/api/designs/{design.pk}/diff", params)


def test_a_viewer_gets_the_alembic_revision_between_two_versions(versioned: dict[str, Any]) -> None:
    design = versioned["design"]
    response = get(token_client(versioned["users"]["viewer"]), design, **{"from": "v1", "to": "v2"})
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == {"ref": "v1", "label": "v1", "revision": 2}
    assert body["to"]["revision"] == 3 and body["filename"] == "v2.py"
    assert "revision = 'v2'" in body["text"] and "down_revision = 'v1'" in body["text"]
    assert "op.rename_table('orders', 'purchases')" in body["text"]
    assert body["changes"]["t_orders"] == "renamed"
    assert body["changes"]["c_or_code"] == "removed"
    assert body["changes"]["c_cu_phone"] == "added"
    drop = next(op for op in body["operations"] if op["kind"] == "drop_column")
    assert {h["kind"] for h in drop["hazards"]} == {"data_loss", "incompatible"}


@pytest.mark.parametrize(
    ("to_format", "needle"),
    [
        ("postgres", "ALTER TABLE orders RENAME TO purchases"),
        ("mysql", "RENAME TO purchases"),
        ("sqlite", "PRAGMA foreign_keys = OFF"),
        ("plan", ""),
    ],
)
def test_each_format_is_rendered(versioned: dict[str, Any], to_format: str, needle: str) -> None:
    design = versioned["design"]
    body = get(
        token_client(versioned["users"]["viewer"]), design, **{"from": "v1", "to": "v2", "to_format": to_format}
    ).json()
    assert needle in body["text"]
    assert body["operations"]


def test_revision_numbers_and_current_work_too(versioned: dict[str, Any]) -> None:
    design = versioned["design"]
    client = token_client(versioned["users"]["viewer"])
    body = get(client, design, **{"from": "2"}).json()
    assert body["to"] == {"ref": "current", "label": None, "revision": 3}
    assert any(op["kind"] == "rename_table" for op in body["operations"])
    same = get(client, design, **{"from": "v2", "to": "current", "to_format": "postgres"}).json()
    assert same["operations"] == [] and same["changes"] == {}


def test_the_unsafe_plan_can_be_asked_for(versioned: dict[str, Any]) -> None:
    design = versioned["design"]
    client = token_client(versioned["users"]["viewer"])
    safe = get(client, design, **{"from": "v1", "to": "v2", "to_format": "postgres"}).json()["text"]
    unsafe = get(client, design, **{"from": "v1", "to": "v2", "to_format": "postgres", "safe": "false"}).json()["text"]
    assert "lock_timeout" in safe and "lock_timeout" not in unsafe


def test_an_unknown_version_is_a_404(versioned: dict[str, Any]) -> None:
    response = get(token_client(versioned["users"]["viewer"]), versioned["design"], **{"from": "v9"})
    assert response.status_code == 404 and "v9" in response.json()["detail"]


def test_a_stranger_cannot_see_that_the_design_exists(versioned: dict[str, Any]) -> None:
    response = get(token_client(versioned["users"]["stranger"]), versioned["design"], **{"from": "v1"})
    assert response.status_code == 404


def test_from_is_required(versioned: dict[str, Any]) -> None:
    response = get(token_client(versioned["users"]["viewer"]), versioned["design"])
    assert response.status_code == 422
