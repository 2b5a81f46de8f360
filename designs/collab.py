"""Live collaboration state: the design document as a Yjs doc, its update log, compaction and revisions.

The mapping between the JSON document and the Y.Doc is one recursive rule, mirrored by the browser:
the root is the Y.Map ``ydoc.getMap("document")``; every JSON object becomes a Y.Map, every JSON array a
Y.Array, every scalar stays a plain value. So two people editing different tables (or different columns
of one table) touch different Y.Maps and both edits survive; two people changing the same field resolve
to one of the values, as Yjs always does.

Persistence: every accepted update is appended to ``DesignUpdate`` before it is broadcast. Loading merges
``DesignSnapshot.state`` with the updates after it; every ``compact_every()`` updates, the log is folded
into the snapshot. Revisions (frozen JSON) are made from the Y.Doc after a pause in edits or on demand.
The functions here are synchronous and touch the database; the consumer calls them in a thread.
"""

from __future__ import annotations

import bisect
import contextvars
import functools
import json
import logging
import multiprocessing
import threading
import types
import typing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from pycrdt import Array, Doc, Map, merge_updates
from pydantic import BaseModel

from designs.compiler.document import Document
from designs.compiler.validate import Problem, validate
from designs.events import tell_design
from designs.models import Design, DesignLogCounter, DesignSnapshot, DesignUpdate, Revision

log = logging.getLogger(__name__)

ROOT = "document"
EMPTY_UPDATE = b"\x00\x00"


def compact_every() -> int:
    """How many logged updates trigger a compaction into the snapshot."""
    return int(getattr(settings, "DBSTUDIO_COLLAB_COMPACT_EVERY", 200))


def save_delay() -> float:
    """Seconds without edits after which the live document is saved as a revision."""
    return float(getattr(settings, "DBSTUDIO_COLLAB_SAVE_DELAY", 3.0))


# --- JSON <-> Y mapping --------------------------------------------------------------------------


def to_y(value: Any) -> Any:
    """A JSON value as a (not yet integrated) Y value: dict → Map, list → Array, scalar as is."""
    if isinstance(value, dict):
        return Map({str(k): to_y(v) for k, v in value.items()})
    if isinstance(value, list):
        return Array([to_y(v) for v in value])
    return value


def to_json(value: Any) -> Any:
    """A Y value as JSON. Yjs numbers are doubles; whole numbers come back as ints (the format is strict)."""
    if isinstance(value, Map):
        return {k: to_json(v) for k, v in sorted(value.items())}
    if isinstance(value, Array):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def root(ydoc: Doc) -> Map:
    return ydoc.get(ROOT, type=Map)


def full_form(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every default written out, as the Y.Doc holds it.

    Every list (tables, columns, indexes, ...) must exist in the Y.Doc before anyone edits: if two
    clients each created a missing ``indexes`` array at the same moment, one array (and its index)
    would be lost. Saving strips the defaults again (``Document.to_data``).
    """
    doc, _ = validate(document)
    return doc.model_dump(mode="json", by_alias=True) if doc is not None else document


def templates() -> dict[str, dict[str, Any]]:
    """The defaults of every object kind in the document, keyed by where such objects live.

    Keys are paths with ``[]`` for "any item of this list" (``""`` is the document itself,
    ``"tables[]"`` a table, ``"tables[].columns[].type"`` a column's type); values are the fields
    that have defaults, in the JSON form ``Document.model_dump(by_alias=True)`` writes them. The
    browser fills these into every object it adds, so what it writes is the same full form as
    ``full_form`` (see docs/collaboration.md). Derived from the models, so it cannot drift.
    """
    return _templates()


@functools.cache
def _templates() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    _collect(Document, "", found)
    return found


def _collect(model: type[BaseModel], path: str, found: dict[str, dict[str, Any]]) -> None:
    defaults: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if not field.is_required():
            value = field.get_default(call_default_factory=True)
            defaults[key] = value.model_dump(mode="json", by_alias=True) if isinstance(value, BaseModel) else value
        for inner, in_list in _models_in(field.annotation):
            _collect(inner, f"{path}.{key}{'[]' if in_list else ''}".lstrip("."), found)
    found[path] = defaults


def _models_in(annotation: Any, in_list: bool = False) -> list[tuple[type[BaseModel], bool]]:
    """The pydantic models an annotation holds (through Optional, unions, Annotated and lists)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, in_list)]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _models_in(args[0], in_list)
    if origin in (typing.Union, types.UnionType):
        return [m for a in args for m in _models_in(a, in_list)]
    if origin is list:
        return _models_in(args[0], True) if args else []
    return []


def doc_from_json(document: dict[str, Any]) -> Doc:
    """A fresh Y.Doc holding ``document`` in its full form."""
    ydoc: Doc = Doc()
    top = root(ydoc)
    with ydoc.transaction():
        for key, value in full_form(document).items():
            top[key] = to_y(value)
    return ydoc


def document_of(ydoc: Doc) -> dict[str, Any]:
    """The JSON document a Y.Doc holds (not validated)."""
    data = to_json(root(ydoc))
    assert isinstance(data, dict)
    return data


def reconcile(ydoc: Doc, document: dict[str, Any], base: dict[str, Any] | None = None) -> bytes:
    """Change ``ydoc`` in place until it holds ``document``'s changes; return the Yjs update that did it.

    Used when the document was saved outside the live session (REST API, import). ``base`` is the
    document that save started from (the revision the live state last matched): only what differs
    between ``base`` and ``document`` is written, so live edits since ``base`` to anything the save did
    not touch survive. Without ``base``, the Y.Doc ends up holding exactly ``document``.

    Either way the change is granular: a field is set only where it changed, list items are matched by
    id (scalars by value, objects without an id in order) and keep their Y identity, and only the
    items that were added, removed or moved are inserted or deleted. So a client editing another field
    of the same table or column concurrently (its update not yet here) keeps its edit too.
    """
    before = ydoc.get_state()
    # What an update "since before" holds when nothing is written: no items, but the doc's whole
    # delete set (Yjs always sends it), so a change is told from no change by comparing with this.
    nothing = ydoc.get_update(before)
    new = full_form(document)
    with ydoc.transaction():
        top = root(ydoc)
        _merge_map(top, full_form(base) if base is not None else to_json(top), new)
    change = ydoc.get_update(before)
    return EMPTY_UPDATE if change == nothing else change


def _merge_map(ymap: Map, base: dict[str, Any], data: dict[str, Any]) -> None:
    """Apply the change ``base`` → ``data`` to ``ymap``: removed keys go, changed keys are merged or set.

    ``base`` and ``data`` are plain JSON in full form, compared as they are (1 == 1.0 in Python, as
    whole numbers are in Yjs); the live doc's values are compared through ``to_json``.
    """
    for key in base:
        if key not in data and key in ymap:
            del ymap[key]
    for key, value in data.items():
        if key in base and base[key] == value:
            continue  # this save did not touch it: whatever the live doc has stays
        current = ymap.get(key)
        was = base.get(key)
        if isinstance(current, Map) and isinstance(value, dict):
            _merge_map(current, was if isinstance(was, dict) else to_json(current), value)
        elif isinstance(current, Array) and isinstance(value, list):
            _merge_array(current, was if isinstance(was, list) else to_json(current), value)
        elif key not in ymap or to_json(current) != to_json(value):
            ymap[key] = to_y(value)


def _keys(items: list[Any]) -> list[tuple[Any, ...]]:
    """A key per list item that says which items are "the same object": its id when it has one, its
    value for a scalar, its place among the id-less objects otherwise; numbered per repeat so keys
    are unique."""
    seen: dict[tuple[Any, ...], int] = {}
    keys = []
    for item in items:
        if isinstance(item, Map | dict) and isinstance(item.get("id"), str):
            raw: tuple[Any, ...] = ("id", item.get("id"))
        elif isinstance(item, Map | dict):
            raw = ("object",)
        elif isinstance(item, Array | list):
            raw = ("list",)
        else:
            raw = ("value", json.dumps(to_json(item), sort_keys=True))
        seen[raw] = seen.get(raw, 0) + 1
        keys.append((*raw, seen[raw]))
    return keys


def _merge_array(yarray: Array, base: list[Any], data: list[Any]) -> None:
    """Apply the change ``base`` → ``data`` to ``yarray``, touching only the items that changed.

    Items the save removed are deleted, items it added are inserted after the item they follow in
    ``data``, items it changed are merged in place, and items it moved (the fewest that restore its
    order) are re-inserted. Items added live since ``base`` stay where they are.
    """
    base_keys, new_keys = _keys(base), _keys(data)
    old = {k: v for k, v in zip(base_keys, base, strict=True)}
    wanted = {k: v for k, v in zip(new_keys, data, strict=True)}
    # 1. What the save removed.
    live = _keys(list(yarray))
    for i in reversed(range(len(live))):
        if live[i] in old and live[i] not in wanted:
            del yarray[i]
    # 2. What it changed, in place.
    live = _keys(list(yarray))
    at = {k: i for i, k in enumerate(live)}
    for key, value in wanted.items():
        if key in old and key in at and old[key] != value:
            current = yarray[at[key]]
            if isinstance(current, Map) and isinstance(value, dict):
                _merge_map(current, old[key] if isinstance(old[key], dict) else to_json(current), value)
            elif isinstance(current, Array) and isinstance(value, list):
                _merge_array(current, old[key] if isinstance(old[key], list) else to_json(current), value)
            else:
                del yarray[at[key]]
                yarray.insert(at[key], to_y(value))
    # 3. What it moved: items in both whose order differs from ``data``'s, beyond the longest run in order.
    live = _keys(list(yarray))
    in_live = set(live)
    common = [k for k in new_keys if k in in_live]
    keep = set(_longest_common_subsequence([k for k in live if k in wanted], common))
    moved: dict[tuple[Any, ...], Any] = {}
    for i in reversed(range(len(live))):
        if live[i] in wanted and live[i] not in keep:
            moved[live[i]] = to_json(yarray[i])  # with its live edits
            del yarray[i]
    # 4. Insert what it added (and what moved) after the item it follows in ``data``. An item deleted
    # live that the save did not change stays deleted; one the save changed comes back, changed.
    present = _keys(list(yarray))
    in_present = set(present)
    for j, key in enumerate(new_keys):
        if key in in_present or (key not in moved and key in old and old[key] == data[j]):
            continue
        after = next((present.index(k) for k in reversed(new_keys[:j]) if k in in_present), -1)
        yarray.insert(after + 1, to_y(moved.get(key, data[j])))
        present.insert(after + 1, key)
        in_present.add(key)


def _longest_common_subsequence(a: list[Any], b: list[Any]) -> list[Any]:
    """The longest sequence of items in both ``a`` and ``b`` in the same order (items are unique keys)."""
    # Trim the common ends first: a save usually changes a few items of a long list.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    head, tail = a[:start], a[len(a) - end :]
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    # With unique keys this is the longest increasing run of b's positions along a (patience sorting).
    position = {k: i for i, k in enumerate(b)}
    sequence = [k for k in a if k in position]
    tops: list[int] = []
    top_items: list[int] = []
    previous: list[int] = []
    for index, key in enumerate(sequence):
        p = position[key]
        slot = bisect.bisect_left(tops, p)
        if slot == len(tops):
            tops.append(p)
            top_items.append(index)
        else:
            tops[slot] = p
            top_items[slot] = index
        previous.append(top_items[slot - 1] if slot else -1)
    middle: list[Any] = []
    index = top_items[-1] if top_items else -1
    while index >= 0:
        middle.append(sequence[index])
        index = previous[index]
    return head + middle[::-1] + tail


# --- persistence -----------------------------------------------------------------------------------


def load_state(design_id: int) -> tuple[bytes, int]:
    """The design's whole Yjs state as one update, and the last stored sequence number.

    The first load builds the state from the JSON document and stores it as the snapshot at once,
    so every server process starts from the same Yjs items (two independent builds would duplicate).
    A document saved outside the live session since then is reconciled into the state here.
    """
    design = Design.objects.get(pk=design_id)
    snapshot = DesignSnapshot.objects.filter(design_id=design_id).first()
    if snapshot is None:
        state = doc_from_json(design.document).get_update()
        try:
            with transaction.atomic():
                snapshot = DesignSnapshot.objects.create(
                    design_id=design_id, state=state, seq=0, revision=design.revision_number
                )
                DesignLogCounter.objects.create(design_id=design_id)
        except IntegrityError:  # another process built it first; use theirs
            snapshot = DesignSnapshot.objects.get(design_id=design_id)
    if design.revision_number > snapshot.revision:
        catch_up(design_id)
    return _merged_state(design_id)


def _merged_state(design_id: int) -> tuple[bytes, int]:
    snapshot = DesignSnapshot.objects.get(design_id=design_id)
    rows = list(DesignUpdate.objects.filter(design_id=design_id, seq__gt=snapshot.seq).order_by("seq"))
    updates = [bytes(snapshot.state), *(bytes(r.update) for r in rows)]
    last_seq = rows[-1].seq if rows else snapshot.seq
    return (merge_updates(*updates) if len(updates) > 1 else updates[0]), last_seq


def catch_up(design_id: int) -> bytes | None:
    """Reconcile a document saved outside the live session (REST, import) into the live state.

    Returns the stored Yjs update that did it (None when there is no live state yet or nothing to
    do). The snapshot row stays locked meanwhile, so two callers never both reconcile the same
    revision (which would insert its new objects twice).
    """
    with transaction.atomic():
        snapshot = DesignSnapshot.objects.select_for_update().filter(design_id=design_id).first()
        design = Design.objects.get(pk=design_id)
        if snapshot is None or design.revision_number <= snapshot.revision:
            return None
        state, _ = _merged_state(design_id)
        ydoc: Doc = Doc()
        ydoc.apply_update(state)
        # Only what the save changed since the revision the live state last matched is applied, so
        # live edits stored since then (not yet a revision) survive where the save did not touch them.
        base = Revision.objects.filter(design_id=design_id, number=snapshot.revision).values_list("document", flat=True)
        change = reconcile(ydoc, design.document, base=base.first())
        if change != EMPTY_UPDATE:
            store_update(design_id, change, author=None)
        DesignSnapshot.objects.filter(pk=snapshot.pk).update(revision=design.revision_number)
    return change if change != EMPTY_UPDATE else None


def _marks(design_id: int) -> tuple[int, int] | None:
    """(the last update in a saved revision, the last update stored); None without a live state."""
    row = DesignSnapshot.objects.filter(design_id=design_id).values_list("saved_seq", "design__live_counter__last_seq")
    marks = row.first()
    return None if marks is None or marks[1] is None else (marks[0], marks[1])


# Set while the live session itself saves a revision, so that save is not pushed back into it.
_live_save: contextvars.ContextVar[bool] = contextvars.ContextVar("live_save", default=False)


def push_saved_document(design_id: int) -> None:
    """Bring open editors up to date with a document saved outside the live session.

    Called (after commit) for every new revision that was not made from the live doc: the change
    is stored in the update log like any edit and broadcast to the design's sockets.
    """
    change = catch_up(design_id)
    if change is None:
        return
    from pycrdt import create_update_message

    tell_design(design_id, {"type": "yjs.relay", "data": create_update_message(change), "sender": ""})


def revision_created(sender: Any, instance: Revision, created: bool, **kwargs: Any) -> None:
    """``post_save`` receiver for Revision (connected in ``designs.apps``)."""
    if created and not _live_save.get():
        design_id = instance.design_id
        transaction.on_commit(lambda: _push_quietly(design_id))


def _push_quietly(design_id: int) -> None:
    # The save itself succeeded; open editors catch up on their next connection at the latest.
    try:
        push_saved_document(design_id)
    except Exception:
        log.exception("Could not push design %s's saved document to its live session", design_id)


def store_update(design_id: int, update: bytes, author: Any) -> int:
    """Append ``update`` to the design's log and return its sequence number."""
    return store_updates(design_id, [(update, author)])[0]


def store_updates(design_id: int, updates: list[tuple[bytes, Any]]) -> list[int]:
    """Append ``(update, author)`` pairs to the design's log; their sequence numbers, in order.

    Numbers come from the design's ``DesignLogCounter``. The UPDATE that bumps it holds the counter
    row's lock until the rows are committed, so numbers are committed in order: the updates a
    compaction reads are always every update up to some number, never one with a gap still being
    written. On PostgreSQL it is a single statement: one round trip and one commit for a whole batch
    (``designs.writer`` batches under load).
    """
    if not updates:
        return []
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        seqs = _store_updates_in_one_statement(design_id, updates)
    else:
        with transaction.atomic():
            bumped = DesignLogCounter.objects.filter(design_id=design_id).update(last_seq=F("last_seq") + len(updates))
            last = DesignLogCounter.objects.filter(design_id=design_id).values_list("last_seq", flat=True).first()
            if not bumped or last is None:
                raise DesignSnapshot.DoesNotExist(f"design {design_id} has no live state yet")
            first = last - len(updates) + 1
            DesignUpdate.objects.bulk_create(
                DesignUpdate(design_id=design_id, seq=first + i, update=update, author=author)
                for i, (update, author) in enumerate(updates)
            )
            seqs = list(range(first, last + 1))
    if len(seqs) != len(updates):
        raise DesignSnapshot.DoesNotExist(f"design {design_id} has no live state yet")
    return seqs


def _column(model: Any, name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(connection.ops.quote_name(field.column))


def _store_updates_in_one_statement(design_id: int, updates: list[tuple[bytes, Any]]) -> list[int]:
    q = connection.ops.quote_name
    counter, log = DesignLogCounter._meta, DesignUpdate._meta
    last_seq, counter_design = _column(DesignLogCounter, "last_seq"), _column(DesignLogCounter, "design")
    columns = ", ".join(_column(DesignUpdate, name) for name in ("design", "seq", "update", "author", "created_at"))
    rows = ", ".join(["(%s::bigint, %s::bytea, %s::bigint)"] * len(updates))
    # Only quoted identifiers from the models and placeholders are formatted in; values are parameters.
    sql = (
        f"WITH counter AS (UPDATE {q(counter.db_table)} SET {last_seq} = {last_seq} + %s "  # noqa: S608
        f"WHERE {counter_design} = %s RETURNING {last_seq} AS last) "
        f"INSERT INTO {q(log.db_table)} ({columns}) "
        f"SELECT %s, counter.last - %s + v.i, v.u, v.a, %s FROM counter, (VALUES {rows}) AS v(i, u, a) "
        f"RETURNING {_column(DesignUpdate, 'seq')}"
    )
    params: list[Any] = [len(updates), design_id, design_id, len(updates), timezone.now()]
    for i, (update, author) in enumerate(updates, start=1):
        params += [i, update, getattr(author, "pk", None)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


# Merges at least this big run in a helper process (see merged_updates).
MERGE_IN_PROCESS_BYTES = 256 * 1024
_merge_pool: ProcessPoolExecutor | None = None
_merge_pool_lock = threading.Lock()


def merged_updates(state: bytes, updates: list[bytes]) -> bytes:
    """``merge_updates(state, *updates)``; a big merge runs in a helper process.

    pycrdt holds the interpreter lock while it merges (a 650 kB document: about 40 ms), so a merge on
    the socket's process stalls every edit it relays meanwhile; that was the collaboration
    benchmark's p99. A small merge costs less than the hop to the helper, so it stays here. If the
    helper dies, the merge runs here and the next one starts a new helper.
    """
    global _merge_pool
    if len(state) + sum(len(u) for u in updates) < MERGE_IN_PROCESS_BYTES:
        return merge_updates(state, *updates)
    with _merge_pool_lock:
        if _merge_pool is None:
            # spawn, not fork: this process runs threads (the event loop's executor among them).
            _merge_pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        pool = _merge_pool
    try:
        return bytes(pool.submit(merge_updates, state, *updates).result())
    except BrokenProcessPool:
        log.warning("the merge helper process died; merging in this process")
        with _merge_pool_lock:
            if _merge_pool is pool:
                _merge_pool = None
        return merge_updates(state, *updates)


def compact(design_id: int, keep_below: int | None = None, up_to: int | None = None) -> bool:
    """Fold the logged updates into the snapshot when there are at least ``compact_every()`` of them.

    The merge (O(document)) runs without holding the snapshot lock, so editors keep storing updates
    meanwhile; the result is written only if no other compaction moved the snapshot in between.
    Deletes exactly the rows it folded in (those up to ``up_to`` when given), so an update stored
    meanwhile is never lost.
    """
    threshold = compact_every() if keep_below is None else keep_below
    folded = DesignSnapshot.objects.filter(design_id=design_id).values_list("pk", "seq").first()
    if folded is None:
        return False
    snapshot_pk, seq = folded
    logged = DesignUpdate.objects.filter(design_id=design_id, seq__gt=seq)
    if up_to is not None:
        logged = logged.filter(seq__lte=up_to)
    size = logged.aggregate(count=models.Count("pk"), bytes=models.Sum(Length("update")))
    if not size["count"] or size["count"] < threshold:
        return False
    if keep_below is None:
        # Amortised: the merge is O(document) and, on the socket's process, holds the interpreter
        # while it runs (a 300-table doc: tens of ms in which no edit is relayed). So it waits until
        # the log is a quarter of the snapshot's size; a late joiner's load stays within 1.25 x.
        stored = DesignSnapshot.objects.filter(pk=snapshot_pk).annotate(size=Length("state"))
        if (size["bytes"] or 0) * 4 < (stored.values_list("size", flat=True).get() or 0):
            return False
    rows = list(logged.order_by("seq").values_list("pk", "seq", "update"))
    if not rows:
        return False
    state = DesignSnapshot.objects.filter(pk=snapshot_pk).values_list("state", flat=True).get()
    merged = merged_updates(bytes(state), [bytes(update) for _, _, update in rows])
    with transaction.atomic():
        current = DesignSnapshot.objects.select_for_update().filter(pk=snapshot_pk).values_list("seq", flat=True).get()
        if current != seq:
            return False  # another process compacted first
        DesignSnapshot.objects.filter(pk=snapshot_pk).update(state=merged, seq=rows[-1][1], updated_at=timezone.now())
        DesignUpdate.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
    return True


def save_revision(
    design_id: int, ydoc: Doc, author: Any, message: str, last_seq: int
) -> tuple[Revision | None, list[Problem]]:
    """Freeze the live document (the stored state up to update ``last_seq``) as the next revision.

    Returns the new revision (None when nothing changed, it is invalid, or a save of the same or a
    later state got there first) and the validation problems. Savers race: every editor's socket
    asks after a pause, and an API read flushes (``flush_live_edits``); the claim on ``saved_seq``
    is the first write of the transaction, so a save of an older state that loses the race never
    overwrites a newer revision.
    """
    data = document_of(ydoc)
    doc, problems = validate(data)
    if doc is None:
        return None, problems
    document = doc.to_data()
    with transaction.atomic():
        claimed = DesignSnapshot.objects.filter(design_id=design_id, saved_seq__lt=last_seq).update(
            saved_seq=last_seq
        )
        if not claimed:
            return None, []
        design = Design.objects.get(pk=design_id)
        if document == design.document:
            return None, []
        token = _live_save.set(True)
        try:
            revision = design.save_document(document, author=author, message=message)
        finally:
            _live_save.reset(token)
        DesignSnapshot.objects.filter(design_id=design_id).update(revision=revision.number)
    return revision, []


def save_live_revision(design_id: int, author: Any, message: str) -> tuple[Revision | None, list[Problem], Doc | None]:
    """Save the stored live state as a revision, unless no update arrived since the last save.

    With twenty editors, each one's socket asks for a save after a pause and on leaving; the first
    does the O(document) work, the others see that ``saved_seq`` already covers every update.
    Returns the revision (or None), the validation problems, and the doc it loaded (None if skipped).
    """
    marks = _marks(design_id)
    if marks is not None and marks[0] >= marks[1]:
        return None, [], None
    state, last_seq = load_state(design_id)
    ydoc: Doc = Doc()
    ydoc.apply_update(state)
    revision, problems = save_revision(design_id, ydoc, author, message, last_seq)
    return revision, problems, ydoc


# Per process: the last update sequence at which a design's live state was found invalid.
_invalid_at: dict[int, int] = {}


def flush_live_edits(design_id: int) -> bool:
    """Make a revision now of live edits that are stored (acknowledged) but not yet in one.

    Editors see "Saved" once the server has stored their update; the revision that freezes it follows
    after a pause in edits. An API read in between (the document, an export, a compile) flushes first,
    so it sees what every editor was told is saved. One indexed read when nothing is pending.
    Returns whether a revision was made.
    """
    marks = _marks(design_id)
    if marks is None or marks[0] >= marks[1] or _invalid_at.get(design_id) == marks[1]:
        return False
    # The revision is the last editor's, as it would have been after the pause.
    last = DesignUpdate.objects.filter(design_id=design_id).order_by("-seq").select_related("author").first()
    author = last.author if last is not None else None
    revision, problems, _ = save_live_revision(design_id, author, "Live edit")
    if problems:
        # The editors were told (document.invalid); until the next edit, reads skip the same check.
        _invalid_at[design_id] = marks[1]
    if revision is None:
        return False
    tell_design(design_id, {"type": "revision.saved", "revision": revision.number})
    return True

