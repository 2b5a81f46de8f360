/**
 * Actions on tables and their columns. Each takes a document and returns a new one (or the same
 * object when nothing changed), sharing every untouched part, so they can be undone by keeping the
 * old document and later replayed onto a Y.Doc.
 */

import type { Column, DesignDocument, Point, Table } from "../document";
import { newId, uniqueName, type XY } from "./ids";

/** Replace one table by id through `change`; the document is unchanged when the table is missing. */
export function updateTable(doc: DesignDocument, tableId: string, change: (table: Table) => Table): DesignDocument {
  const tables = doc.tables ?? [];
  const index = tables.findIndex((t) => t.id === tableId);
  const table = tables[index];
  if (!table) {
    return doc;
  }
  const next = change(table);
  if (next === table) {
    return doc;
  }
  const copy = tables.slice();
  copy[index] = next;
  return { ...doc, tables: copy };
}

/** A new table with an `id bigint` primary key at `position`; returns the document and the table's id. */
export function addTable(doc: DesignDocument, position: XY, name?: string): [DesignDocument, string] {
  const taken = (doc.tables ?? []).map((t) => t.name);
  const id = newId("t");
  const pkId = newId("c");
  const table: Table = {
    id,
    name: uniqueName(name ?? "new_table", taken),
    columns: [{ id: pkId, name: "id", type: { name: "bigint" }, nullable: false }],
    primary_key: { columns: [pkId] },
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
  return [{ ...doc, tables: [...(doc.tables ?? []), table] }, id];
}

export function setTableFields(doc: DesignDocument, tableId: string, fields: Partial<Table>): DesignDocument {
  return updateTable(doc, tableId, (t) => ({ ...t, ...fields }));
}

/** Move tables (and notes and areas) to new positions, given by id. */
export function moveObjects(doc: DesignDocument, positions: ReadonlyMap<string, XY>): DesignDocument {
  if (positions.size === 0) {
    return doc;
  }
  const place = <T extends { id: string; position?: Point }>(items: T[] | undefined): T[] | undefined =>
    items?.map((item) => {
      const p = positions.get(item.id);
      return p ? { ...item, position: { x: Math.round(p.x), y: Math.round(p.y) } } : item;
    });
  return { ...doc, tables: place(doc.tables), notes: place(doc.notes), areas: place(doc.areas) };
}

/** Add a column after `afterId` (or at the end); returns the document and the new column's id. */
export function addColumn(
  doc: DesignDocument,
  tableId: string,
  fields: Partial<Column> = {},
  afterId?: string,
): [DesignDocument, string] {
  const id = newId("c");
  const next = updateTable(doc, tableId, (t) => {
    const columns = t.columns ?? [];
    const column: Column = {
      type: { name: "text" },
      ...fields,
      id,
      name: uniqueName(fields.name ?? "new_column", columns.map((c) => c.name)),
    };
    const at = afterId ? columns.findIndex((c) => c.id === afterId) + 1 : columns.length;
    const copy = columns.slice();
    copy.splice(at <= 0 ? columns.length : at, 0, column);
    return { ...t, columns: copy };
  });
  return [next, id];
}

/** Change fields of one column. Setting `nullable: true` on a primary-key column is refused. */
export function updateColumn(
  doc: DesignDocument,
  tableId: string,
  columnId: string,
  fields: Partial<Column>,
): DesignDocument {
  return updateTable(doc, tableId, (t) => {
    const columns = t.columns ?? [];
    const index = columns.findIndex((c) => c.id === columnId);
    const column = columns[index];
    if (!column) {
      return t;
    }
    const copy = columns.slice();
    copy[index] = { ...column, ...fields };
    return { ...t, columns: copy };
  });
}

/** Move a column up (-1) or down (+1) within its table. */
export function moveColumn(doc: DesignDocument, tableId: string, columnId: string, delta: number): DesignDocument {
  return updateTable(doc, tableId, (t) => {
    const columns = (t.columns ?? []).slice();
    const from = columns.findIndex((c) => c.id === columnId);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= columns.length) {
      return t;
    }
    const [column] = columns.splice(from, 1);
    if (column) {
      columns.splice(to, 0, column);
    }
    return { ...t, columns };
  });
}

/** Put a column into the primary key or take it out; a key column becomes NOT NULL. */
export function togglePrimaryKey(doc: DesignDocument, tableId: string, columnId: string): DesignDocument {
  return updateTable(doc, tableId, (t) => {
    const keys = t.primary_key?.columns ?? [];
    const inKey = keys.includes(columnId);
    const nextKeys = inKey ? keys.filter((k) => k !== columnId) : [...keys, columnId];
    const columns = inKey
      ? t.columns
      : (t.columns ?? []).map((c) => (c.id === columnId ? { ...c, nullable: false } : c));
    return {
      ...t,
      columns,
      primary_key: nextKeys.length ? { ...(t.primary_key ?? {}), columns: nextKeys } : null,
    };
  });
}

/** Whether a single-column UNIQUE constraint covers exactly this column. */
export function isUniqueColumn(table: Table, columnId: string): boolean {
  return (table.uniques ?? []).some((u) => u.columns.length === 1 && u.columns[0] === columnId);
}

/** Add or remove a single-column UNIQUE constraint. */
export function toggleUnique(doc: DesignDocument, tableId: string, columnId: string): DesignDocument {
  return updateTable(doc, tableId, (t) => {
    const uniques = t.uniques ?? [];
    const has = isUniqueColumn(t, columnId);
    return {
      ...t,
      uniques: has
        ? uniques.filter((u) => !(u.columns.length === 1 && u.columns[0] === columnId))
        : [...uniques, { id: newId("u"), columns: [columnId] }],
    };
  });
}

/** Remove columns and every reference to them (keys, indexes, relationships, access patterns). */
export function deleteColumns(doc: DesignDocument, tableId: string, columnIds: ReadonlySet<string>): DesignDocument {
  if (columnIds.size === 0) {
    return doc;
  }
  const keep = (ids: string[] | undefined) => (ids ?? []).filter((id) => !columnIds.has(id));
  let next = updateTable(doc, tableId, (t) => {
    const pk = keep(t.primary_key?.columns);
    return {
      ...t,
      columns: (t.columns ?? []).filter((c) => !columnIds.has(c.id)),
      primary_key: pk.length && t.primary_key ? { ...t.primary_key, columns: pk } : null,
      uniques: (t.uniques ?? []).map((u) => ({ ...u, columns: keep(u.columns) })).filter((u) => u.columns.length),
      indexes: (t.indexes ?? [])
        .map((ix) => ({
          ...ix,
          columns: ix.columns.filter((k) => !(k.column && columnIds.has(k.column))),
          include: keep(ix.include),
        }))
        .filter((ix) => ix.columns.length),
      partitioning: t.partitioning
        ? { ...t.partitioning, key: t.partitioning.key.filter((k) => !(k.column && columnIds.has(k.column))) }
        : t.partitioning,
    };
  });
  next = {
    ...next,
    relationships: (next.relationships ?? []).filter(
      (r) => !(r.from_columns ?? []).some((id) => columnIds.has(id)) && !(r.to_columns ?? []).some((id) => columnIds.has(id)),
    ),
    access_patterns: next.access_patterns?.map((p) =>
      p.table === tableId
        ? {
            ...p,
            equality: keep(p.equality),
            range: keep(p.range),
            select: keep(p.select),
            contains: keep(p.contains),
            text_search: keep(p.text_search),
            order_by: (p.order_by ?? []).filter((o) => !columnIds.has(o.column)),
          }
        : p,
    ),
  };
  if (next.security?.grants?.length) {
    next = {
      ...next,
      security: { ...next.security, grants: next.security.grants.map((g) => ({ ...g, columns: keep(g.columns) })) },
    };
  }
  return next;
}
