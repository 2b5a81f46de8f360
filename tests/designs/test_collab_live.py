"""What the browser's live editor relies on: object templates, REST saves pushed to open sockets, and
presence names said by the server."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Awareness, Doc, create_awareness_message

from designs import collab
from designs.models import Design, DesignUpdate
from tests.designs.test_consumer import YClient, add_table, run

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
