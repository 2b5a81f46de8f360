/**
 * Three-way merge of whole-document edits, for the Mermaid text panel.
 * (Objects are tables, relationships, enums, notes, areas, access patterns, roles, grants and
 * policies; the design's name, description and settings merge as single values.)
 *
 * Typed text replaces the document when it parses. Meanwhile other people keep editing the live
 * document, and their edits are not in the text (it is not reprinted under someone's cursor). So a
 * parse is merged, object by object, with `printed` (the document the text stood for) as the common
 * ancestor:
 *
 * - an object the text left as it was takes its current version (someone else's edit survives);
 * - an object the text changed takes the text's version (the typist's edit wins a conflict);
 * - an object the text removed goes; one someone else removed goes unless the text changed it;
 * - an object someone else added since the print is kept, after the text's own.
 *
 * Plain text is parsed against `printed` (designs/compiler/text/mermaid_plain.py), so an object the
 * text did not touch comes back exactly as printed and takes its current version here. `printed` and
 * `parsed` must both be in the server's stored form (`/text/print` with `canonical`, and what
 * `/text/parse` answers), so that comparing them as JSON compares their content.
 */

import type { DesignDocument } from "../document";

interface Identified {
  id: string;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeList<T extends Identified>(printed: T[], parsed: T[], current: T[]): T[] {
  const before = new Map(printed.map((o) => [o.id, o]));
  const now = new Map(current.map((o) => [o.id, o]));
  const out: T[] = [];
  for (const ours of parsed) {
    const base = before.get(ours.id);
    const theirs = now.get(ours.id);
    if (base === undefined) {
      out.push(ours); // new in the text
    } else if (same(ours, base)) {
      if (theirs !== undefined) {
        out.push(theirs); // untouched in the text: the current version
      } // else: removed by someone else, and the text did not change it
    } else {
      out.push(ours); // changed in the text: the text wins
    }
  }
  const inText = new Set(parsed.map((o) => o.id));
  for (const theirs of current) {
    if (!before.has(theirs.id) && !inText.has(theirs.id)) {
      out.push(theirs); // added by someone else since the text was printed
    }
  }
  return out;
}

function mergeValue<T>(printed: T, parsed: T, current: T): T {
  return same(parsed, printed) ? current : parsed;
}

/** `parsed` (from text printed from `printed`) merged with `current`, the live document now. */
export function mergeParsed(printed: DesignDocument, parsed: DesignDocument, current: DesignDocument): DesignDocument {
  if (printed === current) {
    return parsed; // nobody else changed anything
  }
  const list = <T extends Identified>(pick: (d: DesignDocument) => T[] | undefined): T[] =>
    mergeList<T>(pick(printed) ?? [], pick(parsed) ?? [], pick(current) ?? []);
  const tables = list((d) => d.tables);
  const ids = new Set(tables.map((t) => t.id));
  const relationships = list((d) => d.relationships).filter((r) => ids.has(r.from_table) && ids.has(r.to_table));
  return {
    ...parsed,
    name: mergeValue(printed.name, parsed.name, current.name),
    description: mergeValue(printed.description, parsed.description, current.description),
    settings: mergeValue(printed.settings, parsed.settings, current.settings),
    tables,
    relationships,
    enums: list((d) => d.enums),
    notes: list((d) => d.notes),
    areas: list((d) => d.areas),
    access_patterns: list((d) => d.access_patterns).filter((p) => ids.has(p.table)),
    security: {
      roles: list((d) => d.security?.roles),
      grants: list((d) => d.security?.grants),
      policies: list((d) => d.security?.policies).filter((p) => ids.has(p.table)),
    },
  };
}
