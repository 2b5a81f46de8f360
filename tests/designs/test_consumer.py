"""The live-editing websocket, driven by pycrdt clients speaking the y-websocket protocol."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from django.test import Client
from pycrdt import (
    Awareness,
    Doc,
    Map,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    read_message,
    write_message,
)

from designs import collab, consumers
from designs.compiler.document import Table
from designs.compiler.validate import load
from designs.models import Design, DesignSnapshot, DesignUpdate, Revision
from designs.routing import websocket_urlpatterns
from tests.services import redis_url

FIXTURES = Path(__file__).parent.parent / "fixtures" / "designs"
SYNC_STEP2 = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings: Any) -> None:
    """Each test runs its own event loop, so it needs its own in-memory channel layer."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.DBSTUDIO_COLLAB_SAVE_DELAY = 30
    channel_layers.backends = {}


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


class Socket(ApplicationCommunicator):
    """A websocket test client (channels.testing's needs daphne, which we do not otherwise install)."""

    def __init__(self, app: Any, path: str, headers: list[Any]):
        scope = {"type": "websocket", "path": path, "raw_path": path.encode(), "query_string": b""}
        super().__init__(app, {**scope, "headers": headers, "subprotocols": []})

    async def connect(self) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        out = await self.receive_output(timeout=5)
        return out["type"] == "websocket.accept", out.get("code")

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data, "bytes": bytes_data})

    async def receive_from(self, timeout: float = 5) -> Any:
        out = await self.receive_output(timeout=timeout)
        return out.get("bytes") or out.get("text")

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=5)


class YClient:
    """A minimal y-websocket client: a pycrdt doc kept in sync over a WebsocketCommunicator."""

    def __init__(self, user: Any, design_id: int, app: Any = None, headers: list[Any] | None = None):
        self.doc: Doc = Doc()
        self.app = app or URLRouter(websocket_urlpatterns)
        self.comm = Socket(self.app, f"/ws/designs/{design_id}/", headers or [])
        if app is None:
            self.comm.scope["user"] = user
        self.texts: list[dict[str, Any]] = []

    async def connect(self) -> dict[str, Any]:
        """Connect and finish the sync handshake; returns the server's hello."""
        connected, _ = await self.comm.connect()
        assert connected
        first = await self.comm.receive_output(timeout=5)
        if first["type"] == "websocket.close":
            return {"closed": first.get("code")}
        hello = json.loads(first["text"])
        step1 = await self.comm.receive_from(timeout=5)
        assert step1[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1])
        await self.comm.send_to(bytes_data=SYNC_STEP2 + write_message(self.doc.get_update(read_message(step1[2:]))))
        await self.comm.send_to(bytes_data=create_sync_message(self.doc))
        await self.pump(lambda: False, until_step2=True)
        return dict(hello)

    async def pump(self, done: Callable[[], bool], until_step2: bool = False, timeout: float = 5) -> None:
        """Apply incoming messages until ``done()`` (or, with ``until_step2``, until the sync reply)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            left = deadline - loop.time()
            assert left > 0, "timed out waiting for the server"
            message = await self.comm.receive_output(timeout=left)
            if "text" in message and message["text"] is not None:
                self.texts.append(json.loads(message["text"]))
                continue
            data = message.get("bytes") or b""
            if data[:1] == bytes([YMessageType.SYNC]) and data[1] in (1, 2):
                self.doc.apply_update(read_message(data[2:]))
                if until_step2 and data[1] == YSyncMessageType.SYNC_STEP2:
                    return

    async def edit(self, change: Callable[[Map], None]) -> None:
        before = self.doc.get_state()
        with self.doc.transaction():
            change(self.doc.get("document", type=Map))
        await self.comm.send_to(bytes_data=create_update_message(self.doc.get_update(before)))

    def document(self) -> dict[str, Any]:
        return collab.document_of(self.doc)

    def table_names(self) -> list[str]:
        return [t["name"] for t in self.document().get("tables", [])]

    async def wait_for_text(self, kind: str) -> dict[str, Any]:
        await self.pump(lambda: any(t.get("type") == kind for t in self.texts))
        return next(t for t in self.texts if t.get("type") == kind)


def full_table(name: str) -> dict[str, Any]:
    """A new table as a client writes it: in full form, every list present."""
    return Table.model_validate({"id": f"t_{name}", "name": name}).model_dump(mode="json", by_alias=True)


def add_table(name: str) -> Callable[[Map], None]:
    def change(root: Map) -> None:
        root["tables"].append(collab.to_y(full_table(name)))

    return change


def rename_table(index: int, name: str) -> Callable[[Map], None]:
    def change(root: Map) -> None:
        root["tables"][index]["name"] = name

    return change


@pytest.mark.parametrize("name", ["blog.json", "ledger.json", "policies.json", "timeseries.json"])
def test_a_document_survives_the_trip_through_a_ydoc(name: str) -> None:
    document = json.loads((FIXTURES / name).read_text())
    again: Doc = Doc()
    again.apply_update(collab.doc_from_json(document).get_update())
    assert load(collab.document_of(again)).to_data() == load(document).to_data()


@pytest.mark.parametrize(
    ("who", "code"),
    [("anonymous", 4401), ("stranger", 4404)],
)
def test_it_closes_the_socket_for_someone_who_may_not_see_the_design(
    transactional_db: Any, team: dict[str, Any], who: str, code: int
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else team["users"][who]

    async def scenario() -> None:
        client = YClient(user, team["design"].pk)
        assert await client.connect() == {"closed": code}

    run(scenario)


@pytest.mark.parametrize("layer", ["memory", "redis"])
def test_two_editors_converge_and_both_edits_are_stored(
    transactional_db: Any, team: dict[str, Any], settings: Any, layer: str
) -> None:
    if layer == "redis":
        # A real Redis channel layer, as in production; the prefix keeps parallel runs apart.
        config = {"hosts": [redis_url()], "prefix": f"collab-test-{secrets.token_hex(4)}"}
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": config}}
        channel_layers.backends = {}
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        b = YClient(team["users"]["owner"], design.pk)
        assert (await a.connect())["read_only"] is False
        await b.connect()
        await a.edit(add_table("orders"))
        await b.edit(add_table("customers"))
        await a.pump(lambda: len(a.table_names()) == 2)
        await b.pump(lambda: len(b.table_names()) == 2)
        assert a.document() == b.document()
        await a.comm.disconnect()
        await b.comm.disconnect()

    run(scenario)
    assert DesignUpdate.objects.filter(design=design).count() == 2


def test_concurrent_renames_of_different_tables_both_survive(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]
    design.save_document(
        {**design.document, "tables": [{"id": "t_a", "name": "a"}, {"id": "t_b", "name": "b"}]}, team["users"]["owner"]
    )

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        b = YClient(team["users"]["owner"], design.pk)
        await a.connect()
        await b.connect()
        await a.edit(rename_table(0, "accounts"))
        await b.edit(rename_table(1, "bills"))
        await a.pump(lambda: a.table_names() == ["accounts", "bills"])
        await b.pump(lambda: b.table_names() == ["accounts", "bills"])

    run(scenario)


def test_a_late_joiner_is_restored_from_the_database(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        await a.edit(rename_table(0, "purchases"))
        await a.comm.disconnect()
        late = YClient(team["users"]["viewer"], design.pk)
        await late.connect()
        assert late.table_names() == ["purchases"]

    run(scenario)


def test_an_acknowledged_update_survives_a_server_restart(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def before_restart() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        b = YClient(team["users"]["owner"], design.pk)
        await a.connect()
        await b.connect()
        await a.edit(add_table("orders"))
        await b.pump(lambda: b.table_names() == ["orders"])  # b saw it: the server acknowledged it
        # Crash: no disconnect handlers run, no revision is saved; the loop and its state are dropped.
        a.comm.future.cancel()
        b.comm.future.cancel()

    async def after_restart() -> None:
        c = YClient(team["users"]["commenter"], design.pk)
        await c.connect()
        assert c.table_names() == ["orders"]

    run(before_restart)
    channel_layers.backends = {}
    run(after_restart)


def test_a_viewers_update_is_dropped_and_the_viewer_told(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        editor = YClient(team["users"]["editor"], design.pk)
        viewer = YClient(team["users"]["viewer"], design.pk)
        await editor.connect()
        assert (await viewer.connect())["read_only"] is True
        await viewer.edit(add_table("sneaky"))
        assert (await viewer.wait_for_text("read_only"))["type"] == "read_only"
        assert await editor.comm.receive_nothing(timeout=0.3)
        late = YClient(team["users"]["owner"], design.pk)
        await late.connect()
        assert late.table_names() == []

    run(scenario)
    assert not DesignUpdate.objects.filter(design=design).exists()


def test_a_pause_in_edits_saves_a_revision_by_the_editor(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    settings.DBSTUDIO_COLLAB_SAVE_DELAY = 0.2
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        saved = await a.wait_for_text("revision.saved")
        assert saved["revision"] == 2

    run(scenario)
    design.refresh_from_db()
    assert [t["name"] for t in design.document["tables"]] == ["orders"]
    assert Revision.objects.get(design=design, number=2).author == team["users"]["editor"]


def test_the_save_command_saves_at_once_and_an_invalid_document_is_reported(
    transactional_db: Any, team: dict[str, Any]
) -> None:
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        await a.comm.send_to(text_data=json.dumps({"type": "save", "message": "Orders"}))
        assert (await a.wait_for_text("revision.saved"))["revision"] == 2
        await a.edit(add_table("orders"))  # a second table with the same id and name
        await a.comm.send_to(text_data=json.dumps({"type": "save"}))
        invalid = await a.wait_for_text("document.invalid")
        assert invalid["problems"]

    run(scenario)
    assert Revision.objects.get(design=design, number=2).message == "Orders"
    assert not Revision.objects.filter(design=design, number=3).exists()


def test_only_the_socket_that_asked_for_a_save_gets_its_request_number_back(
    transactional_db: Any, team: dict[str, Any]
) -> None:
    """Everyone hears ``revision.saved``; only the asker's frame answers its ``save`` (by number), so a
    client waiting for its own edits to be stored is not told "saved" by someone else's revision."""
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        b = YClient(team["users"]["owner"], design.pk)
        await a.connect()
        await b.connect()
        await a.edit(add_table("orders"))
        await a.comm.send_to(text_data=json.dumps({"type": "save", "message": "Orders", "request": 7}))
        mine = await a.wait_for_text("revision.saved")
        theirs = await b.wait_for_text("revision.saved")
        assert mine == {"type": "revision.saved", "revision": 2, "request": 7}
        assert theirs == {"type": "revision.saved", "revision": 2}  # no request, no channel name
        # Nothing new to save: the answer still names the request.
        await b.comm.send_to(text_data=json.dumps({"type": "save", "request": 3}))
        assert await b.wait_for_text("revision.unchanged") == {"type": "revision.unchanged", "request": 3}

    run(scenario)


def test_the_update_log_is_compacted_into_the_snapshot(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    settings.DBSTUDIO_COLLAB_COMPACT_EVERY = 3
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        for name in ["a", "b", "c", "d"]:
            await a.edit(add_table(name))
        await a.comm.send_to(text_data=json.dumps({"type": "save"}))
        await a.wait_for_text("revision.saved")
        late = YClient(team["users"]["viewer"], design.pk)
        await late.connect()
        assert late.table_names() == ["a", "b", "c", "d"]

    run(scenario)
    assert DesignSnapshot.objects.get(design=design).seq == 3
    assert list(DesignUpdate.objects.filter(design=design).values_list("seq", flat=True)) == [4]


def test_a_document_saved_through_the_api_reaches_the_live_doc(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def start() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.edit(add_table("orders"))
        await a.comm.send_to(text_data=json.dumps({"type": "save"}))
        await a.wait_for_text("revision.saved")

    run(start)
    design.refresh_from_db()
    renamed = {**design.document, "tables": [{**design.document["tables"][0], "name": "purchases"}]}
    Design.objects.get(pk=design.pk).save_document(renamed, author=team["users"]["owner"])

    async def later() -> None:
        b = YClient(team["users"]["viewer"], design.pk)
        await b.connect()
        assert b.table_names() == ["purchases"]

    channel_layers.backends = {}
    run(later)


def test_a_fresh_sync_is_answered_from_the_database(transactional_db: Any, team: dict[str, Any]) -> None:
    """``sync.fresh``: the next sync request is answered with what is stored, including a change whose
    relay has not reached this socket (the browser sends it after its own REST save, before going live)."""
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        # Stored behind the socket's back: no relay reaches it.
        state, _ = await consumers.database_sync_to_async(collab.load_state)(design.pk)
        elsewhere: Doc = Doc()
        elsewhere.apply_update(state)
        before = elsewhere.get_state()
        with elsewhere.transaction():
            add_table("stored_elsewhere")(elsewhere.get("document", type=Map))
        update = elsewhere.get_update(before)
        await consumers.database_sync_to_async(collab.store_update)(design.pk, update, None)

        await a.comm.send_to(text_data=json.dumps({"type": "sync.fresh"}))
        await a.comm.send_to(bytes_data=create_sync_message(a.doc))
        await a.pump(lambda: False, until_step2=True)
        assert "stored_elsewhere" in a.table_names()

    run(scenario)


def test_compile_progress_and_comment_changes_are_forwarded(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["viewer"], design.pk)
        await a.connect()
        layer = get_channel_layer()
        assert layer is not None
        progress = {"type": "job.progress", "job": 7, "state": "running", "progress": 40, "step": "ddl", "error": ""}
        await layer.group_send(f"design-{design.pk}", progress)
        await layer.group_send(f"design-{design.pk}", {"type": "comment.changed", "action": "created", "id": 1})
        assert await a.wait_for_text("job.progress") == progress
        assert (await a.wait_for_text("comment.changed"))["action"] == "created"

    run(scenario)


def test_the_project_application_authenticates_the_session(transactional_db: Any, team: dict[str, Any]) -> None:
    from dbstudio.asgi import application

    browser = Client()
    browser.force_login(team["users"]["editor"])
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    headers = [(b"cookie", cookie), (b"origin", b"http://localhost")]

    async def scenario() -> None:
        a = YClient(None, team["design"].pk, app=application, headers=headers)
        hello = await a.connect()
        assert hello == {"type": "hello", "role": "editor", "read_only": False}

    run(scenario)


def test_presence_is_relayed_and_cleared_when_its_owner_leaves(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        viewer = YClient(team["users"]["viewer"], design.pk)
        watcher = YClient(team["users"]["editor"], design.pk)
        await viewer.connect()
        await watcher.connect()
        presence = Awareness(viewer.doc)
        presence.set_local_state({"user": "viewer", "cursor": [1, 2]})
        message = create_awareness_message(presence.encode_awareness_update([presence.client_id]))
        await viewer.comm.send_to(bytes_data=message)
        assert await watcher.comm.receive_from() == message
        await viewer.comm.disconnect()
        gone = await watcher.comm.receive_from()
        assert isinstance(gone, bytes)
        assert consumers.awareness_clients(gone) == {presence.client_id: 2}
        theirs = Awareness(Doc())
        theirs.apply_awareness_update(read_message(gone[1:]), "test")
        assert presence.client_id not in theirs.states

    run(scenario)


def test_a_malformed_update_is_refused_and_not_stored(transactional_db: Any, team: dict[str, Any]) -> None:
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.comm.send_to(bytes_data=create_update_message(b"\x05\x99garbage"))
        assert (await a.wait_for_text("error"))["detail"] == "Malformed y-websocket message"
        await a.edit(add_table("orders"))  # the socket still works
        late = YClient(team["users"]["viewer"], design.pk)
        await late.connect()
        # Stored, then relayed or loaded: the late joiner has it either way (edit() waits for neither).
        await late.pump(lambda: late.table_names() == ["orders"])

    run(scenario)
    assert DesignUpdate.objects.filter(design=design).count() == 1


def test_an_oversized_message_is_refused_and_the_socket_keeps_working(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    settings.DBSTUDIO_WS_MAX_MESSAGE_BYTES = 4000
    design = team["design"]

    def huge_table(root: Map) -> None:
        table = full_table("huge")
        table["comment"] = "x" * 5000
        root["tables"].append(collab.to_y(table))

    def refusals(client: YClient) -> list[dict[str, Any]]:
        return [t for t in client.texts if t.get("code") == "too_large"]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        await a.edit(huge_table)
        await a.pump(lambda: len(refusals(a)) == 1)
        assert "4000 bytes" in refusals(a)[0]["detail"]
        await a.comm.send_to(text_data=json.dumps({"type": "save", "message": "x" * 5000}))
        await a.pump(lambda: len(refusals(a)) == 2)
        b = YClient(team["users"]["owner"], design.pk)
        await b.connect()
        assert b.table_names() == []
        await b.edit(add_table("small"))
        await a.pump(lambda: "small" in a.table_names())

    run(scenario)
    assert DesignUpdate.objects.filter(design=design).count() == 1
    assert Revision.objects.filter(design=design).count() == 1


async def answer_one_sync_request(client: YClient, timeout: float = 10) -> None:
    """Wait for the server's sync step 1 and answer it with step 2, as a y-websocket client does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        assert left > 0, "timed out waiting for the server to ask"
        message = await client.comm.receive_output(timeout=left)
        if message.get("text") is not None:
            client.texts.append(json.loads(message["text"]))
            continue
        data = message.get("bytes") or b""
        if data[:2] == bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1]):
            missing = client.doc.get_update(read_message(data[2:]))
            await client.comm.send_to(bytes_data=SYNC_STEP2 + write_message(missing))
            return


def test_edits_over_the_rate_are_dropped_then_recovered_by_a_resync(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    settings.DBSTUDIO_WS_RATE = 5
    settings.DBSTUDIO_WS_BURST = 8
    design = team["design"]
    names = [f"t{i}" for i in range(14)]

    async def scenario() -> None:
        a = YClient(team["users"]["editor"], design.pk)
        await a.connect()
        for name in names:
            await a.edit(add_table(name))
        assert (await a.wait_for_text("error"))["code"] == "rate_limited"
        # The server asks for what it missed once the allowance refills; the dropped edits then arrive.
        await answer_one_sync_request(a)
        await a.comm.send_to(text_data=json.dumps({"type": "save"}))
        await a.wait_for_text("revision.saved")
        late = YClient(team["users"]["viewer"], design.pk)
        await late.connect()
        assert late.table_names() == names

    run(scenario)
    assert DesignUpdate.objects.filter(design=design).count() < len(names) + 1
    design.refresh_from_db()
    assert [t["name"] for t in design.document["tables"]] == names


def test_a_client_that_keeps_flooding_is_disconnected_with_4429(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    settings.DBSTUDIO_WS_RATE = 2
    settings.DBSTUDIO_WS_BURST = 5
    design = team["design"]

    async def scenario() -> None:
        a = YClient(team["users"]["viewer"], design.pk)
        await a.connect()
        for _ in range(40):
            await a.comm.send_to(text_data=json.dumps({"type": "noop"}))
        errors = 0
        while True:
            message = await a.comm.receive_output(timeout=5)
            if message["type"] == "websocket.close":
                assert message["code"] == consumers.CLOSE_TOO_MANY_MESSAGES
                break
            errors += json.loads(message["text"]).get("code") == "rate_limited"
        assert errors == 1  # refusals are reported at most once a second

    run(scenario)


def test_the_default_limits_leave_room_for_a_fast_editor(settings: Any) -> None:
    # The load benchmark's editors send 10 edits a second; a person dragging a table sends fewer.
    assert settings.DBSTUDIO_WS_RATE >= 20
    assert settings.DBSTUDIO_WS_BURST >= 100
    assert settings.DBSTUDIO_WS_MAX_MESSAGE_BYTES >= 1024 * 1024


def test_edits_are_stored_and_relayed_while_a_compaction_runs(
    transactional_db: Any, team: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    """A compaction (hundreds of ms on a big design) runs apart from the thread that stores edits."""
    settings.DBSTUDIO_COLLAB_COMPACT_EVERY = 2
    design = team["design"]
    started, release = asyncio.Event(), asyncio.Event()
    loop: asyncio.AbstractEventLoop | None = None
    compact = collab.compact

    def slow_compact(*args: Any, **kwargs: Any) -> bool:
        assert loop is not None
        loop.call_soon_threadsafe(started.set)
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(timeout=10)
        return compact(*args, **kwargs)

    monkeypatch.setattr(collab, "compact", slow_compact)

    async def scenario() -> None:
        nonlocal loop
        loop = asyncio.get_running_loop()
        a = YClient(team["users"]["editor"], design.pk)
        b = YClient(team["users"]["owner"], design.pk)
        await a.connect()
        await b.connect()
        await a.edit(add_table("one"))
        await a.edit(add_table("two"))  # the second update starts a compaction, which now waits
        await asyncio.wait_for(started.wait(), 5)
        await a.edit(add_table("three"))
        await b.pump(lambda: len(b.table_names()) == 3, timeout=3)  # stored and relayed meanwhile
        assert await asyncio.to_thread(lambda: DesignUpdate.objects.filter(design=design).count()) == 3
        release.set()
        await a.comm.disconnect()
        await b.comm.disconnect()

    run(scenario)
