"""Every endpoint answers malformed input with a JSON 4xx, never a 500 (the API's error contract).

The endpoints are read from the OpenAPI schema, so a new one is swept without editing this file.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.designs.conftest import token_client

BODIES: list[tuple[str, str]] = [
    ("not json", "text/plain"),
    ("{", "application/json"),
    ("[]", "application/json"),
    ("null", "application/json"),
    ('"text"', "application/json"),
    ("{}", "application/json"),
    ('{"name": 5, "document": [], "text": {}, "format": 7, "role": [], "body": 1, "anchor": "x", "to": null}',
     "application/json"),
    ('{"name": "' + "x" * 5000 + '", "text": "\\u0000", "username": "../../etc", "revision": -1}', "application/json"),
    ('{"document": {"tables": [{"id": "t", "name": null}]}, "revision": "abc", "targets": ["nope"]}',
     "application/json"),
]
QUERIES: list[dict[str, str]] = [
    {},
    {"from": "v9", "to": "zz", "to_format": "nope", "format": "nope"},
    {"from": "-1", "to": "999999", "limit": "abc", "offset": "-5", "table": "\x00"},
]
PATH_VALUES = {"number": ["0", "999999"], "username": ["nobody", "%2E%2E"], "job_id": ["999999"],
               "comment_id": ["999999"], "invitation_id": ["999999"], "link_id": ["999999"]}


def _paths(client: Client) -> list[tuple[str, str]]:
    schema = client.get("/api/openapi.json").json()
    found = [(path, method) for path, methods in schema["paths"].items() for method in methods]
    return sorted(found, key=lambda pm: pm[1] == "delete")  # deletes last: the design must stay for the rest


def _expand(path: str, design_id: int) -> list[str]:
    urls = [path.replace("{design_id}", str(design_id))]
    for name, values in PATH_VALUES.items():
        if "{" + name + "}" in urls[0]:
            urls = [u.replace("{" + name + "}", v) for u in urls for v in values]
    assert not re.search(r"\{\w+\}", urls[0]), f"no test values for a parameter of {path}"
    return urls


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), what
        assert isinstance(response.json(), dict), what


@pytest.mark.parametrize("who", ["owner", "viewer", "stranger"])
def test_no_endpoint_answers_malformed_input_with_a_500(team: dict[str, Any], who: str) -> None:
    client = token_client(team["users"][who])
    design_id = team["design"].pk
    swept = 0
    for path, method in _paths(client):
        if path == "/api/designs/introspect":
            continue  # connects to the URL it is given; its bad input is tested in test_import_api
        for url in _expand(path, design_id):
            if method == "get":
                for query in QUERIES:
                    _check(client.get(url, query), f"GET {url} {query}")
                    swept += 1
            else:
                for body, media in BODIES:
                    response = getattr(client, method)(url, body, content_type=media)
                    _check(response, f"{method.upper()} {url} {body[:40]}")
                    swept += 1
    assert swept > 200
