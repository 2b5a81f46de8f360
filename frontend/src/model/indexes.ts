/** Accepting recommended indexes (the index strategy) into the document: one undoable edit. */

import type { DesignDocument, Index } from "../document";
import { uniqueName } from "./ids";

/** What accepting needs from a recommendation: its table, the index in document form, what it replaces. */
export interface Acceptable {
  table_id: string;
  index: Index;
  /** Ids of existing indexes the new one makes redundant; they are dropped. */
  replaces: string[];
}

/**
 * The document with each recommendation's index added to its table (and the indexes it replaces
 * removed). An index whose id is already there, or whose table is gone, is skipped; a name that
 * another index of the table already uses gets a numbered suffix.
 */
export function acceptIndexes(doc: DesignDocument, recs: readonly Acceptable[]): DesignDocument {
  const tables = (doc.tables ?? []).map((table) => {
    const mine = recs.filter((r) => r.table_id === table.id);
    if (mine.length === 0) {
      return table;
    }
    let indexes = table.indexes ?? [];
    let added = false;
    for (const rec of mine) {
      if (indexes.some((i) => i.id === rec.index.id)) {
        continue;
      }
      indexes = indexes.filter((i) => !rec.replaces.includes(i.id));
      const taken = indexes.map((i) => i.name ?? "").filter(Boolean);
      const name = rec.index.name && taken.includes(rec.index.name) ? uniqueName(rec.index.name, taken) : rec.index.name;
      indexes = [...indexes, { ...rec.index, name }];
      added = true;
    }
    return added ? { ...table, indexes } : table;
  });
  return tables.some((t, i) => t !== doc.tables?.[i]) ? { ...doc, tables } : doc;
}
