"""The editor's text conversions: Mermaid in, Mermaid out, errors with line and column."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.designs.conftest import token_client

MERMAID = """erDiagram
    CUSTOMER ||--o{ ORDER : places
    CUSTOMER {
        int id PK
        string name
    }
    ORDER {
        int id PK
        int customer_id FK
    }
"""


def test_mermaid_text_parses_into_a_document(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    response = client.post("/api/text/parse", {"format": "mermaid", "text": MERMAID}, content_type="application/json")
    assert response.status_code == 200, response.content
    tables = {t["name"] for t in response.json()["document"]["tables"]}
    assert tables == {"CUSTOMER", "ORDER"}


def test_a_syntax_error_comes_back_with_line_and_column(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    bad = "erDiagram\n    CUSTOMER ||--o{ : places\n"
    response = client.post("/api/text/parse", {"text": bad}, content_type="application/json")
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["path"] == "text" and problem["line"] == 2 and problem["column"] >= 1
    assert problem["message"].startswith("line 2, column")


def test_printing_then_parsing_keeps_the_document(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    parsed = client.post("/api/text/parse", {"text": MERMAID}, content_type="application/json").json()["document"]
    printed = client.post("/api/text/print", {"format": "mermaid", "document": parsed}, content_type="application/json")
    assert printed.status_code == 200
    again = client.post("/api/text/parse", {"text": printed.json()["text"]}, content_type="application/json").json()
    assert again["document"] == parsed


def test_printing_an_invalid_document_names_the_paths(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    response = client.post("/api/text/print", {"document": {"tables": [{"id": "t"}]}}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "document.tables[0].name"


def test_text_conversions_need_a_login(db: Any) -> None:
    assert Client().post("/api/text/parse", {"text": MERMAID}, content_type="application/json").status_code == 401


def test_plain_text_reads_back_against_its_base(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    base = client.post("/api/text/parse", {"text": MERMAID}, content_type="application/json").json()["document"]
    base["tables"][0]["comment"] = "People who order."
    base["tables"][0]["columns"][1]["default"] = {"kind": "literal", "value": "anonymous"}
    plain = client.post("/api/text/print", {"document": base, "details": False, "canonical": True},
                        content_type="application/json")
    assert plain.status_code == 200 and "@dbstudio" not in plain.json()["text"]
    # The stored form is what a parse of the unedited text answers, key for key.
    unedited = client.post("/api/text/parse", {"text": plain.json()["text"], "base": base},
                           content_type="application/json").json()["document"]
    assert json.dumps(plain.json()["document"]) == json.dumps(unedited)
    text = plain.json()["text"].replace("string name", "text name")
    response = client.post("/api/text/parse", {"text": text, "base": base}, content_type="application/json")
    assert response.status_code == 200, response.content
    customer = response.json()["document"]["tables"][0]
    assert customer["comment"] == "People who order."
    assert customer["columns"][1]["default"] == {"kind": "literal", "value": "anonymous"}
    assert customer["columns"][1]["type"] == {"name": "text"}


def test_an_invalid_base_is_a_422_naming_its_path(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    response = client.post("/api/text/parse", {"text": MERMAID, "base": {"tables": [{"id": "t"}]}},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "base.tables[0].name"
