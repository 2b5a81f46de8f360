/**
 * The document as React Flow nodes and edges. Node and edge objects are cached by the document
 * objects they show, so an edit re-renders only what it changed (this matters at 300 tables).
 */

import type { Edge, Node } from "@xyflow/react";

import type { Area, DesignDocument, Note, Relationship, Table } from "../document";

export interface TableData extends Record<string, unknown> {
  table: Table;
  /** Column ids that are the child side of a relationship, joined: a cheap equality key. */
  fkKey: string;
  doc: DesignDocument;
}
export interface NoteData extends Record<string, unknown> {
  note: Note;
}
export interface AreaData extends Record<string, unknown> {
  area: Area;
}
export interface RelData extends Record<string, unknown> {
  rel: Relationship;
  /** Row index of the first column at each end (-1: the title row), and whether a comment line shifts the rows. */
  fromRow: number;
  toRow: number;
  fromComment: boolean;
  toComment: boolean;
}

export type TableNode = Node<TableData, "table">;
export type NoteNode = Node<NoteData, "note">;
export type AreaNode = Node<AreaData, "area">;
export type ErdNode = TableNode | NoteNode | AreaNode;
export type RelEdge = Edge<RelData, "relationship">;

function fkKeys(doc: DesignDocument): Map<string, string> {
  const byTable = new Map<string, string[]>();
  for (const rel of doc.relationships ?? []) {
    const list = byTable.get(rel.from_table) ?? [];
    list.push(...(rel.from_columns ?? []));
    byTable.set(rel.from_table, list);
  }
  return new Map([...byTable].map(([id, cols]) => [id, cols.sort().join(",")]));
}

/**
 * Build the nodes for `doc`, reusing `previous` nodes whose source object is unchanged (keeping
 * their measured size and selection), so React Flow re-renders only what changed.
 */
export function buildNodes(doc: DesignDocument, previous: readonly ErdNode[]): ErdNode[] {
  const old = new Map(previous.map((n) => [n.id, n]));
  const fks = fkKeys(doc);
  const nodes: ErdNode[] = [];
  for (const area of doc.areas ?? []) {
    const prev = old.get(area.id);
    if (prev?.type === "area" && prev.data.area === area) {
      nodes.push(prev);
      continue;
    }
    nodes.push({
      id: area.id,
      type: "area",
      position: { x: area.position?.x ?? 0, y: area.position?.y ?? 0 },
      width: area.size?.width ?? 240,
      height: area.size?.height ?? 160,
      zIndex: -1,
      dragHandle: ".area-label",
      selected: prev?.selected ?? false,
      data: { area },
    });
  }
  for (const table of doc.tables ?? []) {
    const prev = old.get(table.id);
    const fkKey = fks.get(table.id) ?? "";
    // Enum names show in column types; a changed enum list re-renders tables (rare).
    if (prev?.type === "table" && prev.data.table === table && prev.data.fkKey === fkKey && prev.data.doc.enums === doc.enums) {
      nodes.push(prev);
      continue;
    }
    nodes.push({
      id: table.id,
      type: "table",
      position: { x: table.position?.x ?? 0, y: table.position?.y ?? 0 },
      selected: prev?.selected ?? false,
      ...(prev?.measured ? { measured: prev.measured } : {}),
      data: { table, fkKey, doc },
    });
  }
  for (const note of doc.notes ?? []) {
    const prev = old.get(note.id);
    if (prev?.type === "note" && prev.data.note === note) {
      nodes.push(prev);
      continue;
    }
    nodes.push({
      id: note.id,
      type: "note",
      position: { x: note.position?.x ?? 0, y: note.position?.y ?? 0 },
      width: note.size?.width ?? 240,
      height: note.size?.height ?? 160,
      selected: prev?.selected ?? false,
      data: { note },
    });
  }
  return nodes;
}

/** Handle ids: each column has a dot on both sides; `head` is the table's title row. */
export function handleId(columnId: string | undefined, side: "l" | "r"): string {
  return `${columnId ?? "head"}:${side}`;
}

export function buildEdges(doc: DesignDocument, previous: readonly RelEdge[]): RelEdge[] {
  const old = new Map(previous.map((e) => [e.id, e]));
  const tables = new Map((doc.tables ?? []).map((t) => [t.id, t]));
  const rowOf = (table: Table, columnId: string | undefined) =>
    columnId ? (table.columns ?? []).findIndex((c) => c.id === columnId) : -1;
  const edges: RelEdge[] = [];
  for (const rel of doc.relationships ?? []) {
    const child = tables.get(rel.from_table);
    const parent = tables.get(rel.to_table);
    if (!child || !parent) {
      continue;
    }
    const data: RelData = {
      rel,
      fromRow: rowOf(child, rel.from_columns?.[0]),
      toRow: rowOf(parent, rel.to_columns?.[0]),
      fromComment: !!child.comment,
      toComment: !!parent.comment,
    };
    const prev = old.get(rel.id);
    const same =
      prev?.data &&
      prev.data.rel === rel &&
      prev.data.fromRow === data.fromRow &&
      prev.data.toRow === data.toRow &&
      prev.data.fromComment === data.fromComment &&
      prev.data.toComment === data.toComment;
    if (prev && same) {
      edges.push(prev);
      continue;
    }
    edges.push({
      id: rel.id,
      type: "relationship",
      source: rel.from_table,
      target: rel.to_table,
      sourceHandle: "anchor",
      targetHandle: "anchor",
      selected: prev?.selected ?? false,
      ariaLabel: `${child.name} to ${parent.name}`,
      data,
    });
  }
  return edges;
}
