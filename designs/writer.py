"""Group commit for live updates: everything that queues up while one batch is written goes in the next.

Each consumer awaits ``store(...)`` before it broadcasts an update, so "stored before acknowledged"
holds exactly as with one transaction per update; under load, one lock and one commit serve many
editors instead of one each (the snapshot row lock serialises every writer of a design).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from channels.db import database_sync_to_async

from designs import collab

Pending = list[tuple[bytes, Any, "asyncio.Future[int]"]]


class UpdateWriter:
    """The writer of one event loop (one server process)."""

    def __init__(self) -> None:
        self.pending: dict[int, Pending] = {}
        self.task: asyncio.Task[None] | None = None

    async def store(self, design_id: int, update: bytes, author: Any) -> int:
        """Store ``update`` and return its sequence number once it is committed."""
        return await self.submit(design_id, update, author)

    def submit(self, design_id: int, update: bytes, author: Any) -> asyncio.Future[int]:
        """Queue ``update``; the future gives its sequence number once it is committed.

        Updates submitted one after another are stored in that order (in one batch or in batches
        written one after another), so a socket may submit several before awaiting the first.
        """
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending.setdefault(design_id, []).append((update, author, future))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._drain())
        return future

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, {}
            for design_id, items in batch.items():
                try:
                    seqs = await database_sync_to_async(collab.store_updates)(
                        design_id, [(update, author) for update, author, _ in items]
                    )
                except Exception as exc:  # every waiter hears of it; none broadcasts
                    for _, _, future in items:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, _, future), seq in zip(items, seqs, strict=True):
                    if not future.done():
                        future.set_result(seq)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, UpdateWriter] = weakref.WeakKeyDictionary()


def writer() -> UpdateWriter:
    """This event loop's writer (tests run several loops one after another)."""
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = UpdateWriter()
    return _writers[loop]
