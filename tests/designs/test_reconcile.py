"""Reconciling a document saved outside the live session (REST PUT, import) into the live Y.Doc.

The change must be granular: fields set in place, list items matched by id and only the added,
removed or moved ones inserted or deleted, so a concurrent live edit elsewhere in the same table or
column survives. And only what the save changed is applied, so live edits stored since the revision
the save started from survive too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map

from designs import collab
from designs.models import Design
from tests.designs.test_consumer import YClient, run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "designs"
Change = Callable[[dict[str, Any]], None]


def blog() -> dict[str, Any]:
    return dict(json.loads((FIXTURES / "blog.json").read_text()))


def table(doc: dict[str, Any], table_id: str) -> dict[str, Any]:
    return next(t for t in doc["tables"] if t["id"] == table_id)


def insert_table_first(doc: dict[str, Any]) -> None:
    column = {"id": "c_new_id", "name": "id", "type": {"name": "int"}}
    doc["tables"].insert(0, {"id": "t_new", "name": "tags", "columns": [column]})


def drop_a_column(doc: dict[str, Any]) -> None:
    table(doc, "t_users")["columns"] = [c for c in table(doc, "t_users")["columns"] if c["id"] != "c_users_created"]


def move_last_table_first(doc: dict[str, Any]) -> None:
    doc["tables"].insert(0, doc["tables"].pop())


def reverse_columns(doc: dict[str, Any]) -> None:
    table(doc, "t_users")["columns"].reverse()


def rename_and_retype(doc: dict[str, Any]) -> None:
    column = table(doc, "t_users")["columns"][2]
    column["name"], column["type"] = "nickname", {"name": "text"}


def drop_a_table(doc: dict[str, Any]) -> None:
    doc["tables"] = [t for t in doc["tables"] if t["id"] != "t_comments"]
    doc["relationships"] = [r for r in doc.get("relationships", []) if "t_comments" not in json.dumps(r)]


SAVES: dict[str, Change] = {
    "insert a table first": insert_table_first,
    "drop a column": drop_a_column,
    "move the last table first": move_last_table_first,
    "reverse a table's columns": reverse_columns,
    "rename and retype a column": rename_and_retype,
    "drop a table": drop_a_table,
}


def saved(change: Change) -> dict[str, Any]:
    doc = blog()
    change(doc)
    return doc


def live_copy(ydoc: Doc) -> Doc:
    other: Doc = Doc()
    other.apply_update(ydoc.get_update())
    return other


def y_table(ydoc: Doc, table_id: str) -> Map:
    return next(t for t in collab.root(ydoc)["tables"] if t["id"] == table_id)


@pytest.mark.parametrize("name", list(SAVES))
def test_the_live_doc_ends_up_holding_the_saved_document(name: str) -> None:
    ydoc = collab.doc_from_json(blog())
    collab.reconcile(ydoc, saved(SAVES[name]))
    assert collab.document_of(ydoc) == collab.to_json(collab.full_form(saved(SAVES[name])))


@pytest.mark.parametrize("name", list(SAVES))
def test_a_concurrent_live_edit_to_another_field_of_the_same_table_survives_a_rest_save(name: str) -> None:
    server = collab.doc_from_json(blog())
    client = live_copy(server)
    # The client edits the users table's comment and (unless the save moves it) its email column's
    # comment; its update has not reached the server when the REST save is reconciled there.
    column = name != "reverse a table's columns"
    before = client.get_state()
    with client.transaction():
        y_table(client, "t_users")["comment"] = "People who write, edited live"
        if column:
            email = next(c for c in y_table(client, "t_users")["columns"] if c["id"] == "c_users_email")
            email["comment"] = "Edited live"
    live_edit = client.get_update(before)
    change = collab.reconcile(server, saved(SAVES[name]))
    for doc, update in ((server, live_edit), (client, change)):
        doc.apply_update(update)
    assert collab.document_of(server) == collab.document_of(client)
    expected = saved(SAVES[name])
    table(expected, "t_users")["comment"] = "People who write, edited live"
    if column:
        next(c for c in table(expected, "t_users")["columns"] if c["id"] == "c_users_email")["comment"] = "Edited live"
    assert collab.document_of(server) == collab.to_json(collab.full_form(expected))


def test_only_what_changed_is_written() -> None:
    ydoc = collab.doc_from_json(blog())
    change = collab.reconcile(ydoc, saved(insert_table_first))
    # The update carries the new table alone, not the document again.
    assert len(change) < len(collab.doc_from_json(saved(insert_table_first)).get_update()) / 3
    assert collab.reconcile(ydoc, saved(insert_table_first)) == collab.EMPTY_UPDATE


def test_a_move_reinserts_only_the_moved_item_with_its_live_edits() -> None:
    ydoc = collab.doc_from_json(blog())
    tables = [t["id"] for t in collab.root(ydoc)["tables"]]
    client = live_copy(ydoc)
    # Concurrently, someone edits every table; only the moved one is re-inserted, so only its
    # concurrent edit is lost (its stored edits would move with it).
    before = client.get_state()
    with client.transaction():
        for t in collab.root(client)["tables"]:
            t["comment"] = f"live {t['id']}"
    live_edit = client.get_update(before)
    change = collab.reconcile(ydoc, saved(move_last_table_first))
    ydoc.apply_update(live_edit)
    client.apply_update(change)
    assert collab.document_of(ydoc) == collab.document_of(client)
    after = collab.document_of(ydoc)["tables"]
    assert [t["id"] for t in after] == [tables[-1], *tables[:-1]]
    assert [t["comment"] for t in after[1:]] == [f"live {t}" for t in tables[:-1]]


def test_a_save_changes_only_what_it_changed_since_its_base() -> None:
    base = blog()
    ydoc = collab.doc_from_json(base)
    # Live edits stored since the base revision: a column renamed, a table added, one deleted.
    with ydoc.transaction():
        email = next(c for c in y_table(ydoc, "t_users")["columns"] if c["id"] == "c_users_email")
        email["name"] = "mail"
        collab.root(ydoc)["tables"].append(collab.to_y({"id": "t_live", "name": "live", "columns": []}))
    # The REST save (made from the base revision) renames the users table and adds a column to it.
    rest = copy.deepcopy(base)
    table(rest, "t_users")["name"] = "accounts"
    table(rest, "t_users")["columns"].append({"id": "c_users_bio", "name": "bio", "type": {"name": "text"}})
    collab.reconcile(ydoc, rest, base=base)
    merged = collab.document_of(ydoc)
    users = table(merged, "t_users")
    assert users["name"] == "accounts"
    assert [c["name"] for c in users["columns"]] == ["id", "mail", "display_name", "created_at", "bio"]
    assert [t["id"] for t in merged["tables"]][-1] == "t_live"


def test_a_live_edit_stored_before_a_rest_save_survives_it(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]
    design.save_document(blog(), author=team["users"]["owner"], message="blog")
    first_table = design.document["tables"][0]["id"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        # Stored in the log, not yet a revision (the save delay is 30 s in these tests).
        await a.edit(lambda root: root["tables"][0].__setitem__("comment", "edited live"))

        def save_through_rest() -> None:
            current = Design.objects.get(pk=design.pk)
            assert current.document["tables"][0]["comment"] == "People who write"  # the revision lacks the live edit
            renamed = copy.deepcopy(current.document)
            renamed["tables"][0]["name"] = "purchases"
            current.save_document(renamed, author=team["users"]["owner"], message="script")

        # Wait until the live edit is stored: a second socket sees it.
        watcher = YClient(team["users"]["viewer"], design.pk)
        await watcher.connect()
        await watcher.pump(lambda: watcher.document()["tables"][0].get("comment") == "edited live")
        await sync_to_async(save_through_rest)()
        for client in (a, watcher):

            def renamed(client: YClient = client) -> bool:
                return client.table_names()[0] == "purchases"

            await client.pump(renamed)
            assert client.document()["tables"][0]["comment"] == "edited live"

    run(scenario)
    state, _ = collab.load_state(design.pk)
    ydoc: Doc = Doc()
    ydoc.apply_update(state)
    stored = collab.document_of(ydoc)
    assert stored["tables"][0]["id"] == first_table
    assert (stored["tables"][0]["name"], stored["tables"][0]["comment"]) == ("purchases", "edited live")


@pytest.mark.parametrize(
    ("start", "end"),
    [("blog.json", "ecommerce.json"), ("ecommerce.json", "enums.json"), ("cycles.json", "blog.json")],
)
@pytest.mark.parametrize("with_base", [False, True])
def test_any_document_reconciles_into_any_other(start: str, end: str, with_base: bool) -> None:
    first = json.loads((FIXTURES / start).read_text())
    second = json.loads((FIXTURES / end).read_text())
    ydoc = collab.doc_from_json(first)
    collab.reconcile(ydoc, second, base=first if with_base else None)
    assert collab.document_of(ydoc) == collab.to_json(collab.full_form(second))


# --- random saves against random live edits -----------------------------------------------------------

# A REST save, as steps on plain data: (kind, a, b) with a, b picking tables/columns by position.
SaveStep = tuple[str, int, int]
save_steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["drop table", "add table", "move table", "rename table", "drop column", "add column", "move column"]
        ),
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    max_size=6,
)


def small_design(tables: int = 5, columns: int = 3) -> dict[str, Any]:
    return {
        "name": "random",
        "tables": [
            {
                "id": f"t{i}",
                "name": f"table{i}",
                "columns": [{"id": f"t{i}c{j}", "name": f"col{j}", "type": {"name": "int"}} for j in range(columns)],
            }
            for i in range(tables)
        ],
    }


def apply_save(doc: dict[str, Any], steps: list[SaveStep]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    tables = doc["tables"]
    for n, (kind, a, b) in enumerate(steps):
        if kind == "add table":
            tables.insert(a % (len(tables) + 1), {"id": f"rest{n}", "name": f"rest{n}", "columns": []})
            continue
        if not tables:
            continue
        t = tables[a % len(tables)]
        columns = t["columns"]
        if kind == "drop table":
            tables.remove(t)
        elif kind == "move table":
            tables.insert(b % len(tables), tables.pop(a % len(tables)))
        elif kind == "rename table":
            t["name"] = f"{t['name']}_r{n}"
        elif kind == "add column":
            column = {"id": f"{t['id']}rest{n}", "name": f"rest{n}", "type": {"name": "int"}}
            columns.insert(b % (len(columns) + 1), column)
        elif columns and kind == "drop column":
            columns.pop(b % len(columns))
        elif columns and kind == "move column":
            columns.insert(a % len(columns), columns.pop(b % len(columns)))
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=save_steps, commented=st.sets(st.integers(0, 4)), retyped=st.sets(st.integers(0, 4)))
def test_a_random_save_keeps_every_stored_live_edit_it_did_not_touch(
    steps: list[SaveStep], commented: set[int], retyped: set[int]
) -> None:
    base = small_design()
    ydoc = collab.doc_from_json(base)
    # Stored live edits since the base revision: table comments, a column's type, a table added last.
    with ydoc.transaction():
        for i in commented:
            y_table(ydoc, f"t{i}")["comment"] = f"live {i}"
        for i in retyped:
            y_table(ydoc, f"t{i}")["columns"][0]["type"]["name"] = "bigint"
        collab.root(ydoc)["tables"].append(collab.to_y({"id": "live", "name": "live", "columns": []}))
    rest = apply_save(base, steps)
    collab.reconcile(ydoc, rest, base=base)

    merged = collab.document_of(ydoc)
    assert [t["id"] for t in merged["tables"] if t["id"] != "live"] == [t["id"] for t in rest["tables"]]
    assert "live" in [t["id"] for t in merged["tables"]]
    expected = collab.to_json(collab.full_form(rest))
    for t in expected["tables"]:
        i = int(t["id"][1:]) if t["id"][1:].isdigit() else -1
        if i in commented:
            t["comment"] = f"live {i}"
        for column in t["columns"]:
            if i in retyped and column["id"] == f"t{i}c0":
                column["type"]["name"] = "bigint"
    assert [t for t in merged["tables"] if t["id"] != "live"] == expected["tables"]


def moved_ids(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> set[str]:
    """The ids reconcile re-inserts to turn ``before``'s order into ``after``'s: all kept ones but the
    longest run already in order."""
    ids_before, ids_after = [t["id"] for t in before], [t["id"] for t in after]
    common_before = [i for i in ids_before if i in ids_after]
    common_after = [i for i in ids_after if i in ids_before]
    return set(common_before) - set(collab._longest_common_subsequence(common_before, common_after))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=save_steps, commented=st.sets(st.integers(0, 4)))
def test_a_random_save_and_concurrent_live_edits_converge(steps: list[SaveStep], commented: set[int]) -> None:
    server = collab.doc_from_json(small_design())
    client = live_copy(server)
    before = client.get_state()
    with client.transaction():
        for i in commented:
            y_table(client, f"t{i}")["comment"] = f"live {i}"
    live_edit = client.get_update(before)
    rest = apply_save(small_design(), steps)
    change = collab.reconcile(server, rest)
    server.apply_update(live_edit)
    client.apply_update(change)
    merged = collab.document_of(server)
    assert merged == collab.document_of(client)
    assert [t["id"] for t in merged["tables"]] == [t["id"] for t in rest["tables"]]
    # A table the save neither moved nor dropped keeps its concurrent edit.
    moved = moved_ids(small_design()["tables"], rest["tables"])
    for t in merged["tables"]:
        i = int(t["id"][1:]) if t["id"][1:].isdigit() else -1
        if i in commented and t["id"] not in moved:
            assert t["comment"] == f"live {i}"
