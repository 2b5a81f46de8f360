/**
 * Three-way merge of whole-document edits, for the Mermaid text panel.
 * (Objects are tables, relationships, enums, notes, areas, access patterns, roles, grants and
 * policies; the design's name, description and settings merge as values.)
 *
 * Typed text replaces the document when it parses. Meanwhile other people keep editing the live
 * document, and their edits are not in the text (it is not reprinted under someone's cursor). So a
 * parse is merged, object by object, with `printed` (the document the text stood for) as the common
 * ancestor:
 *
 * - an object the text left as it was takes its current version (someone else's edit survives);
 * - an object the text changed that nobody else changed takes the text's version;
 * - an object both changed is merged the same way a level down: property by property, and lists of
 *   objects with ids (a table's columns, indexes, constraints) object by object, so a column typed
 *   in the text and a drag, a comment or another column edited on the canvas all survive; only
 *   where both changed the same value does the text (the typist's edit) win;
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

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isIdentifiedList(v: unknown): v is Identified[] {
  return Array.isArray(v) && v.every((o) => isPlain(o) && typeof o.id === "string");
}

/** A value both sides changed: objects and id'd lists merge a level down, anything else is the text's. */
function mergeDeep(base: unknown, ours: unknown, theirs: unknown): unknown {
  if (same(ours, base)) {
    return theirs;
  }
  if (same(theirs, base) || same(theirs, ours)) {
    return ours;
  }
  if (isPlain(base) && isPlain(ours) && isPlain(theirs)) {
    const out: Plain = {};
    for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(base)])) {
      const value = mergeDeep(base[key], ours[key], theirs[key]);
      if (value !== undefined) {
        out[key] = value;
      }
    }
    return out;
  }
  if (isIdentifiedList(base) && isIdentifiedList(ours) && isIdentifiedList(theirs)) {
    return mergeList(base, ours, theirs);
  }
  return ours;
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
    } else if (theirs === undefined) {
      out.push(ours); // changed in the text, removed by someone else: the text's edit keeps it
    } else {
      out.push(mergeDeep(base, ours, theirs) as T); // changed in the text (and maybe by others)
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
  return mergeDeep(printed, parsed, current) as T;
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
