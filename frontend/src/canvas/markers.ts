/**
 * Markers drawn on canvas objects by the editor's panels: review findings, comment counts and
 * version-compare states. Each panel owns one layer and replaces it whole; a table node reads
 * only its own table's markers (and its columns'), so a layer update re-renders the tables whose
 * markers changed and no others — a 300-table design stays smooth while findings update live.
 */

import { createContext, useContext, useSyncExternalStore } from "react";

export type Severity = "error" | "warning" | "info";
export type DiffState = "added" | "removed" | "changed";
export type MarkerLayer = "review" | "comments" | "diff";

/** What one layer says about one object (a table, column, relationship, index … by its id). */
export interface Marker {
  /** Review findings on the object: the worst severity, how many, and their one-line messages. */
  findings?: { severity: Severity; count: number; messages: string[] };
  /** Open comment threads anchored to the object. */
  comments?: number;
  /** How the object differs between two compared versions. */
  diff?: DiffState;
}

/** The merged markers of one table: on the table itself, and per column id. */
export interface TableMarkers {
  table: Marker | null;
  columns: ReadonlyMap<string, Marker>;
}

const NONE: TableMarkers = { table: null, columns: new Map() };

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
const DIFF_RANK: Record<DiffState, number> = { removed: 3, added: 2, changed: 1 };

/** Two markers of one object (or of a table and something inside it) as one. */
function merge(a: Marker | null | undefined, b: Marker | null | undefined): Marker | undefined {
  if (!a) {
    return b ?? undefined;
  }
  if (!b) {
    return a;
  }
  const out: Marker = {};
  const fa = a.findings;
  const fb = b.findings;
  if (fa && fb) {
    out.findings = {
      severity: RANK[fa.severity] >= RANK[fb.severity] ? fa.severity : fb.severity,
      count: fa.count + fb.count,
      messages: [...fa.messages, ...fb.messages],
    };
  } else if (fa ?? fb) {
    out.findings = fa ?? fb;
  }
  if (a.comments || b.comments) {
    out.comments = (a.comments ?? 0) + (b.comments ?? 0);
  }
  if (a.diff && b.diff) {
    out.diff = DIFF_RANK[a.diff] >= DIFF_RANK[b.diff] ? a.diff : b.diff;
  } else if (a.diff ?? b.diff) {
    out.diff = a.diff ?? b.diff;
  }
  return out;
}

/** A sub-object's marker as it shows on its table: findings and comments count, a diff is a change. */
function asTablePart(m: Marker): Marker {
  return m.diff ? { ...m, diff: "changed" } : m;
}

function sameMarker(a: Marker | null | undefined, b: Marker | null | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameTableMarkers(a: TableMarkers, b: TableMarkers): boolean {
  if (!sameMarker(a.table, b.table) || a.columns.size !== b.columns.size) {
    return false;
  }
  for (const [id, m] of a.columns) {
    if (!sameMarker(m, b.columns.get(id))) {
      return false;
    }
  }
  return true;
}

/** Where an object other than a table sits: its table, and whether it is a column of it. */
export interface Owner {
  table: string;
  column: boolean;
}

/**
 * The marker layers of one editor. Panels call `setLayer`; nodes subscribe with `useTableMarkers`.
 * Objects are matched to tables through `owners` (column, index, constraint and relationship id
 * → its table), which the workspace keeps current from the document. A column's markers show on
 * its row; the table's header sums up the table's own and everything inside it (indexes,
 * constraints, relationships on the referencing table, and its columns), so a marker is seen at
 * any zoom.
 */
export class MarkerStore {
  private layers = new Map<MarkerLayer, ReadonlyMap<string, Marker>>();
  private owners: ReadonlyMap<string, Owner> = new Map();
  private listeners = new Set<() => void>();
  private version = 0;
  private cache = new Map<string, { version: number; value: TableMarkers }>();
  private indexed: { version: number; tables: Map<string, TableMarkers> } | null = null;

  /** Replace one layer's markers (object id → marker); an empty map clears the layer. */
  setLayer(layer: MarkerLayer, markers: ReadonlyMap<string, Marker>): void {
    this.layers.set(layer, markers);
    this.changed();
  }

  /** Which table each sub-object belongs to (object id → owner). */
  setOwners(owners: ReadonlyMap<string, Owner>): void {
    this.owners = owners;
    this.changed();
  }

  /** The table an object belongs to (undefined for a table itself, or an unknown id). */
  owner(objectId: string): Owner | undefined {
    return this.owners.get(objectId);
  }

  /** The merged marker of any object (table, column, relationship …), or undefined. */
  marker(objectId: string): Marker | undefined {
    let merged: Marker | undefined;
    for (const layer of this.layers.values()) {
      merged = merge(merged, layer.get(objectId));
    }
    return merged;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** The markers of one table and its columns; the same object while they do not change. */
  tableMarkers(tableId: string): TableMarkers {
    const cached = this.cache.get(tableId);
    if (cached && cached.version === this.version) {
      return cached.value;
    }
    let value = this.index().get(tableId) ?? NONE;
    if (cached && sameTableMarkers(cached.value, value)) {
      value = cached.value;
    }
    this.cache.set(tableId, { version: this.version, value });
    return value;
  }

  /** Every table's merged markers, built once per change (not once per table). */
  private index(): Map<string, TableMarkers> {
    if (this.indexed?.version === this.version) {
      return this.indexed.tables;
    }
    const tables = new Map<string, { table: Marker | null; columns: Map<string, Marker> }>();
    const entry = (tableId: string) => {
      let e = tables.get(tableId);
      if (!e) {
        e = { table: null, columns: new Map() };
        tables.set(tableId, e);
      }
      return e;
    };
    for (const layer of this.layers.values()) {
      for (const [id, m] of layer) {
        const owner = this.owners.get(id);
        if (!owner) {
          const e = entry(id);
          e.table = merge(e.table, m) ?? null;
        } else if (owner.column) {
          const e = entry(owner.table);
          e.columns.set(id, merge(e.columns.get(id), m) ?? m);
          e.table = merge(e.table, asTablePart(m)) ?? null;
        } else {
          const e = entry(owner.table);
          e.table = merge(e.table, asTablePart(m)) ?? null;
        }
      }
    }
    this.indexed = { version: this.version, tables };
    return tables;
  }

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) {
      listener();
    }
  }
}

export const MarkersContext = createContext<MarkerStore | null>(null);

/** The markers of one table, re-rendering the caller only when they change. */
export function useTableMarkers(tableId: string): TableMarkers {
  const store = useContext(MarkersContext);
  return useSyncExternalStore(
    store ? store.subscribe : noSubscribe,
    () => (store ? store.tableMarkers(tableId) : NONE),
  );
}

function noSubscribe(): () => void {
  return () => undefined;
}
