/**
 * The design document inside a Y.Doc (docs/collaboration.md, "The Y.Doc layout").
 *
 * `ydoc.getMap("document")` holds the document in full form: a JSON object is a Y.Map, an array a
 * Y.Array, a scalar a plain value. Two directions:
 *
 * - `DocMirror` reads the Y.Doc as a plain JSON document and caches the JSON of every Y type, so
 *   after a change only the changed types and their ancestors are read again: an edit to one table
 *   rebuilds that table, the `tables` array and the root, and every other table keeps its object
 *   identity (React memo and `flow.ts` reuse depend on that).
 * - `writeChange(root, base, next, templates)` applies what an editor action changed (`base` is the
 *   document the action saw, `next` what it returned) to the Y types. Unchanged subtrees are skipped
 *   by identity; arrays of objects with an `id` are reconciled by id (insert, delete, move, set the
 *   changed fields), so a concurrent edit to another object survives. Objects the action adds are
 *   written in full form: the server's `templates` give every object kind's defaults.
 */

import * as Y from "yjs";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Field defaults per object kind, keyed by path (`tables[]`, `tables[].columns[].type`); see designs/collab.py. */
export type Templates = Record<string, Record<string, Json>>;

export const ROOT = "document";

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** A JSON value as a new (not yet integrated) Y value, objects filled from their template. */
export function toY(value: Json | undefined, path: string, templates: Templates): unknown {
  const fields = value as Record<string, Json | undefined>;
  if (Array.isArray(value)) {
    const array = new Y.Array<unknown>();
    array.insert(
      0,
      value.map((v) => toY(v, `${path}[]`, templates)),
    );
    return array;
  }
  if (isObject(value)) {
    const entries: [string, unknown][] = [];
    const template = templates[path] ?? {};
    for (const [key, v] of Object.entries(template)) {
      if (fields[key] === undefined) {
        entries.push([key, toY(v, childPath(path, key), templates)]);
      }
    }
    for (const [key, v] of Object.entries(fields)) {
      if (v !== undefined) {
        entries.push([key, toY(v, childPath(path, key), templates)]);
      }
    }
    return new Y.Map(entries);
  }
  return value ?? null;
}

/** Reads the Y.Doc as JSON, reusing the JSON of every Y type that did not change. */
export class DocMirror {
  private cache = new WeakMap<Y.AbstractType<unknown>, Json>();

  constructor(readonly root: Y.Map<unknown>) {}

  /** Forget the JSON of the types a transaction changed, and of their ancestors. */
  invalidate(transaction: Y.Transaction): void {
    for (const type of transaction.changed.keys()) {
      let t: unknown = type;
      while (t instanceof Y.AbstractType) {
        const yt = t as Y.AbstractType<unknown>;
        this.cache.delete(yt);
        t = yt._item?.parent;
      }
    }
  }

  json(): JsonObject {
    return this.read(this.root) as JsonObject;
  }

  read(value: unknown): Json {
    if (value instanceof Y.Map || value instanceof Y.Array) {
      const type = value as Y.AbstractType<unknown>;
      const cached = this.cache.get(type);
      if (cached !== undefined) {
        return cached;
      }
      let out: Json;
      if (value instanceof Y.Map) {
        const obj: JsonObject = {};
        (value as Y.Map<unknown>).forEach((v, k) => {
          obj[k] = this.read(v);
        });
        out = obj;
      } else {
        out = (value as Y.Array<unknown>).map((v) => this.read(v));
      }
      this.cache.set(type, out);
      return out;
    }
    if (value === undefined) {
      return null;
    }
    return value as Json;
  }
}

/** Apply the change `base → next` to `ymap` (call inside a transaction). */
export function writeChange(
  ymap: Y.Map<unknown>,
  base: JsonObject | undefined,
  next: JsonObject,
  templates: Templates,
  mirror: DocMirror,
  path = "",
): void {
  if (base === next) {
    return;
  }
  const keys = new Set([...Object.keys(base ?? {}), ...Object.keys(next)]);
  const template = templates[path] ?? {};
  for (const key of keys) {
    const b = base?.[key];
    const n = next[key];
    if (b === n && base !== undefined) {
      continue;
    }
    const here = childPath(path, key);
    if (n === undefined) {
      if (b === undefined) {
        continue;
      }
      // The action dropped the field: back to its default (full form keeps every field), or gone.
      const fallback = template[key];
      if (fallback !== undefined) {
        if (!deepEqual(mirror.read(ymap.get(key)), fallback)) {
          ymap.set(key, toY(fallback, here, templates));
        }
      } else if (ymap.has(key)) {
        ymap.delete(key);
      }
      continue;
    }
    const current = ymap.get(key);
    if (isObject(n) && current instanceof Y.Map) {
      writeChange(current as Y.Map<unknown>, isObject(b) ? b : undefined, n, templates, mirror, here);
    } else if (Array.isArray(n) && current instanceof Y.Array) {
      writeArray(current as Y.Array<unknown>, Array.isArray(b) ? b : undefined, n, templates, mirror, `${here}[]`);
    } else if (isObject(n) || Array.isArray(n)) {
      if (!deepEqual(mirror.read(current), n)) {
        ymap.set(key, toY(n, here, templates));
      }
    } else if (current !== n || !ymap.has(key)) {
      ymap.set(key, n);
    }
  }
}

function idOf(value: unknown): string | null {
  if (value instanceof Y.Map) {
    const id: unknown = (value as Y.Map<unknown>).get("id");
    return typeof id === "string" ? id : null;
  }
  if (isObject(value) && typeof value.id === "string") {
    return value.id;
  }
  return null;
}

function writeArray(
  yarray: Y.Array<unknown>,
  base: Json[] | undefined,
  next: Json[],
  templates: Templates,
  mirror: DocMirror,
  itemPath: string,
): void {
  if (base === next) {
    return;
  }
  const all = [...(base ?? []), ...next];
  if (all.length > 0 && all.every((v) => idOf(v) !== null)) {
    writeById(yarray, base, next, templates, mirror, itemPath);
    return;
  }
  // Scalars and objects without ids (tags, column id lists, index columns): replace what differs
  // between the common head and tail.
  const current = mirror.read(yarray) as Json[];
  if (deepEqual(current, next)) {
    return;
  }
  let head = 0;
  while (head < current.length && head < next.length && deepEqual(current[head], next[head])) {
    head += 1;
  }
  let tail = 0;
  while (
    tail < current.length - head &&
    tail < next.length - head &&
    deepEqual(current[current.length - 1 - tail], next[next.length - 1 - tail])
  ) {
    tail += 1;
  }
  yarray.delete(head, current.length - head - tail);
  const inserted = next.slice(head, next.length - tail).map((v) => toY(v, itemPath, templates));
  if (inserted.length) {
    yarray.insert(head, inserted);
  }
}

function writeById(
  yarray: Y.Array<unknown>,
  base: Json[] | undefined,
  next: Json[],
  templates: Templates,
  mirror: DocMirror,
  itemPath: string,
): void {
  const baseItems = new Map<string, JsonObject>();
  for (const item of base ?? (mirror.read(yarray) as Json[])) {
    if (isObject(item) && typeof item.id === "string") {
      baseItems.set(item.id, item);
    }
  }
  // The Y items once (Y.Array#get walks the list), kept in step with every insert and delete.
  const items = yarray.toArray();
  // Fast path (an edit inside objects, no insert/delete/move): same ids at the same places.
  if (items.length === next.length && next.every((v, i) => idOf(v) === idOf(items[i]))) {
    next.forEach((value, i) => {
      const id = idOf(value) as string;
      const before = baseItems.get(id);
      if (before !== value) {
        writeChange(items[i] as Y.Map<unknown>, before, value as JsonObject, templates, mirror, itemPath);
      }
    });
    return;
  }
  const nextIds = new Set(next.map((v) => idOf(v)));
  // Deleted by the action (objects someone else added meanwhile are not in base, so they stay).
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const id = idOf(items[i]);
    if (id !== null && baseItems.has(id) && !nextIds.has(id)) {
      yarray.delete(i, 1);
      items.splice(i, 1);
    }
  }
  // Where each id is now; rebuilt after an insert (inserts are rare: one per added object).
  let positions = new Map<string | null, number>();
  let stale = true;
  const insert = (at: number, value: unknown) => {
    yarray.insert(at, [value]);
    items.splice(at, 0, yarray.get(at));
    stale = true;
  };
  // The objects that keep their place: the longest run of next's ids already in Y in the same
  // order. Every other one moves (Yjs has no move: it is deleted and written again), so moving one
  // table to the front rewrites that table only.
  const was = new Map(items.map((y, i) => [idOf(y), i]));
  const stable = new Set(longestIncreasing(next.map((v) => was.get(idOf(v)) ?? -1)).map((i) => idOf(items[i])));
  let cursor = 0;
  for (const item of next) {
    const value = item as JsonObject;
    const id = idOf(value) as string;
    if (stale) {
      positions = new Map(items.map((y, i) => [idOf(y), i]));
      stale = false;
    }
    const at = positions.get(id) ?? -1;
    if (at === -1) {
      insert(cursor, toY(value, itemPath, templates));
      cursor += 1;
    } else if (stable.has(id)) {
      if (baseItems.get(id) !== value) {
        writeChange(items[at] as Y.Map<unknown>, baseItems.get(id), value, templates, mirror, itemPath);
      }
      cursor = at + 1;
    } else {
      const merged = { ...(mirror.read(items[at]) as JsonObject), ...value };
      yarray.delete(at, 1);
      items.splice(at, 1);
      if (at < cursor) {
        cursor -= 1;
      }
      insert(cursor, toY(merged, itemPath, templates));
      cursor += 1;
    }
  }
}

/** The values of a longest strictly increasing subsequence of `values` (ignoring negatives). */
function longestIncreasing(values: number[]): number[] {
  const tails: number[] = []; // tails[k]: index in values of the smallest tail of a run of length k+1
  const previous: number[] = new Array<number>(values.length).fill(-1);
  values.forEach((v, i) => {
    if (v < 0) {
      return;
    }
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((values[tails[mid] ?? 0] ?? 0) < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    previous[i] = lo > 0 ? (tails[lo - 1] ?? -1) : -1;
    tails[lo] = i;
  });
  const out: number[] = [];
  for (let i = tails[tails.length - 1] ?? -1; i >= 0; i = previous[i] ?? -1) {
    out.push(values[i] ?? 0);
  }
  return out.reverse();
}
