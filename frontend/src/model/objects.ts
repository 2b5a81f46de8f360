/** Actions on relationships, notes, areas and selections of several objects (delete, paste). */

import type { Cardinality, Column, DesignDocument, Note, Point, Relationship, Table } from "../document";
import { newId, uniqueName, type XY } from "./ids";
import { addColumn } from "./tables";

export function addRelationship(
  doc: DesignDocument,
  fields: Omit<Relationship, "id"> & { id?: string },
): [DesignDocument, string] {
  const id = fields.id ?? newId("r");
  return [{ ...doc, relationships: [...(doc.relationships ?? []), { ...fields, id }] }, id];
}

export function updateRelationship(doc: DesignDocument, id: string, fields: Partial<Relationship>): DesignDocument {
  const rels = doc.relationships ?? [];
  if (!rels.some((r) => r.id === id)) {
    return doc;
  }
  return { ...doc, relationships: rels.map((r) => (r.id === id ? { ...r, ...fields } : r)) };
}

/** The FK column a new child column gets: `customer_id` for `customers.id`. */
export function foreignKeyName(parent: Table, column: Column): string {
  const singular = parent.name.endsWith("ies")
    ? `${parent.name.slice(0, -3)}y`
    : parent.name.endsWith("s") && !parent.name.endsWith("ss")
      ? parent.name.slice(0, -1)
      : parent.name;
  return `${singular}_${column.name}`;
}

/**
 * Create a column in `childId` of the same type as `parent.column` and a relationship from it:
 * what dropping a column on another table offers. Returns the document and the new column's id.
 */
export function addForeignKey(
  doc: DesignDocument,
  childId: string,
  parentId: string,
  parentColumnId: string,
): [DesignDocument, string] {
  const parent = doc.tables?.find((t) => t.id === parentId);
  const child = doc.tables?.find((t) => t.id === childId);
  const column = parent?.columns?.find((c) => c.id === parentColumnId);
  if (!parent || !child || !column) {
    return [doc, ""];
  }
  // Serial types become their plain integer in the referencing column.
  const typeName = { smallserial: "smallint", serial: "integer", bigserial: "bigint" }[column.type.name as string];
  const type = typeName ? { ...column.type, name: typeName as Column["type"]["name"] } : column.type;
  const name = uniqueName(foreignKeyName(parent, column), (child.columns ?? []).map((c) => c.name));
  const [withColumn, columnId] = addColumn(doc, childId, { name, type, nullable: false });
  const [next] = addRelationship(withColumn, {
    from_table: childId,
    from_columns: [columnId],
    to_table: parentId,
    to_columns: [parentColumnId],
  });
  return [next, columnId];
}

export function addNote(doc: DesignDocument, position: XY, text = "Note"): [DesignDocument, string] {
  const id = newId("n");
  const note: Note = { id, text, position: { x: Math.round(position.x), y: Math.round(position.y) } };
  return [{ ...doc, notes: [...(doc.notes ?? []), note] }, id];
}

export function updateNote(doc: DesignDocument, id: string, fields: Partial<Note>): DesignDocument {
  return { ...doc, notes: (doc.notes ?? []).map((n) => (n.id === id ? { ...n, ...fields } : n)) };
}

export function updateArea(doc: DesignDocument, id: string, fields: Partial<{ name: string; color: string | null }>) {
  return { ...doc, areas: (doc.areas ?? []).map((a) => (a.id === id ? { ...a, ...fields } : a)) };
}

/** Delete tables, relationships, notes and areas by id, with every reference to the tables. */
export function deleteObjects(doc: DesignDocument, ids: ReadonlySet<string>): DesignDocument {
  if (ids.size === 0) {
    return doc;
  }
  const tables = doc.tables ?? [];
  const goneTables = new Set(tables.filter((t) => ids.has(t.id)).map((t) => t.id));
  const changed =
    goneTables.size > 0 ||
    (doc.relationships ?? []).some((r) => ids.has(r.id)) ||
    (doc.notes ?? []).some((n) => ids.has(n.id)) ||
    (doc.areas ?? []).some((a) => ids.has(a.id));
  if (!changed) {
    return doc;
  }
  const next: DesignDocument = {
    ...doc,
    tables: tables.filter((t) => !goneTables.has(t.id)),
    relationships: (doc.relationships ?? []).filter(
      (r) => !ids.has(r.id) && !goneTables.has(r.from_table) && !goneTables.has(r.to_table),
    ),
    notes: (doc.notes ?? [])
      .filter((n) => !ids.has(n.id))
      .map((n) => (n.anchor && goneTables.has(n.anchor) ? { ...n, anchor: null } : n)),
    areas: (doc.areas ?? []).filter((a) => !ids.has(a.id)),
    access_patterns: doc.access_patterns?.filter((p) => !goneTables.has(p.table)),
  };
  if (goneTables.size && doc.security) {
    next.security = {
      ...doc.security,
      policies: doc.security.policies?.filter((p) => !goneTables.has(p.table)),
      grants: doc.security.grants?.map((g) => ({ ...g, tables: (g.tables ?? []).filter((t) => !goneTables.has(t)) })),
    };
  }
  return next;
}

/** What copy puts on the clipboard: the selected tables, the relationships among them, and notes. */
export interface Clip {
  kind: "dbstudio-clip";
  tables: Table[];
  relationships: Relationship[];
  notes: Note[];
}

export function copyObjects(doc: DesignDocument, ids: ReadonlySet<string>): Clip {
  const tables = (doc.tables ?? []).filter((t) => ids.has(t.id));
  const tableIds = new Set(tables.map((t) => t.id));
  return {
    kind: "dbstudio-clip",
    tables,
    relationships: (doc.relationships ?? []).filter((r) => tableIds.has(r.from_table) && tableIds.has(r.to_table)),
    notes: (doc.notes ?? []).filter((n) => ids.has(n.id)),
  };
}

/**
 * Paste a clip with fresh ids and names, offset so the copy does not hide the original.
 * Returns the document and the ids of the pasted objects (to select them).
 */
export function pasteClip(doc: DesignDocument, clip: Clip, offset: XY): [DesignDocument, string[]] {
  const map = new Map<string, string>();
  const fresh = (old: string, prefix: string) => {
    const id = newId(prefix);
    map.set(old, id);
    return id;
  };
  const shift = (p: Point | undefined): Point => ({ x: (p?.x ?? 0) + offset.x, y: (p?.y ?? 0) + offset.y });
  const taken = (doc.tables ?? []).map((t) => t.name);
  const tables: Table[] = clip.tables.map((t) => {
    const name = uniqueName(`${t.name}_copy`, taken);
    taken.push(name);
    const id = fresh(t.id, "t");
    const columns = (t.columns ?? []).map((c) => ({ ...c, id: fresh(c.id, "c") }));
    const ref = (cid: string) => map.get(cid) ?? cid;
    return {
      ...t,
      id,
      name,
      columns,
      position: shift(t.position),
      primary_key: t.primary_key ? { ...t.primary_key, name: null, columns: t.primary_key.columns.map(ref) } : null,
      uniques: (t.uniques ?? []).map((u) => ({ ...u, id: newId("u"), name: null, columns: u.columns.map(ref) })),
      checks: (t.checks ?? []).map((c) => ({ ...c, id: newId("k"), name: null })),
      indexes: (t.indexes ?? []).map((ix) => ({
        ...ix,
        id: newId("i"),
        name: null,
        columns: ix.columns.map((k) => (k.column ? { ...k, column: ref(k.column) } : k)),
        include: (ix.include ?? []).map(ref),
      })),
      // Partitions carry ids of their own; leave them out of a copy rather than risk clashes.
      partitioning: null,
    };
  });
  const relationships: Relationship[] = clip.relationships.map((r) => ({
    ...r,
    id: newId("r"),
    name: null,
    from_table: map.get(r.from_table) ?? r.from_table,
    to_table: map.get(r.to_table) ?? r.to_table,
    from_columns: (r.from_columns ?? []).map((c) => map.get(c) ?? c),
    to_columns: (r.to_columns ?? []).map((c) => map.get(c) ?? c),
  }));
  const notes: Note[] = clip.notes.map((n) => ({
    ...n,
    id: fresh(n.id, "n"),
    position: shift(n.position),
    anchor: n.anchor ? (map.get(n.anchor) ?? n.anchor) : null,
  }));
  const next: DesignDocument = {
    ...doc,
    tables: [...(doc.tables ?? []), ...tables],
    relationships: [...(doc.relationships ?? []), ...relationships],
    notes: [...(doc.notes ?? []), ...notes],
  };
  return [next, [...tables.map((t) => t.id), ...notes.map((n) => n.id)]];
}

export function isClip(value: unknown): value is Clip {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "dbstudio-clip";
}

export const CARDINALITIES: { value: Cardinality; label: string; mermaid: string }[] = [
  { value: "exactly_one", label: "Exactly one", mermaid: "||" },
  { value: "zero_or_one", label: "Zero or one", mermaid: "|o" },
  { value: "one_or_many", label: "One or many", mermaid: "}|" },
  { value: "zero_or_many", label: "Zero or many", mermaid: "}o" },
];
