"""Auto-layout for a design nobody arranged: a map of areas, each layered by foreign-key direction.

It draws the same kind of map as the editor's elkjs layout (``frontend/src/canvas/layout.ts``),
so a design laid out here on create or import reads like one the browser arranged:

- Tables are grouped by schema (when it is not the default) or by a name prefix that at least
  three tables share (``billing_*``, ``crm_*``). With two groups or more, or one group beside other
  tables, each group becomes an area; otherwise the design is one block without areas.
- Inside a group, and among the ungrouped tables, a table's layer is one more than the deepest
  table it references (cycles are broken where they are met): referenced tables sit left of the
  tables that point at them. Inside a layer, tables are ordered by the average place of their
  neighbours (a few sweeps each way), which keeps edges short and crossings few; a tall layer
  wraps into several columns so that a block comes out a little wider than tall (1.2:1): such
  blocks pack into a map that fills a screen better than wide ones. Tables that no foreign key
  touches come last, in columns of their own.
- The blocks are packed into a map of about 1.7:1, the blocks other blocks point at first (left,
  top). An area leaves room above its tables for its label, which grows with the area.

Pure and deterministic: the same document always gets the same positions, areas and area ids.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import deque
from dataclasses import dataclass

from .document import Area, Document, Note, Point, Size, Table

AREA_COLORS = ("#4f6bed", "#0e9f6e", "#d97706", "#c2417a", "#0891b2", "#7c3aed", "#65a30d", "#dc2626")
NOTE_GAP = 60  # between the diagram and the notes' column, and twice the gap between two notes
MIN_GROUP = 3  # a name prefix becomes a group when this many tables share it
PAD_TOP, PAD_SIDE, PAD_BOTTOM = 56, 28, 28  # an area's padding around its tables (top: at least)
LAYER_GAP, NODE_GAP, BOX_GAP = 90, 36, 80  # between columns, between tables in a column, between blocks
BLOCK_RATIO, MAP_RATIO = 1.2, 1.7  # width:height aimed at, for a block (an area) and for the whole map
SWEEPS = 3  # ordering passes (down then up) inside a block


def _round(value: float) -> int:
    """JavaScript's ``Math.round`` (halves up), so sizes match the editor's."""
    return math.floor(value + 0.5)


def area_label_size(area_width: float) -> int:
    """The font size of an area's label, as the editor draws it (``areaLabelSize`` in layout.ts)."""
    return _round(max(18, min(200, (area_width - 600) / 8)))


def top_pad(area_width: float) -> int:
    """Room above an area's tables for its label (drawn 12 px from the top, 1.2 lines high)."""
    return max(PAD_TOP, _round(area_label_size(area_width) * 1.4 + 28))


def estimate_size(table: Table, default_schema: str = "public") -> tuple[float, float]:
    """A table's drawn size before the browser measures it: a title row and a row per column."""
    title = table.name if not table.schema_ or table.schema_ == default_schema else f"{table.schema_}.{table.name}"
    longest = max([len(title)] + [len(c.name) + 12 for c in table.columns])
    width = max(220.0, min(360.0, 90 + longest * 7.5))
    height = 44.0 + max(1, len(table.columns)) * 27 + (27 if table.comment else 0)
    return width, height


def group_tables(doc: Document) -> dict[str, str]:
    """The group of each grouped table: its schema when not the default, else a prefix shared by a few."""
    default = doc.settings.default_schema

    def prefix(table: Table) -> str | None:
        return table.name.split("_", 1)[0] if "_" in table.name else None

    counts: dict[str, int] = {}
    for table in doc.tables:
        p = prefix(table)
        if p and not (table.schema_ and table.schema_ != default):
            counts[p] = counts.get(p, 0) + 1
    groups: dict[str, str] = {}
    for table in doc.tables:
        p = prefix(table)
        if table.schema_ and table.schema_ != default:
            groups[table.id] = table.schema_
        elif p and counts.get(p, 0) >= MIN_GROUP:
            groups[table.id] = p
    return groups


@dataclass
class Block:
    """Tables laid out together; positions are relative to the block's top left corner."""

    key: str  # the group's name; "" for the tables in no group
    positions: dict[str, tuple[float, float]]
    width: float
    height: float


def layout(doc: Document) -> Document:
    """A copy of ``doc`` with every table placed and an area per group; deterministic for the same document.

    Areas the layout makes replace the document's areas of the same name (keeping their id and
    colour); areas with other names stay as they are.
    """
    if not doc.tables:
        return doc
    sizes = {t.id: estimate_size(t, doc.settings.default_schema) for t in doc.tables}
    group_of = group_tables(doc)
    names = sorted(set(group_of.values()))
    use_areas = len(names) >= 2 or (len(names) == 1 and len(group_of) < len(doc.tables))
    if not use_areas:
        group_of = {}
    members: dict[str, list[str]] = {}  # block key -> table ids, blocks in order of their first table
    for table in doc.tables:
        members.setdefault(group_of.get(table.id, ""), []).append(table.id)
    parents: dict[str, list[str]] = {t.id: [] for t in doc.tables}
    box_edges: list[tuple[str, str]] = []
    for rel in doc.relationships:
        child, parent = rel.from_table, rel.to_table
        if child not in parents or parent not in parents or child == parent:
            continue
        a, b = group_of.get(parent, ""), group_of.get(child, "")
        if a == b:
            if parent not in parents[child]:
                parents[child].append(parent)
        elif (a, b) not in box_edges:
            box_edges.append((a, b))

    blocks = [_layered(key, ids, sizes, parents) for key, ids in members.items()]
    framed = [_frame(block) if block.key else (block.width, block.height, 0.0, 0.0) for block in blocks]
    rank = _topological([b.key for b in blocks], box_edges)
    order = sorted(range(len(blocks)), key=lambda i: rank[blocks[i].key])
    placed = _pack([(framed[i][0], framed[i][1]) for i in order])

    positions: dict[str, Point] = {}
    existing = {a.name: a for a in doc.areas}
    made: list[Area] = []
    for i, (bx, by) in zip(order, placed, strict=True):
        block = blocks[i]
        width, height, dx, dy = framed[i]
        for table_id, (x, y) in block.positions.items():
            positions[table_id] = Point(x=_round(bx + dx + x), y=_round(by + dy + y))
        if block.key:
            before = existing.get(block.key)
            made.append(
                Area(
                    id=before.id if before else _area_id(block.key, doc),
                    name=block.key,
                    position=Point(x=_round(bx), y=_round(by)),
                    size=Size(width=_round(width), height=_round(height)),
                    color=before.color if before else AREA_COLORS[names.index(block.key) % len(AREA_COLORS)],
                )
            )
    tables = [t.model_copy(update={"position": positions[t.id]}) for t in doc.tables]
    kept = [a for a in doc.areas if a.name not in {m.name for m in made}]
    right = max([p.x + sizes[i][0] for i, p in positions.items()] + [a.position.x + a.size.width for a in made])
    notes = _place_notes(doc, positions, right + NOTE_GAP)
    return doc.model_copy(update={"tables": tables, "areas": kept + made, "notes": notes})


def _place_notes(doc: Document, positions: dict[str, Point], x: float) -> list[Note]:
    """Notes nobody placed (at the origin, where they would cover the first table) go in a column right of
    the diagram, each level with the table it is about when it can be, in that order, never overlapping."""
    table_of = {t.id: t.id for t in doc.tables} | {c.id: t.id for t in doc.tables for c in t.columns}

    def level(note: Note) -> float:
        table = table_of.get(note.anchor or "")
        return positions[table].y if table else math.inf

    unplaced = sorted((n for n in doc.notes if n.position.x == 0 and n.position.y == 0), key=level)
    moved: dict[str, Point] = {}
    y = 0.0
    for note in unplaced:
        want = level(note)
        top = max(y, want if want != math.inf else y)
        moved[note.id] = Point(x=_round(x), y=_round(top))
        y = top + note.size.height + NOTE_GAP / 2
    return [n.model_copy(update={"position": moved[n.id]}) if n.id in moved else n for n in doc.notes]


def needs_layout(doc: Document) -> bool:
    """A design nobody arranged: it has tables and every one is still at the origin."""
    return all(t.position.x == 0 and t.position.y == 0 for t in doc.tables) and len(doc.tables) > 0


def arrange(doc: Document) -> Document:
    """``doc`` laid out when nobody arranged it (``needs_layout``); otherwise ``doc`` itself, untouched."""
    return layout(doc) if needs_layout(doc) else doc


# ---- one block: layered by foreign-key direction ----------------------------------------------


def _layered(
    key: str, ids: list[str], sizes: dict[str, tuple[float, float]], all_parents: dict[str, list[str]]
) -> Block:
    inside = set(ids)
    parents = {i: [p for p in all_parents[i] if p in inside] for i in ids}
    children: dict[str, list[str]] = {i: [] for i in ids}
    for i in ids:
        for p in parents[i]:
            children[p].append(i)
    layer = _layers(ids, parents)
    connected = [i for i in ids if parents[i] or children[i]]
    alone = [i for i in ids if not parents[i] and not children[i]]
    layers: list[list[str]] = [[] for _ in range(max((layer[i] for i in connected), default=-1) + 1)]
    for i in connected:
        layers[layer[i]].append(i)
    _order(layers, parents, children)
    columns_of = [*(list(ids_) for ids_ in layers), *([alone] if alone else [])]

    tallest = max(sizes[i][1] for i in ids)
    full = max(_stacked(c, sizes) for c in columns_of)
    best: tuple[tuple[float, float], Block] | None = None
    for limit in _limits(tallest, full):
        positions, width, height = _columns(columns_of, sizes, limit)
        score = (abs(math.log(width / height / BLOCK_RATIO)), -limit)
        if best is None or score < best[0]:
            best = (score, Block(key, positions, width, height))
    assert best is not None
    return best[1]


def _layers(ids: list[str], parents: dict[str, list[str]]) -> dict[str, int]:
    """Each table's layer: one more than its deepest parent's, once cycles are broken (``_acyclic_order``)."""
    order = _acyclic_order(ids, parents)
    rank = {i: n for n, i in enumerate(order)}
    layer: dict[str, int] = {}
    for i in order:
        layer[i] = 1 + max((layer[p] for p in parents[i] if rank[p] < rank[i]), default=-1)
    return layer


def _acyclic_order(ids: list[str], parents: dict[str, list[str]]) -> list[str]:
    """The tables in an order where few foreign keys point backwards (Eades, Lin and Smyth's greedy
    heuristic, as elkjs breaks cycles): tables nothing is left to reference go first, tables nothing
    remaining references go last, and in a cycle the table with the most children over parents first.
    Ties go by document order, so the result is deterministic. O((tables + keys) log tables).
    """
    index = {i: n for n, i in enumerate(ids)}
    children: dict[str, list[str]] = {i: [] for i in ids}
    for i in ids:
        for p in parents[i]:
            children[p].append(i)
    ins = {i: len(parents[i]) for i in ids}
    outs = {i: len(children[i]) for i in ids}
    left = set(ids)
    head: list[str] = []
    tail: list[str] = []
    heap = [(ins[i] - outs[i], index[i], i) for i in ids]
    heapq.heapify(heap)
    sources = deque(i for i in ids if ins[i] == 0)
    sinks = deque(i for i in ids if outs[i] == 0 and ins[i] > 0)

    def remove(i: str) -> None:
        left.discard(i)
        for c in children[i]:
            if c in left:
                ins[c] -= 1
                heapq.heappush(heap, (ins[c] - outs[c], index[c], c))
                if ins[c] == 0:
                    sources.append(c)
        for p in parents[i]:
            if p in left:
                outs[p] -= 1
                heapq.heappush(heap, (ins[p] - outs[p], index[p], p))
                if outs[p] == 0 and ins[p] > 0:
                    sinks.append(p)

    while left:
        if sinks:
            i = sinks.popleft()
            if i in left:
                tail.append(i)
                remove(i)
            continue
        if sources:
            i = sources.popleft()
            if i in left:
                head.append(i)
                remove(i)
            continue
        delta, _, i = heapq.heappop(heap)
        if i in left and delta == ins[i] - outs[i]:
            head.append(i)
            remove(i)
    return head + tail[::-1]


def _order(layers: list[list[str]], parents: dict[str, list[str]], children: dict[str, list[str]]) -> None:
    """Reorder each layer in place by the mean place of each table's neighbours (barycentre sweeps)."""
    place: dict[str, float] = {}

    def number(ids: list[str]) -> None:
        for n, i in enumerate(ids):
            place[i] = (n + 0.5) / len(ids)

    for ids in layers:
        number(ids)

    def sort(ids: list[str], neighbours: dict[str, list[str]]) -> None:
        def key(i: str) -> tuple[float, float]:
            near = [place[n] for n in neighbours[i] if n in place]
            return (sum(near) / len(near) if near else place[i], place[i])

        ids.sort(key=key)
        number(ids)

    for _ in range(SWEEPS):
        for ids in layers[1:]:
            sort(ids, parents)
        for ids in reversed(layers[:-1]):
            sort(ids, children)


def _stacked(ids: list[str], sizes: dict[str, tuple[float, float]]) -> float:
    return sum(sizes[i][1] for i in ids) + NODE_GAP * max(len(ids) - 1, 0)


def _limits(tallest: float, full: float) -> list[float]:
    """Column heights to try: from one table per column up to no wrapping at all."""
    if full <= tallest:
        return [full]
    steps = 24
    return [tallest * (full / tallest) ** (n / steps) for n in range(steps + 1)]


def _columns(
    layers: list[list[str]], sizes: dict[str, tuple[float, float]], limit: float
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Layers left to right as columns, a layer taller than ``limit`` wrapping into more columns."""
    positions: dict[str, tuple[float, float]] = {}
    x = width = height = 0.0
    for ids in layers:
        column: list[str] = []
        y = 0.0
        for i in ids:
            h = sizes[i][1]
            if column and y + h > limit + 0.5:
                x += max(sizes[c][0] for c in column) + LAYER_GAP
                column, y = [], 0.0
            positions[i] = (x, y)
            column.append(i)
            y += h + NODE_GAP
            height = max(height, y - NODE_GAP)
        if column:
            width = x + max(sizes[c][0] for c in column)
            x = width + LAYER_GAP
    return positions, width, height


# ---- the map: areas framed and packed --------------------------------------------------------


def _frame(block: Block) -> tuple[float, float, float, float]:
    """An area around a block: its size and where the block sits inside it."""
    width = block.width + 2 * PAD_SIDE
    top = top_pad(width)
    return width, block.height + top + PAD_BOTTOM, float(PAD_SIDE), float(top)


def _topological(keys: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """A rank per block: each after the blocks pointing into it, cycles broken by input order."""
    incoming = dict.fromkeys(keys, 0)
    out: dict[str, list[str]] = {}
    for a, b in edges:
        out.setdefault(a, []).append(b)
        incoming[b] += 1
    rank: dict[str, int] = {}
    remaining = list(keys)
    while remaining:
        best = min(remaining, key=lambda k: incoming[k])  # first of the fewest: input order breaks ties
        remaining.remove(best)
        rank[best] = len(rank)
        for b in out.get(best, []):
            incoming[b] -= 1
    return rank


def _pack(boxes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Top-left corners for ``boxes`` (in order) packed to a map of about ``MAP_RATIO``."""
    if len(boxes) == 1:
        return [(0.0, 0.0)]
    area = sum((w + BOX_GAP) * (h + BOX_GAP) for w, h in boxes)
    widest = max(w for w, _ in boxes)
    ideal = math.sqrt(area * MAP_RATIO)
    limits = sorted({widest, sum(w + BOX_GAP for w, _ in boxes), *(max(widest, ideal * f / 10) for f in range(5, 26))})
    best: tuple[tuple[float, float], list[tuple[float, float]]] | None = None
    for limit in limits:
        corners = _skyline(boxes, limit)
        width = max(x + w for (x, _), (w, _) in zip(corners, boxes, strict=True))
        height = max(y + h for (_, y), (_, h) in zip(corners, boxes, strict=True))
        score = (abs(math.log(width / height / MAP_RATIO)), width * height)
        if best is None or score < best[0]:
            best = (score, corners)
    assert best is not None
    return best[1]


def _skyline(boxes: list[tuple[float, float]], limit: float) -> list[tuple[float, float]]:
    """Place each box, in order, as high as it fits under ``limit`` wide, then as far left."""
    line: list[tuple[float, float, float]] = [(0.0, math.inf, 0.0)]  # (x from, x to, lowest free y)
    corners: list[tuple[float, float]] = []
    for w, h in boxes:
        best: tuple[float, float] | None = None
        for i, (start, _, _) in enumerate(line):
            if start > 0 and start + w > limit:
                break  # the segments are in x order: the rest start further right still
            end = start + w + BOX_GAP
            y, j = 0.0, i
            while j < len(line) and line[j][0] < end:  # the segments tile the line, from this one on
                y = max(y, line[j][2])
                j += 1
            if best is None or (y, start) < (best[1], best[0]):
                best = (start, y)
        assert best is not None
        x, y = best
        end, bottom = x + w + BOX_GAP, y + h + BOX_GAP
        pieces: list[tuple[float, float, float]] = []
        for a, b, top in line:
            if b <= x or a >= end:
                pieces.append((a, b, top))
                continue
            if a < x:
                pieces.append((a, x, top))
            if b > end:
                pieces.append((end, b, top))
        pieces.append((x, end, bottom))
        line = sorted(pieces)
        corners.append((x, y))
    return corners


def _area_id(name: str, doc: Document) -> str:
    """A stable id for a new area, made from its name (so a layout is the same every time)."""
    taken = {a.id for a in doc.areas} | {t.id for t in doc.tables} | {n.id for n in doc.notes}
    digest = hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()
    candidate, n = f"a_{digest[:8]}", 1
    while candidate in taken:
        candidate, n = f"a_{digest[:8]}_{n}", n + 1
    return candidate
