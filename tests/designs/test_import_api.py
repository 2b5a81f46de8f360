"""The import endpoint: 201 with a new design, 422 with line and column, nothing else touched."""

from __future__ import annotations

import json
from typing import Any

from designs.models import Design
from tests.designs.conftest import token_client


def test_it_imports_pasted_sql_as_a_new_design(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    body = {"name": "Shop", "format": "postgres", "text": "CREATE TABLE a (id int primary key);"}
    response = client.post("/api/designs/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Design.objects.get(name="Shop").document["tables"][0]["name"] == "a"


def test_it_answers_bad_sql_with_422_and_a_position_and_creates_nothing(make_user: Any) -> None:
    client = token_client(make_user("bob"))
    body = {"name": "Bad", "text": "CREATE TABLE a (\n  id int,\n  b text DEFAULT 'x"}
    response = client.post("/api/designs/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"]["line"] == 3
    assert not Design.objects.filter(name="Bad").exists()
