"""The import page (the form without scripts) and the warnings summary the dialog shows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from designs.compiler.importing import summarize_warnings
from designs.models import Design
from tests.designs.conftest import token_client

DDL = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT 1;\nCREATE VIEW w AS SELECT 2;\n"


def logged_in(make_user: Any, name: str) -> Client:
    client = Client()
    client.force_login(make_user(name))
    return client


def test_the_summary_groups_skipped_statements_by_kind_and_keeps_every_note() -> None:
    warnings = [
        "line 44: actor.last_update: ON UPDATE x is not modelled",
        "skipped CREATE VIEW: 6 statements not modelled, at lines 351, 362",
        "skipped USE: 1 statement not modelled, at line 38",
        "55 partitions folded into their partitioned tables",
    ]
    summary = summarize_warnings(warnings)
    assert summary["skipped"] == [
        {"kind": "CREATE VIEW", "count": 6, "lines": "351, 362"},
        {"kind": "USE", "count": 1, "lines": "38"},
    ]
    assert summary["notes"] == [
        {"line": 44, "message": "actor.last_update: ON UPDATE x is not modelled"},
        {"line": None, "message": "55 partitions folded into their partitioned tables"},
    ]


def test_the_api_answers_with_the_summary_and_the_table_count(make_user: Any) -> None:
    client = token_client(make_user("ann"))
    body = {"name": "Views", "text": DDL}
    response = client.post("/api/designs/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["tables"] == 1
    assert response.json()["summary"]["skipped"] == [{"kind": "CREATE VIEW", "count": 2, "lines": "2, 3"}]


def test_the_design_list_offers_the_import_form(make_user: Any) -> None:
    page = logged_in(make_user, "bea").get("/designs/").content.decode()
    assert 'href="/designs/import/"' in page
    assert '<dialog class="import-dialog"' in page
    # The form waits in a <template> until the dialog opens; its ids do not clash with the page's form.
    assert '<template id="import-form-template">' in page
    assert 'id="import-name"' in page and 'id="id_name"' in page


def test_pasted_text_without_warnings_opens_the_new_design(make_user: Any) -> None:
    client = logged_in(make_user, "cy")
    response = client.post("/designs/import/", {"source": "text", "text": "CREATE TABLE a (id int);", "name": "Plain"})
    design = Design.objects.get(name="Plain")
    assert response.status_code == 302 and response["Location"] == f"/d/{design.slug}/"
    assert design.document["tables"][0]["name"] == "a"


def test_warnings_are_listed_before_the_design_opens(make_user: Any) -> None:
    response = logged_in(make_user, "dee").post("/designs/import/", {"source": "text", "text": DDL, "name": "V"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Imported “V”" in page and "CREATE VIEW" in page and "2, 3" in page


def test_a_bad_paste_is_a_422_with_the_position_and_the_text_kept(make_user: Any) -> None:
    text = "CREATE TABLE a (\n  b text DEFAULT 'x\n);"
    response = logged_in(make_user, "eve").post("/designs/import/", {"source": "text", "text": text, "name": "Bad"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Line 2, column 18: string starting here is never closed" in page
    assert "CREATE TABLE a (\n  b text DEFAULT &#x27;x\n);</textarea>" in page
    assert not Design.objects.filter(name="Bad").exists()


def test_an_upload_is_named_after_its_file(make_user: Any) -> None:
    upload = SimpleUploadedFile("billing.dbml", b"Table invoice {\n  id int [pk]\n}\n")
    response = logged_in(make_user, "fay").post("/designs/import/", {"source": "file", "file": upload})
    assert response.status_code == 302
    assert Design.objects.get(name="billing").document["tables"][0]["name"] == "invoice"


@override_settings(IMPORT_MAX_BYTES=100)
def test_an_upload_over_the_cap_is_refused(make_user: Any) -> None:
    upload = SimpleUploadedFile("big.sql", b"-- " + b"x" * 200)
    response = logged_in(make_user, "gus").post("/designs/import/", {"source": "file", "file": upload, "name": "Big"})
    assert response.status_code == 422
    assert "over the 100-byte limit" in response.content.decode()
    assert not Design.objects.filter(name="Big").exists()


def test_a_database_url_is_read_and_never_written_back(make_user: Any, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_SQLITE_FILES = True  # on by default only in the embedded app (no DATABASE_URL)
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    client = logged_in(make_user, "hal")
    response = client.post("/designs/import/", {"source": "url", "url": f"sqlite:///{path}", "name": "Live"})
    assert response.status_code == 302
    assert Design.objects.get(name="Live").document["tables"][0]["name"] == "item"
    assert str(tmp_path) not in json.dumps(Design.objects.get(name="Live").document)

    wrong = client.post("/designs/import/", {"source": "url", "url": "postgresql://u:hunter2@127.0.0.1:1/x"})
    assert wrong.status_code == 422
    page = wrong.content.decode()
    assert "could not read the database" in page and "hunter2" not in page


def test_a_shared_server_does_not_open_its_sqlite_files_by_url(
    make_user: Any, tmp_path: Path, settings: Any, client: Client
) -> None:
    path = tmp_path / "secret.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE secret_table (id INTEGER PRIMARY KEY)")
    settings.IMPORT_SQLITE_FILES = False
    page = logged_in(make_user, "sid").post("/designs/import/", {"source": "url", "url": f"sqlite:///{path}"})
    assert page.status_code == 422
    assert "IMPORT_SQLITE_FILES" in page.content.decode() and "secret_table" not in page.content.decode()

    client.force_login(make_user("sal"))
    api = client.post(
        "/api/designs/introspect", {"name": "S", "url": f"SQLite:///{path}"}, content_type="application/json"
    )
    assert api.status_code == 422
    assert "IMPORT_SQLITE_FILES" in api.json()["detail"]["message"]
    assert not Design.objects.filter(name__in=["S", "secret"]).exists()


def test_a_missing_input_is_a_field_error(make_user: Any) -> None:
    response = logged_in(make_user, "ivy").post("/designs/import/", {"source": "text", "text": "  "})
    assert response.status_code == 422
    assert "Paste a schema to import." in response.content.decode()


def test_the_page_needs_a_login(client: Client) -> None:
    response = client.get("/designs/import/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
