"""Review of real schemas imported from the corpus: the findings an architect would point at are there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designs.compiler.document import Document
from designs.compiler.importing import import_text
from designs.compiler.review import lint

CORPUS = Path(os.environ.get("DBSTUDIO_CORPUS", "/work/shared/corpus")) / "postgres"

EXPECTED = [
    # file, rule, a piece of the message
    ("chinook.sql", "DS202", "playlist_track(playlist_id) is covered by the primary key"),
    ("chinook.sql", "DS301", "invoice.invoice_date is timestamp without time zone"),
    ("chinook.sql", "DS107", "employee_reports_to_fkey"),
    ("northwind.sql", "DS306", "order_details.unit_price stores an amount as real"),
    ("northwind.sql", "DS102", "orders(customer_id)"),
    ("pagila_schema.sql", "DS307", "actor.actor_id is serial"),
    ("pagila_schema.sql", "DS603", "staff.password"),
    ("supabase_slack_clone_full_schema.sql", "DS602", "role_permissions has row-level security but no policy"),
    ("supabase_slack_clone_full_schema.sql", "DS102", "messages(channel_id)"),
]

# The file lacks the ';' that ends a CREATE POLICY (PostgreSQL rejects it too); added in memory only.
PATCHES = {
    "supabase_slack_clone_full_schema.sql": (
        "to supabase_auth_admin\nusing (true)\n",
        "to supabase_auth_admin\nusing (true);\n",
    ),
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared schema corpus is not on this machine")
@pytest.mark.parametrize(("file", "code", "message"), EXPECTED, ids=[f"{f}-{c}" for f, c, _ in EXPECTED])
def test_an_imported_schema_gets_the_findings_an_architect_would_make(file: str, code: str, message: str) -> None:
    findings = lint(_imported(file))
    assert any(f.code == code and message in f.message for f in findings), [
        f.message for f in findings if f.code == code
    ]


_CACHE: dict[str, Document] = {}


def _imported(file: str) -> Document:
    if file not in _CACHE:
        text = (CORPUS / file).read_text()
        if file in PATCHES:
            text = text.replace(*PATCHES[file], 1)
        _CACHE[file] = import_text(text, "postgres").document
    return _CACHE[file]
