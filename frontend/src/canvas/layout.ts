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
import { newId } from "../model/ids";

export interface LayoutResult {
  positions: Map<string, Point>;
  areas: Area[];
}

type Size = { width: number; height: number };

const AREA_COLORS = ["#4f6bed", "#0e9f6e", "#d97706", "#c2417a", "#0891b2", "#7c3aed", "#65a30d", "#dc2626"];
const MIN_GROUP = 3;
const PAD = { top: 56, side: 28, bottom: 28 };

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
  "elk.separateConnectedComponents": "true",
  "elk.spacing.componentComponent": "60",
  "elk.aspectRatio": "1.6",
};

/** Lay out `doc`; `sizes` gives drawn sizes where known. */
export async function layoutDocument(doc: DesignDocument, sizes: Map<string, Size>): Promise<LayoutResult> {
  // A worker costs a few hundred ms to start (it loads elkjs again): worth it only for large designs.
  const inWorker = (doc.tables ?? []).length > WORKER_FROM && typeof Worker !== "undefined";
  const elk = await startElk(inWorker);
  try {
    return await runLayout(elk, doc, sizes);
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

async function runLayout(elk: Elk, doc: DesignDocument, sizes: Map<string, Size>): Promise<LayoutResult> {
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
  // The groups themselves are packed into rows, ordered so that groups other groups point at come
  // first (left, top): a compact map, still read from referenced to referencing.
  const order = topological(rootChildren.map((c) => c.id), rootEdges);
  rootChildren.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const rootGraph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "rectpacking",
      "elk.aspectRatio": "1.7",
      "elk.spacing.nodeNode": "80",
      "elk.rectpacking.trybox": "false",
      "elk.rectpacking.orderBySize": "false",
    },
    children: rootChildren,
  };
  const root: ElkNode = await elk.layout(rootGraph);

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

/** Apply a layout: move the tables, and replace the areas it made (areas with other names stay). */
export function applyLayout(doc: DesignDocument, result: LayoutResult): DesignDocument {
  const made = new Set(result.areas.map((a) => a.name));
  const tables = (doc.tables ?? []).map((t) => {
    const p = result.positions.get(t.id);
    return p ? { ...t, position: p } : t;
  });
  return { ...doc, tables, areas: [...(doc.areas ?? []).filter((a) => !made.has(a.name)), ...result.areas] };
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
