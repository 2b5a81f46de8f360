/**
 * Auto-layout with elkjs (layered): referenced tables to the left, the tables that point at
 * them to the right. Tables are grouped first, by schema or by a shared name prefix (billing_*,
 * crm_*); each group is laid out on its own and becomes an area, then the groups are laid out
 * as boxes joined by the relationships between them. So a large design reads as a map.
 *
 * elkjs is large (about 1.5 MB), so it is imported only when a layout runs, and it runs in a web
 * worker: laying out 300 tables takes about a second, which on the main thread froze the canvas.
 *
 * The server draws the same kind of map for designs created or imported without positions
 * (designs/compiler/layout.py mirrors the grouping rules and label room here: change both
 * together); this one runs for the Auto-layout button and for a design that still has none.
 */

import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";

import type { Area, DesignDocument, Point, Table } from "../document";
import { newId, type XY } from "../model/ids";

export interface LayoutResult {
  positions: Map<string, Point>;
  areas: Area[];
}

type Size = { width: number; height: number };
type Corner = { x: number; y: number };

const AREA_COLORS = ["#4f6bed", "#0e9f6e", "#d97706", "#c2417a", "#0891b2", "#7c3aed", "#65a30d", "#dc2626"];
const MIN_GROUP = 3;
const PAD = { top: 56, side: 28, bottom: 28 };
/** Between areas (as designs/compiler/layout.py). */
const BOX_GAP = 80;
/** The screen shape (width:height) the map of areas is packed for when the canvas's is not known. */
const MAP_RATIO = 1.7;

/** An area's label size: a big area gets a big label, so a large design reads as a map zoomed out. */
export function areaLabelSize(areaWidth: number): number {
  return Math.round(Math.max(18, Math.min(200, (areaWidth - 600) / 8)));
}

/** Room above an area's tables for its label (drawn 12 px from the top, 1.2 lines high). */
function topPad(areaWidth: number): number {
  return Math.max(PAD.top, Math.round(areaLabelSize(areaWidth) * 1.4 + 28));
}

/** The group a table belongs in: its schema when not the default, else a prefix shared by a few tables. */
export function groupTables(doc: DesignDocument): Map<string, string> {
  const defaultSchema = doc.settings?.default_schema ?? "public";
  const tables = doc.tables ?? [];
  const prefixOf = (t: Table) => (t.name.includes("_") ? t.name.slice(0, t.name.indexOf("_")) : null);
  const counts = new Map<string, number>();
  for (const t of tables) {
    const p = prefixOf(t);
    if (p && !(t.schema && t.schema !== defaultSchema)) {
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  }
  const groups = new Map<string, string>();
  for (const t of tables) {
    if (t.schema && t.schema !== defaultSchema) {
      groups.set(t.id, t.schema);
      continue;
    }
    const p = prefixOf(t);
    if (p && (counts.get(p) ?? 0) >= MIN_GROUP) {
      groups.set(t.id, p);
    }
  }
  return groups;
}

/** A table's size before it is drawn: a title row and a row per column. */
export function estimateSize(table: Table): Size {
  const columns = table.columns ?? [];
  const longest = Math.max(table.name.length, ...columns.map((c) => c.name.length + 12));
  return { width: Math.max(220, Math.min(360, 90 + longest * 7.5)), height: 44 + Math.max(1, columns.length) * 27 };
}

const LAYERED = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "36",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.separateConnectedComponents": "false",
};

/**
 * Lay out `doc`; `sizes` gives drawn sizes where known, `screen` the canvas's width:height (the
 * map is packed to be drawn as large as it can be there at fit-to-screen; kept within 1–2.5).
 */
export async function layoutDocument(
  doc: DesignDocument,
  sizes: Map<string, Size>,
  screen: number = MAP_RATIO,
): Promise<LayoutResult> {
  // A worker costs a few hundred ms to start (it loads elkjs again): worth it only for large designs.
  const inWorker = (doc.tables ?? []).length > WORKER_FROM && typeof Worker !== "undefined";
  const elk = await startElk(inWorker);
  try {
    const ratio = Number.isFinite(screen) ? Math.max(1, Math.min(2.5, screen)) : MAP_RATIO;
    return await runLayout(elk, doc, sizes, ratio);
  } finally {
    // (elkjs's in-page stand-in for a worker has no terminate().)
    if (inWorker) {
      elk.terminateWorker();
    }
  }
}

type Elk = InstanceType<typeof import("elkjs/lib/elk-api").default>;

const WORKER_FROM = 60;

/** elkjs in a worker, or in the page itself (small designs, or no workers). */
async function startElk(inWorker: boolean): Promise<Elk> {
  const [{ default: ELK }, worker] = await Promise.all([
    import("elkjs/lib/elk-api.js"),
    inWorker ? import("elkjs/lib/elk-worker.min.js?worker") : null,
  ]);
  if (worker) {
    const ElkWorker = worker.default;
    return new ELK({ workerFactory: () => new ElkWorker() });
  }
  const { default: Bundled } = await import("elkjs/lib/elk.bundled.js");
  return new Bundled();
}

async function runLayout(elk: Elk, doc: DesignDocument, sizes: Map<string, Size>, ratio: number): Promise<LayoutResult> {
  const tables = doc.tables ?? [];
  const groupOf = groupTables(doc);
  const groupNames = [...new Set(groupOf.values())].sort();
  const useAreas = groupNames.length >= 2 || (groupNames.length === 1 && groupOf.size < tables.length);
  const sizeOf = (t: Table) => sizes.get(t.id) ?? estimateSize(t);
  const top = (id: string) => (useAreas && groupOf.has(id) ? `group:${groupOf.get(id) ?? ""}` : id);

  const groupChildren = new Map<string, ElkNode[]>();
  const groupEdges = new Map<string, ElkExtendedEdge[]>();
  const rootChildren: ElkNode[] = [];
  for (const t of tables) {
    const node: ElkNode = { id: t.id, ...sizeOf(t) };
    const group = top(t.id);
    if (group === t.id) {
      rootChildren.push(node);
    } else {
      groupChildren.set(group, [...(groupChildren.get(group) ?? []), node]);
    }
  }
  const rootEdges: ElkExtendedEdge[] = [];
  const seen = new Set<string>();
  for (const rel of doc.relationships ?? []) {
    if (rel.from_table === rel.to_table) {
      continue;
    }
    const a = top(rel.to_table);
    const b = top(rel.from_table);
    if (a === b && a.startsWith("group:")) {
      const list = groupEdges.get(a) ?? [];
      list.push({ id: rel.id, sources: [rel.to_table], targets: [rel.from_table] });
      groupEdges.set(a, list);
    } else if (a !== b && !seen.has(`${a}>${b}`)) {
      seen.add(`${a}>${b}`);
      rootEdges.push({ id: `e:${a}>${b}`, sources: [a], targets: [b] });
    }
  }

  // Each group on its own first, so its box has a known size at the top level.
  const boxes = new Map<string, ElkNode>();
  for (const [group, children] of groupChildren) {
    const graph: ElkNode = { id: group, layoutOptions: LAYERED, children, edges: groupEdges.get(group) ?? [] };
    const laid: ElkNode = await elk.layout(graph);
    boxes.set(group, laid);
    const width = (laid.width ?? 0) + PAD.side * 2;
    rootChildren.push({ id: group, width, height: (laid.height ?? 0) + topPad(width) + PAD.bottom });
  }
  // The groups themselves are packed into a map shaped for the screen, ordered so that groups other
  // groups point at come first (left, top): a compact map, still read from referenced to referencing.
  // (elkjs's rectpacking left a third of a 300-table map empty, too wide to fit a screen.)
  const order = topological(rootChildren.map((c) => c.id), rootEdges);
  rootChildren.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const corners = pack(
    rootChildren.map((c) => ({ width: c.width ?? 0, height: c.height ?? 0 })),
    ratio,
  );
  const root: ElkNode = {
    id: "root",
    children: rootChildren.map((c, i) => ({ ...c, x: corners[i]?.x ?? 0, y: corners[i]?.y ?? 0 })),
  };

  const positions = new Map<string, Point>();
  const areas: Area[] = [];
  const existing = new Map((doc.areas ?? []).map((a) => [a.name, a]));
  for (const child of root.children ?? []) {
    const x = Math.round(child.x ?? 0);
    const y = Math.round(child.y ?? 0);
    const laid = boxes.get(child.id);
    if (!laid) {
      positions.set(child.id, { x, y });
      continue;
    }
    for (const t of laid.children ?? []) {
      const top = topPad(child.width ?? 0);
      positions.set(t.id, { x: Math.round(x + PAD.side + (t.x ?? 0)), y: Math.round(y + top + (t.y ?? 0)) });
    }
    const name = child.id.slice("group:".length);
    const index = groupNames.indexOf(name);
    const before = existing.get(name);
    areas.push({
      id: before?.id ?? newId("a"),
      name,
      position: { x, y },
      size: { width: Math.round(child.width ?? 0), height: Math.round(child.height ?? 0) },
      color: before?.color ?? AREA_COLORS[index % AREA_COLORS.length] ?? null,
    });
  }
  return { positions, areas };
}

/**
 * Top-left corners for `boxes` (in order), packed into a map that fits a `ratio` screen best
 * (the skyline packing of `_pack` in designs/compiler/layout.py, scored by fit).
 */
export function pack(boxes: Size[], ratio: number = MAP_RATIO): Corner[] {
  if (boxes.length <= 1) {
    return boxes.map(() => ({ x: 0, y: 0 }));
  }
  const area = boxes.reduce((sum, b) => sum + (b.width + BOX_GAP) * (b.height + BOX_GAP), 0);
  const widest = Math.max(...boxes.map((b) => b.width));
  const ideal = Math.sqrt(area * ratio);
  const limits = new Set([widest, boxes.reduce((sum, b) => sum + b.width + BOX_GAP, 0)]);
  for (let f = 5; f <= 25; f++) {
    limits.add(Math.max(widest, (ideal * f) / 10));
  }
  let best: { score: [number, number]; corners: Corner[] } | null = null;
  for (const limit of [...limits].sort((a, b) => a - b)) {
    const corners = skyline(boxes, limit);
    const width = Math.max(...corners.map((c, i) => c.x + (boxes[i]?.width ?? 0)));
    const height = Math.max(...corners.map((c, i) => c.y + (boxes[i]?.height ?? 0)));
    // The width of the smallest `ratio` screen that holds the map: the smaller, the larger it is
    // drawn at fit-to-screen (the closest ratio alone chose a 16,000 px wide map over 13,000).
    const score: [number, number] = [Math.max(width, height * ratio), width * height];
    if (!best || score[0] < best.score[0] || (score[0] === best.score[0] && score[1] < best.score[1])) {
      best = { score, corners };
    }
  }
  return best?.corners ?? [];
}

/** Place each box, in order, as high as it fits under `limit` wide, then as far left. */
function skyline(boxes: Size[], limit: number): Corner[] {
  // The skyline: segments [from, to) tiling the x axis, each with the lowest free y above it.
  let line: { from: number; to: number; top: number }[] = [{ from: 0, to: Infinity, top: 0 }];
  const corners: Corner[] = [];
  for (const { width, height } of boxes) {
    let best: Corner | null = null;
    for (let i = 0; i < line.length; i++) {
      const start = line[i]?.from ?? 0;
      if (start > 0 && start + width > limit) {
        break; // the segments are in x order: the rest start further right still
      }
      const end = start + width + BOX_GAP;
      let y = 0;
      for (let j = i; j < line.length && (line[j]?.from ?? Infinity) < end; j++) {
        y = Math.max(y, line[j]?.top ?? 0);
      }
      if (!best || y < best.y || (y === best.y && start < best.x)) {
        best = { x: start, y };
      }
    }
    const { x, y } = best ?? { x: 0, y: 0 };
    const end = x + width + BOX_GAP;
    const pieces: typeof line = [];
    for (const seg of line) {
      if (seg.to <= x || seg.from >= end) {
        pieces.push(seg);
        continue;
      }
      if (seg.from < x) {
        pieces.push({ from: seg.from, to: x, top: seg.top });
      }
      if (seg.to > end) {
        pieces.push({ from: end, to: seg.to, top: seg.top });
      }
    }
    pieces.push({ from: x, to: end, top: y + height + BOX_GAP });
    line = pieces.sort((a, b) => a.from - b.from);
    corners.push({ x, y });
  }
  return corners;
}

/** A rank for each node: every node comes after the nodes with edges into it (cycles broken by input order). */
function topological(ids: string[], edges: ElkExtendedEdge[]): Map<string, number> {
  const incoming = new Map(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = [e.sources[0] ?? "", e.targets[0] ?? ""];
    out.set(a, [...(out.get(a) ?? []), b]);
    incoming.set(b, (incoming.get(b) ?? 0) + 1);
  }
  const rank = new Map<string, number>();
  const remaining = new Set(ids);
  while (remaining.size) {
    // Take the node with the fewest unplaced parents (0 in a DAG), so cycles cannot stall the loop.
    let best = "";
    let fewest = Infinity;
    for (const id of remaining) {
      const n = incoming.get(id) ?? 0;
      if (n < fewest) {
        fewest = n;
        best = id;
      }
    }
    remaining.delete(best);
    rank.set(best, rank.size);
    for (const next of out.get(best) ?? []) {
      incoming.set(next, (incoming.get(next) ?? 0) - 1);
    }
  }
  return rank;
}

/**
 * Apply a layout: move the tables, and replace the areas it made (areas with other names stay).
 * A note about a table (or one of its columns) moves with that table, keeping its place beside it.
 */
export function applyLayout(doc: DesignDocument, result: LayoutResult): DesignDocument {
  const made = new Set(result.areas.map((a) => a.name));
  const moved = new Map<string, XY>(); // table or column id -> how far its table moved
  const tables = (doc.tables ?? []).map((t) => {
    const p = result.positions.get(t.id);
    if (!p) {
      return t;
    }
    const delta = { x: (p.x ?? 0) - (t.position?.x ?? 0), y: (p.y ?? 0) - (t.position?.y ?? 0) };
    for (const id of [t.id, ...(t.columns ?? []).map((c) => c.id)]) {
      moved.set(id, delta);
    }
    return { ...t, position: p };
  });
  const notes = (doc.notes ?? []).map((n) => {
    const delta = n.anchor ? moved.get(n.anchor) : undefined;
    return delta ? { ...n, position: { x: (n.position?.x ?? 0) + delta.x, y: (n.position?.y ?? 0) + delta.y } } : n;
  });
  return { ...doc, tables, notes, areas: [...(doc.areas ?? []).filter((a) => !made.has(a.name)), ...result.areas] };
}

/** Whether a design has never been arranged: several tables and every one at the origin. */
export function needsLayout(doc: DesignDocument): boolean {
  const tables = doc.tables ?? [];
  return tables.length >= 2 && tables.every((t) => (t.position?.x ?? 0) === 0 && (t.position?.y ?? 0) === 0);
}

/** The rectangle the design covers, from saved positions and (estimated) table sizes. */
export function documentBounds(doc: DesignDocument): { x: number; y: number; width: number; height: number } | null {
  const boxes: { x: number; y: number; w: number; h: number }[] = [];
  for (const t of doc.tables ?? []) {
    const size = estimateSize(t);
    boxes.push({ x: t.position?.x ?? 0, y: t.position?.y ?? 0, w: size.width, h: size.height });
  }
  for (const item of [...(doc.areas ?? []), ...(doc.notes ?? [])]) {
    boxes.push({ x: item.position?.x ?? 0, y: item.position?.y ?? 0, w: item.size?.width ?? 240, h: item.size?.height ?? 160 });
  }
  if (!boxes.length) {
    return null;
  }
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const NEW_TABLE_GAP = 80;

/**
 * Positions for a document that replaced `before` wholesale (typed Mermaid text): a table at the
 * origin keeps the place it had; a new one goes beside a placed table it is related to (a child
 * right of its parent, a parent left of its child, as the layered layout draws them), else in a
 * column right of the design, in the nearest free spot either way, not on top of whatever sits at
 * the origin.
 */
export function keepPlaces(before: DesignDocument, after: DesignDocument): DesignDocument {
  const at = (t: Table) => (t.position?.x ?? 0) === 0 && (t.position?.y ?? 0) === 0;
  const old = new Map((before.tables ?? []).map((t) => [t.id, t]));
  const kept = (after.tables ?? []).map((t) => {
    const previous = old.get(t.id);
    return at(t) && previous !== undefined && !at(previous) ? { ...t, position: previous.position } : t;
  });
  const isNew = (t: Table) => at(t) && !old.has(t.id);
  const away = kept.filter((t) => !at(t));
  const bounds = away.length ? documentBounds({ ...after, tables: away, areas: [], notes: [] }) : null;
  if (bounds === null) {
    return { ...after, tables: kept }; // nothing is placed yet: the layout places everything
  }
  const placed = new Map(kept.filter((t) => !isNew(t)).map((t) => [t.id, t]));
  const column = { x: bounds.x + bounds.width + NEW_TABLE_GAP, y: bounds.y };
  const tables = kept.map((t) => {
    if (!isNew(t)) {
      return t;
    }
    const size = estimateSize(t);
    let want: XY | null = null;
    for (const rel of after.relationships ?? []) {
      const parent = rel.from_table === t.id ? placed.get(rel.to_table) : undefined;
      const child = rel.to_table === t.id ? placed.get(rel.from_table) : undefined;
      if (parent) {
        want = { x: (parent.position?.x ?? 0) + estimateSize(parent).width + NEW_TABLE_GAP, y: parent.position?.y ?? 0 };
        break;
      }
      if (child && !want) {
        want = { x: (child.position?.x ?? 0) - size.width - NEW_TABLE_GAP, y: child.position?.y ?? 0 };
      }
    }
    const spot = freeSpot({ ...after, tables: [...placed.values()] }, want ?? column, size);
    if (!want) {
      column.y = spot.y + size.height + NEW_TABLE_GAP / 2;
    }
    const moved = { ...t, position: { x: Math.round(spot.x), y: Math.round(spot.y) } };
    placed.set(t.id, moved);
    return moved;
  });
  return { ...after, tables };
}

/** The size a new table takes (its title and one key column), for finding it a free place. */
export const NEW_TABLE_SIZE: Size = { width: 240, height: 90 };
const SPOT_STEP = 40;
const SPOT_RINGS = 40;

/**
 * The free place nearest `want` for a box of `size`: `want` itself when nothing is there, else a
 * point on the nearest ring of a 40 px grid around it where the box keeps clear of every table and
 * note (so a table added from the toolbar does not land on top of another).
 */
export function freeSpot(doc: DesignDocument, want: XY, size: Size = NEW_TABLE_SIZE, gap = 24): XY {
  const boxes = [
    ...(doc.tables ?? []).map((t) => ({ x: t.position?.x ?? 0, y: t.position?.y ?? 0, ...estimateSize(t) })),
    ...(doc.notes ?? []).map((n) => ({ x: n.position?.x ?? 0, y: n.position?.y ?? 0, width: n.size?.width ?? 240, height: n.size?.height ?? 160 })),
  ];
  const free = (p: XY) =>
    boxes.every(
      (b) =>
        p.x + size.width + gap <= b.x || b.x + b.width + gap <= p.x || p.y + size.height + gap <= b.y || b.y + b.height + gap <= p.y,
    );
  if (free(want)) {
    return want;
  }
  for (let ring = 1; ring <= SPOT_RINGS; ring++) {
    let best: XY | null = null;
    let bestDistance = Infinity;
    for (let dx = -ring; dx <= ring; dx++) {
      for (let dy = -ring; dy <= ring; dy++) {
        const distance = dx * dx + dy * dy;
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring || distance >= bestDistance) {
          continue;
        }
        const p = { x: want.x + dx * SPOT_STEP, y: want.y + dy * SPOT_STEP };
        if (free(p)) {
          best = p;
          bestDistance = distance;
        }
      }
    }
    if (best) {
      return best;
    }
  }
  return want;
}
