"""The live-editing websocket: Yjs sync and awareness (the y-websocket protocol) over Channels.

Binary frames are y-websocket messages; text frames are JSON control messages. See
docs/collaboration.md for the whole protocol. A thin shell over ``designs.collab``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import close_old_connections, connection
from pycrdt import (
    Decoder,
    Doc,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    read_message,
    write_message,
)

from designs import collab
from designs.events import group_name
from designs.models import Membership, Role
from designs.permissions import has_role
from designs.writer import writer

log = logging.getLogger(__name__)


def apart(func: Any) -> Any:
    """``func`` as a coroutine on a worker thread of its own, with a database connection of its own.

    Channels runs every ``database_sync_to_async`` call of a process on one thread, the one the
    writer stores every edit on (designs/writer.py). A compaction, a revision save or loading the
    whole state takes hundreds of milliseconds on a big design, and every edit waited behind it: the
    collaboration benchmark's latency tail came in bursts, one per compaction (bench/collab_load.py
    --samples).
    """

    def run(*args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            connection.close()  # this thread may not run again soon; do not leave its connection open

    return sync_to_async(run, thread_sensitive=False)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY_MESSAGES = 4429


class TokenBucket:
    """``rate`` events a second on average, with bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int):
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Spend one token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@database_sync_to_async
def _role(user: Any, design_id: int) -> str | None:
    membership = Membership.objects.filter(design_id=design_id, user=user).first()
    return membership.role if membership else None


def adds_anything(ydoc: Doc, update: bytes) -> bool:
    """Whether applying ``update`` would give ``ydoc`` content it does not have (tried on a copy)."""
    probe: Doc = Doc()
    probe.apply_update(ydoc.get_update())
    before = probe.get_state()
    probe.apply_update(update)
    return bool(probe.get_state() != before)


def awareness_clients(message: bytes) -> dict[int, int]:
    """The awareness client ids and clocks in an awareness message ``[1, len, count, (id, clock, json)*]``."""
    payload = Decoder(message[1:]).read_message() or b""
    decoder = Decoder(payload)
    clients = {}
    for _ in range(decoder.read_var_uint()):
        client_id, clock = decoder.read_var_uint(), decoder.read_var_uint()
        decoder.read_var_string()
        clients[client_id] = clock
    return clients


def awareness_removal(clients: dict[int, int]) -> bytes:
    """An awareness message that marks ``clients`` as gone (state null, clock moved on)."""
    encoder = Encoder()
    encoder.write_var_uint(len(clients))
    for client_id, clock in clients.items():
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock + 1)
        encoder.write_var_string("null")
    return bytes([YMessageType.AWARENESS]) + write_message(encoder.to_bytes())


class DesignConsumer(AsyncWebsocketConsumer):
    """One browser tab editing one design, at ``ws/designs/<id>/``."""

    design_id: int
    role: str | None = None
    ydoc: Doc | None = None
    save_task: asyncio.Task[None] | None = None
    dirty: bool = False
    # Awareness client ids announced on this socket and their last clock, to clear them on disconnect.
    presence: dict[int, int]
    # Whether this socket asked to be told who is behind each awareness client id (presence.subscribe).
    wants_presence: bool = False
    # Limits (docs/collaboration.md): messages spend ``allowance``; refused ones spend ``patience``,
    # and a client that runs out of patience is disconnected.
    allowance: TokenBucket
    patience: TokenBucket
    last_refusal: float = 0.0
    resync_task: asyncio.Task[None] | None = None
    # The client's updates waiting to be stored and broadcast, and the task doing it.
    edits: asyncio.Queue[bytes]
    edit_task: asyncio.Task[None] | None = None
    compact_task: asyncio.Future[bool] | None = None
    # Whether others have edited since ``ydoc`` was loaded (see ``current_doc``).
    stale: bool = False
    closing: bool = False

    async def connect(self) -> None:
        self.design_id = int(self.scope["url_route"]["kwargs"]["design_id"])
        self.presence = {}
        self.edits = asyncio.Queue()
        self.allowance = TokenBucket(settings.DBSTUDIO_WS_RATE, settings.DBSTUDIO_WS_BURST)
        self.patience = TokenBucket(settings.DBSTUDIO_WS_RATE, settings.DBSTUDIO_WS_BURST)
        user = self.scope.get("user")
        # Accept first so the close code reaches the client; a refused handshake carries no code.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.role = await _role(user, self.design_id)
        if self.role is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join first, then load: an edit stored after the load is relayed to this socket (after this
        # handler, as a consumer handles one message at a time); joining after the load could miss
        # one stored and relayed in between. An edit both loaded and relayed is applied twice, which
        # Yjs ignores.
        await self.channel_layer.group_add(group_name(self.design_id), self.channel_name)
        self.ydoc = await self.load_doc()
        await self.send_json({"type": "hello", "role": self.role, "read_only": not self.can_edit})
        await self.send(bytes_data=create_sync_message(self.ydoc))

    async def load_doc(self) -> Doc:
        """The design's live state as stored: every update anyone's edit was acknowledged with."""
        state, _ = await apart(collab.load_state)(self.design_id)  # O(document): off the writer's thread
        ydoc: Doc = Doc()
        ydoc.apply_update(state)
        self.stale = False
        return ydoc

    async def current_doc(self) -> Doc:
        """This socket's doc, reloaded from the database once others have edited since it was loaded.

        Others' edits are relayed to the client as they are and not applied here: with 20 editors that
        would be 19 applies per edit in every socket, for a doc needed only to answer a sync request,
        to tell a read-only client its edit was dropped, and to save a revision.
        """
        if self.ydoc is None or self.stale:
            self.ydoc = await self.load_doc()
        return self.ydoc

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to the sync thread to close stale database connections, for
        # every message. Here that would be every relayed edit (thousands a second with 20 editors),
        # each queued behind the process's database work. Every database call of this consumer goes
        # through database_sync_to_async, which closes stale connections in the thread itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    @property
    def can_edit(self) -> bool:
        return has_role(self.role, Role.EDITOR)

    async def disconnect(self, code: int) -> None:
        if self.ydoc is None:
            if self.role is not None:  # it joined the group, then loading the state failed
                await self.channel_layer.group_discard(group_name(self.design_id), self.channel_name)
            return
        if self.presence:
            # Without this, others would see this user's cursor until their awareness timeout (30 s).
            await self.channel_layer.group_send(
                group_name(self.design_id),
                {"type": "yjs.relay", "data": awareness_removal(self.presence), "sender": self.channel_name},
            )
        await self.channel_layer.group_discard(group_name(self.design_id), self.channel_name)
        await self.flush_edits()
        if self.save_task is not None:
            self.save_task.cancel()
        if self.resync_task is not None:
            self.resync_task.cancel()
        if self.dirty:
            await self.save_revision("Live edit")

    async def send_json(self, data: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(data))

    # --- from the client ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.ydoc is None or self.closing:
            return
        if not await self.within_limits(text_data, bytes_data):
            return
        if bytes_data is not None:
            try:
                await self.receive_yjs(bytes_data)
            except (ValueError, RuntimeError, IndexError) as exc:
                # A malformed frame is refused whole; nothing of it was stored.
                log.info("Malformed y-websocket frame on design %s: %s", self.design_id, exc)
                await self.send_json({"type": "error", "detail": "Malformed y-websocket message"})
        elif text_data is not None:
            await self.receive_command(text_data)

    async def within_limits(self, text_data: str | None, bytes_data: bytes | None) -> bool:
        """Whether a message is within the size and rate limits; refuses it (and tells why) when not."""
        limit = settings.DBSTUDIO_WS_MAX_MESSAGE_BYTES
        if bytes_data is not None:
            size = len(bytes_data)
        else:
            text = text_data or ""
            size = len(text) if len(text) * 4 <= limit else len(text.encode())
        if size > limit:
            await self.refuse("too_large", f"Messages are limited to {limit} bytes; this one had {size}")
            return False
        if self.allowance.take():
            return True
        await self.refuse("rate_limited", f"More than {settings.DBSTUDIO_WS_RATE:g} messages a second; slow down")
        if bytes_data is not None and bytes_data[:1] == bytes([YMessageType.SYNC]):
            # The dropped edit is still in the client's doc: once the allowance has refilled a little,
            # ask for everything this server lacks (sync step 1), so the edit is stored after all.
            self.schedule_resync()
        return False

    async def refuse(self, code: str, detail: str) -> None:
        """Tell the client a message was dropped (at most once a second); close on sustained abuse."""
        if not self.patience.take():
            self.closing = True
            log.info("Closing a flooding socket on design %s", self.design_id)
            await self.close(code=CLOSE_TOO_MANY_MESSAGES)
            return
        now = time.monotonic()
        if code == "too_large" or now - self.last_refusal >= 1:
            self.last_refusal = now
            await self.send_json({"type": "error", "code": code, "detail": detail})

    def schedule_resync(self) -> None:
        if self.resync_task is None or self.resync_task.done():
            self.resync_task = asyncio.ensure_future(self._resync_later())

    async def _resync_later(self) -> None:
        await asyncio.sleep(max(1.0, 10 / max(settings.DBSTUDIO_WS_RATE, 0.001)))
        if self.ydoc is not None and not self.closing:
            await self.send(bytes_data=create_sync_message(await self.current_doc()))

    async def receive_yjs(self, message: bytes) -> None:
        assert self.ydoc is not None
        if not message:
            return
        if message[0] == YMessageType.AWARENESS:
            clients = awareness_clients(message)
            new = [c for c in clients if c not in self.presence]
            self.presence.update(clients)
            # Presence is relayed to everyone else as is and never stored.
            await self.channel_layer.group_send(
                group_name(self.design_id), {"type": "yjs.relay", "data": message, "sender": self.channel_name}
            )
            if new:
                # Who is behind a client id is said by the server, from the socket's login, never by the client.
                await self.channel_layer.group_send(group_name(self.design_id), self.presence_event(new))
            return
        if message[0] != YMessageType.SYNC or len(message) < 2:
            return
        kind, payload = message[1], message[2:]
        if kind == YSyncMessageType.SYNC_STEP1:
            update = (await self.current_doc()).get_update(read_message(payload))
            await self.send(bytes_data=bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(update))
        elif kind in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
            await self.receive_update(read_message(payload))

    async def receive_update(self, update: bytes) -> None:
        assert self.ydoc is not None
        if update == collab.EMPTY_UPDATE:
            return
        if not self.can_edit:
            # A reconnecting read-only client's sync step 2 repeats what the server has; only say
            # "read-only" when the update really would have changed something.
            if adds_anything(await self.current_doc(), update):
                await self.send_json({"type": "read_only", "detail": f"You are {self.role}: your edits are not saved"})
            return
        Doc().apply_update(update)  # raises on a malformed update, before it can poison the log
        # Stored and broadcast in order by a task of its own, so this socket keeps relaying the others'
        # edits while its own wait for the database.
        self.edits.put_nowait(update)
        if self.edit_task is None or self.edit_task.done():
            self.edit_task = asyncio.ensure_future(self._commit_edits())

    async def _commit_edits(self) -> None:
        assert self.ydoc is not None
        while not self.edits.empty():
            # Everything queued so far goes to the writer at once (it keeps the order), so under load
            # one transaction stores many edits; each is broadcast once its own commit is done.
            queued = []
            while not self.edits.empty():
                update = self.edits.get_nowait()
                queued.append((update, writer().submit(self.design_id, update, self.scope["user"])))
            for update, stored in queued:
                await self._broadcast_when_stored(update, stored)
                if self.closing:
                    return

    async def _broadcast_when_stored(self, update: bytes, stored: asyncio.Future[int]) -> None:
        assert self.ydoc is not None
        try:
            # Stored before anyone else sees it: an update that was broadcast is never lost.
            seq = await stored
        except Exception:
            log.exception("Could not store an update on design %s", self.design_id)
            # The client's doc now has an edit the server lacks; reconnecting resends it.
            self.closing = True
            await self.close(code=1011)
            return
        await self.channel_layer.group_send(
            group_name(self.design_id),
            {"type": "yjs.relay", "data": create_update_message(update), "sender": self.channel_name},
        )
        self.ydoc.apply_update(update)
        self.dirty = True
        self.schedule_save()
        if seq % collab.compact_every() == 0:
            # Sequence numbers are handed out one by one per design, so exactly one consumer (in any
            # process) sees each multiple and compacts; the others do no per-update O(log) work. It
            # runs beside the broadcasts, not before the next one.
            self.compact_task = asyncio.ensure_future(apart(collab.compact)(self.design_id, up_to=seq))

    async def flush_edits(self) -> None:
        """Wait until every edit received so far is stored and broadcast."""
        while self.edit_task is not None and not self.edit_task.done():
            await asyncio.shield(self.edit_task)
        if self.compact_task is not None and not self.compact_task.done():
            with contextlib.suppress(Exception):  # a failed compaction loses nothing; the next one retries
                await asyncio.shield(self.compact_task)

    async def receive_command(self, text: str) -> None:
        try:
            command = json.loads(text)
        except ValueError:
            await self.send_json({"type": "error", "detail": "Text frames must be JSON"})
            return
        if not isinstance(command, dict):
            return
        if command.get("type") == "save":
            if not self.can_edit:
                await self.send_json({"type": "read_only", "detail": f"You are {self.role}: you cannot save"})
                return
            await self.flush_edits()
            if self.save_task is not None:
                self.save_task.cancel()
            message = str(command.get("message") or "Saved")[:200]
            request = command.get("request")
            await self.save_revision(message, reply=True, request=request if isinstance(request, int) else None)
        elif command.get("type") == "templates":
            await self.send_json({"type": "templates", "templates": collab.templates()})
        elif command.get("type") == "sync.fresh":
            # The next sync request is answered from the database, not from this socket's copy: the
            # client knows of a change stored elsewhere (its own REST save) whose relay may still be on
            # its way here.
            await self.flush_edits()
            self.stale = True
        elif command.get("type") == "presence.subscribe":
            # From now on this socket is told which user each awareness client id belongs to; the
            # sockets already here answer for their own clients.
            self.wants_presence = True
            await self.channel_layer.group_send(
                group_name(self.design_id), {"type": "presence.query", "reply_to": self.channel_name}
            )

    # --- presence ----------------------------------------------------------------------------

    def presence_event(self, clients: list[int]) -> dict[str, Any]:
        user = self.scope["user"]
        name = user.get_full_name() if hasattr(user, "get_full_name") else ""
        return {
            "type": "presence.user",
            "clients": clients,
            "user": {"id": user.pk, "username": user.get_username(), "name": name or user.get_username()},
            "role": self.role,
        }

    async def presence_query(self, event: dict[str, Any]) -> None:
        if self.presence:
            await self.channel_layer.send(event["reply_to"], self.presence_event(list(self.presence)))

    async def presence_user(self, event: dict[str, Any]) -> None:
        if self.wants_presence:
            await self.send_json(event)

    # --- revisions ---------------------------------------------------------------------------

    def schedule_save(self) -> None:
        """Save a revision once edits pause for ``collab.save_delay()`` seconds."""
        if self.save_task is not None:
            self.save_task.cancel()
        self.save_task = asyncio.ensure_future(self._save_later())

    async def _save_later(self) -> None:
        await asyncio.sleep(collab.save_delay())
        await self.save_revision("Live edit")

    async def save_revision(self, message: str, reply: bool = False, request: int | None = None) -> None:
        """Save a revision from the stored edits. With ``reply`` (a client's ``save``), the answer to
        this socket carries the client's ``request`` number: the ``revision.saved`` the whole group
        gets does not tell a client that *its* edits are stored, only the one answering its request does.
        """
        self.dirty = False
        answer = {"request": request} if reply and request is not None else {}
        # From the database, not from memory: what was stored is what everyone was acknowledged.
        revision, problems, ydoc = await apart(collab.save_live_revision)(self.design_id, self.scope["user"], message)
        if ydoc is not None:
            self.ydoc = ydoc
        if problems:
            detail = [{"path": p.path, "message": p.message} for p in problems]
            with contextlib.suppress(Exception):  # the socket may already be closing
                await self.send_json({"type": "document.invalid", "problems": detail, **answer})
        elif revision is not None:
            event: dict[str, Any] = {"type": "revision.saved", "revision": revision.number}
            if answer:
                event |= {"sender": self.channel_name, **answer}
            await self.channel_layer.group_send(group_name(self.design_id), event)
        elif reply:
            await self.send_json({"type": "revision.unchanged", **answer})

    # --- from the channel layer --------------------------------------------------------------

    async def yjs_relay(self, event: dict[str, Any]) -> None:
        if event.get("sender") == self.channel_name:
            return
        data = bytes(event["data"])
        if data[:1] == bytes([YMessageType.SYNC]):
            self.stale = True
        await self.send(bytes_data=data)

    async def membership_changed(self, event: dict[str, Any]) -> None:
        """An owner changed someone's role: if it is this socket's user, apply it now (removed: close)."""
        user = self.scope.get("user")
        if user is None or event.get("username") != user.get_username():
            return
        role = await _role(user, self.design_id)
        if role == self.role:
            return
        self.role = role
        if role is None:
            self.closing = True
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json({"type": "role.changed", "role": role, "read_only": not self.can_edit})

    async def job_progress(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def comment_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def revision_saved(self, event: dict[str, Any]) -> None:
        frame: dict[str, Any] = {"type": "revision.saved", "revision": event["revision"]}
        if event.get("sender") == self.channel_name and "request" in event:
            frame["request"] = event["request"]  # the answer to this socket's own save
        await self.send_json(frame)

    async def review_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)
