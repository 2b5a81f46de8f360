"""What the browser's live editor relies on: object templates, REST saves pushed to open sockets, and
presence names said by the server."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Awareness, Doc, Map, create_awareness_message, merge_updates

from designs import collab
from designs.models import Design, DesignSnapshot, DesignUpdate
from tests.designs.conftest import token_client
from tests.designs.test_consumer import YClient, add_table, full_table, run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "designs"


def fill(value: Any, path: str, templates: dict[str, dict[str, Any]]) -> Any:
    """What the browser does to an object it adds (frontend/src/live/binding.ts ``toY``)."""
    if isinstance(value, list):
        return [fill(v, f"{path}[]", templates) for v in value]
    if isinstance(value, dict):
        out = {k: copy.deepcopy(v) for k, v in templates.get(path, {}).items() if k not in value}
        out = {k: fill(v, f"{path}.{k}".lstrip("."), templates) for k, v in out.items()}
        out.update({k: fill(v, f"{path}.{k}".lstrip("."), templates) for k, v in value.items()})
        return out
    return value


@pytest.mark.parametrize("name", ["blog.json", "ledger.json", "policies.json", "timeseries.json"])
def test_filling_the_templates_into_a_document_gives_its_full_form(name: str) -> None:
    document = json.loads((FIXTURES / name).read_text())
    templates = json.loads(json.dumps(collab.templates()))  # as the browser receives them
    assert collab.to_json(fill(document, "", templates)) == collab.to_json(collab.full_form(document))


def test_the_templates_name_every_list_of_objects() -> None:
    templates = collab.templates()
    assert templates["tables[]"]["columns"] == []
    assert templates["tables[]"]["indexes"] == []
    assert templates["tables[].columns[]"]["nullable"] is True
    assert "id" not in templates["tables[]"]  # required fields have no default


def test_the_socket_hands_out_the_templates(transactional_db: Any, team: dict[str, Any]) -> None:
    async def scenario() -> None:
        a = YClient(team["users"]["viewer"], team["design"].pk)
        await a.connect()
        await a.comm.send_to(text_data=json.dumps({"type": "templates"}))
        answer = await a.wait_for_text("templates")
        assert answer["templates"] == json.loads(json.dumps(collab.templates()))

    run(scenario)


async def an_editor_who_saved_orders(team: dict[str, Any]) -> YClient:
    """The editor's socket, after adding a table orders and saving it (revision.saved has come back)."""
    a = YClient(team["users"]["editor"], team["design"].pk)
    await a.connect()
    await a.edit(add_table("orders"))
    await a.comm.send_to(text_data=json.dumps({"type": "save"}))
    await a.wait_for_text("revision.saved")
    return a


def test_a_rest_save_reaches_an_open_socket_at_once(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        a = await an_editor_who_saved_orders(team)
        watcher = YClient(team["users"]["viewer"], design.pk)
        await watcher.connect()

        def save_through_rest() -> None:
            current = Design.objects.get(pk=design.pk)
            renamed = {**current.document, "tables": [{**current.document["tables"][0], "name": "purchases"}]}
            current.save_document(renamed, author=team["users"]["owner"], message="script")

        await sync_to_async(save_through_rest)()
        await watcher.pump(lambda: watcher.table_names() == ["purchases"])
        await a.pump(lambda: a.table_names() == ["purchases"])

    run(scenario)
    # The change is in the log like any edit, once.
    assert DesignUpdate.objects.filter(design=design, author=None).count() == 1


def test_a_live_save_is_not_pushed_back_into_the_live_session(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        await an_editor_who_saved_orders(team)

    run(scenario)
    assert DesignUpdate.objects.filter(design=design, author=None).count() == 0


def test_presence_names_come_from_the_server(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]
    editor = team["users"]["editor"]

    async def scenario() -> None:
        here = YClient(editor, design.pk)
        await here.connect()
        presence = Awareness(here.doc)
        presence.set_local_state({"user": "someone else entirely", "cursor": [1, 2]})
        await here.comm.send_to(
            bytes_data=create_awareness_message(presence.encode_awareness_update([presence.client_id]))
        )
        # A newcomer who subscribes is told who is behind the client id already here...
        newcomer = YClient(team["users"]["viewer"], design.pk)
        await newcomer.connect()
        await newcomer.comm.send_to(text_data=json.dumps({"type": "presence.subscribe"}))
        told = await newcomer.wait_for_text("presence.user")
        assert told["clients"] == [presence.client_id]
        assert told["user"] == {"id": editor.pk, "username": editor.username, "name": editor.username}
        assert told["role"] == "editor"
        # ... and about client ids announced later, by their socket's login.
        newcomer.texts.clear()
        later = Awareness(Doc())  # a second tab of the same person, say
        await here.comm.send_to(bytes_data=create_awareness_message(later.encode_awareness_update([later.client_id])))
        told = await newcomer.wait_for_text("presence.user")
        assert told["clients"] == [later.client_id]
        assert told["user"]["username"] == editor.username

    run(scenario)


def test_an_api_read_sees_live_edits_that_are_stored_but_not_yet_a_revision(
    transactional_db: Any, team: dict[str, Any], client: Any
) -> None:
    """Editors are told "Saved" once their update is stored; the revision follows after a pause (30 s
    here). A read through the API in between must not be older than what the editors were told."""
    design = team["design"]
    editor = team["users"]["editor"]
    before = Design.objects.get(pk=design.pk).revision_number

    async def scenario() -> None:
        a = YClient(editor, design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        for _ in range(100):  # the update is stored before it is acknowledged
            if await sync_to_async(DesignUpdate.objects.filter(design=design, author=editor).exists)():
                break
            await asyncio.sleep(0.05)

        def read() -> Any:
            client.force_login(team["users"]["viewer"])
            return client.get(f"/api/designs/{design.pk}/document")

        response = await sync_to_async(read)()
        assert response.status_code == 200
        assert "orders" in [t["name"] for t in response.json()["tables"]]
        # The read froze the live edits into a revision by their author, and said so to the editors.
        told = await a.wait_for_text("revision.saved")
        assert told["revision"] == before + 1

    run(scenario)
    latest = Design.objects.get(pk=design.pk).revisions.order_by("-number").first()
    assert latest is not None and latest.number == before + 1 and latest.author == editor


def test_a_save_of_an_older_live_state_never_overwrites_a_newer_revision(db: Any, team: dict[str, Any]) -> None:
    """Two savers race (an editor's socket after its pause, an API read that flushes): the one holding
    the older state may finish last. It must then save nothing."""
    design = team["design"]
    editor = team["users"]["editor"]
    first: Doc = Doc()
    first.apply_update(collab.load_state(design.pk)[0])
    before = first.get_state()
    with first.transaction():
        first.get("document", type=Map)["tables"].append(collab.to_y(full_table("orders")))
    older_seq = collab.store_update(design.pk, first.get_update(before), editor)
    state, _ = collab.load_state(design.pk)
    older: Doc = Doc()
    older.apply_update(state)  # what a slow saver loaded: "orders" only

    newer_state = older.get_state()
    newer: Doc = Doc()
    newer.apply_update(state)
    with newer.transaction():
        newer.get("document", type=Map)["tables"].append(collab.to_y(full_table("refunds")))
    newer_seq = collab.store_update(design.pk, newer.get_update(newer_state), editor)

    saved, _ = collab.save_revision(design.pk, newer, editor, "fast", newer_seq)
    assert saved is not None
    late, problems = collab.save_revision(design.pk, older, editor, "slow", older_seq)
    assert late is None and not problems
    names = [t["name"] for t in Design.objects.get(pk=design.pk).document["tables"]]
    assert "refunds" in names and "orders" in names


def test_every_review_step_reaches_an_open_socket_after_it_is_committed(
    transactional_db: Any, team: dict[str, Any]
) -> None:
    design = team["design"]
    users = team["users"]

    def step(who: str, action: str) -> int:
        response = token_client(users[who]).post(
            f"/api/designs/{design.pk}/review-state/{action}", {}, content_type="application/json"
        )
        return int(response.status_code)

    async def scenario() -> None:
        watcher = YClient(users["viewer"], design.pk)
        await watcher.connect()

        async def announced() -> list[str]:
            """The reasons of the review.changed frames received so far, once one more arrived."""
            seen = len([t for t in watcher.texts if t.get("type") == "review.changed"])
            await watcher.pump(lambda: len([t for t in watcher.texts if t.get("type") == "review.changed"]) > seen)
            return [t["reason"] for t in watcher.texts if t.get("type") == "review.changed"]

        assert await sync_to_async(step)("editor", "submit") == 200
        assert await announced() == ["submitted"]
        # A refused step changes nothing and is not announced: the next frame is the next real step.
        assert await sync_to_async(step)("editor", "approve") == 403
        assert await sync_to_async(step)("commenter", "request-changes") == 200
        assert (await announced())[-1] == "changes_requested"
        assert await sync_to_async(step)("editor", "submit") == 200
        assert (await announced())[-1] == "submitted"
        assert await sync_to_async(step)("commenter", "approve") == 200
        assert (await announced())[-1] == "approved"
        # A live edit saved as a revision makes the approval stale.
        editor = YClient(users["editor"], design.pk)
        await editor.connect()
        await editor.edit(add_table("orders"))
        await editor.comm.send_to(text_data=json.dumps({"type": "save"}))
        assert (await announced())[-1] == "revision"
        url = f"/api/designs/{design.pk}/review-state"
        state = (await sync_to_async(lambda: token_client(users["viewer"]).get(url))()).json()
        assert state["state"] == "approved" and state["stale"] is True
        assert await sync_to_async(step)("owner", "withdraw") == 200
        assert await announced() == ["submitted", "changes_requested", "submitted", "approved", "revision", "withdrawn"]

    run(scenario)


def test_a_rest_save_announces_the_review_change_too(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        watcher = YClient(team["users"]["viewer"], design.pk)
        await watcher.connect()

        def save_through_rest() -> None:
            current = Design.objects.get(pk=design.pk)
            current.save_document({**current.document, "name": "Shop 2"}, author=team["users"]["owner"])

        await sync_to_async(save_through_rest)()
        assert (await watcher.wait_for_text("review.changed"))["reason"] == "revision"

    run(scenario)


def test_an_api_read_during_an_invalid_live_state_gets_the_last_valid_document(
    transactional_db: Any, team: dict[str, Any], client: Any
) -> None:
    design = team["design"]
    editor = team["users"]["editor"]
    before = Design.objects.get(pk=design.pk)

    async def scenario() -> None:
        a = YClient(editor, design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        await a.edit(lambda root: root["tables"].append(collab.to_y({**full_table("orders"), "id": "t_again"})))
        for _ in range(100):
            if await sync_to_async(DesignUpdate.objects.filter(design=design, author=editor).count)() >= 2:
                break
            await asyncio.sleep(0.05)

        def read() -> Any:
            client.force_login(team["users"]["viewer"])
            return [client.get(f"/api/designs/{design.pk}/document") for _ in range(2)]

        for response in await sync_to_async(read)():
            assert response.status_code == 200
            assert response.json() == before.document

    run(scenario)
    assert Design.objects.get(pk=design.pk).revision_number == before.revision_number


def test_compaction_waits_until_the_log_is_a_quarter_of_the_snapshot(
    db: Any, team: dict[str, Any], settings: Any
) -> None:
    """The merge is O(document): on a big design it runs once per O(document) bytes of log, not per
    fixed number of updates (which made every relayed edit wait behind it, about once a second)."""
    settings.DBSTUDIO_COLLAB_COMPACT_EVERY = 2
    design = team["design"]
    editor = team["users"]["editor"]
    big = {**design.document, "tables": [full_table(f"t{i}") for i in range(40)]}
    design.save_document(big, author=editor)
    doc: Doc = Doc()
    doc.apply_update(collab.load_state(design.pk)[0])
    snapshot = len(bytes(DesignSnapshot.objects.get(design=design).state))

    logged = 0
    for n in range(10_000):
        before = doc.get_state()
        with doc.transaction():
            doc.get("document", type=Map)["tables"][n % 40]["name"] = f"renamed_{n}"
        update = doc.get_update(before)
        collab.store_update(design.pk, update, editor)
        logged += len(update)
        compacted = collab.compact(design.pk)
        if compacted:
            break
        assert n < 1 or logged * 4 < snapshot, (n, logged, snapshot)
    assert compacted and logged * 4 >= snapshot
    assert not DesignUpdate.objects.filter(design=design).exists()
    state, _ = collab.load_state(design.pk)
    check: Doc = Doc()
    check.apply_update(state)
    assert collab.document_of(check)["tables"][n % 40]["name"] == f"renamed_{n}"


def test_a_big_merge_runs_in_a_helper_process_and_gives_the_same_bytes() -> None:
    """pycrdt holds the interpreter lock while merging; a big merge goes to a helper process."""
    doc: Doc = Doc()
    tables = doc.get("document", type=Map)
    updates = []
    for i in range(1_500):
        before = doc.get_state()
        tables[f"k{i}"] = "x" * 200 + str(i)
        updates.append(doc.get_update(before))
    state = updates[0]
    assert len(state) + sum(map(len, updates)) >= collab.MERGE_IN_PROCESS_BYTES
    merged = collab.merged_updates(state, updates[1:])
    assert collab._merge_pool is not None  # it went to the helper
    assert merged == merge_updates(state, *updates[1:])
    helper = collab._merge_pool
    collab.merged_updates(state, updates[1:3])  # small: here, the helper untouched
    assert collab._merge_pool is helper
