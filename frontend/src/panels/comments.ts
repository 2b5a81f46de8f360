/**
 * Review comments as the Comments tab holds them: the API's threads (designs/comments_api.py), the
 * live `comment.changed` frames applied to them, and the label each anchor shows.
 *
 * Pure functions over plain data, so they are easy to reason about and to reuse.
 */

import type { Marker } from "../canvas/markers";
import type { DesignDocument } from "../document";

export type AnchorKind = "design" | "table" | "column" | "relationship" | "index";

export interface Anchor {
  kind: AnchorKind;
  /** Stable id of the object; empty for the design itself. */
  id: string;
  label: string;
}

export interface Comment {
  id: number;
  parent: number | null;
  anchor: Anchor;
  outdated: boolean;
  author: string | null;
  body: string;
  mentions: string[];
  created_at: string;
  edited_at: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  deleted: boolean;
}

export interface Thread extends Comment {
  replies: Comment[];
}

export type ChangeAction = "created" | "edited" | "deleted" | "resolved" | "reopened";

/** Every object a comment can be anchored to in a document: id → kind and label (as the server labels them). */
export function anchorsOf(doc: DesignDocument): Map<string, { kind: AnchorKind; label: string; table: string | null }> {
  const found = new Map<string, { kind: AnchorKind; label: string; table: string | null }>();
  const tableNames = new Map<string, string>();
  for (const t of doc.tables ?? []) {
    tableNames.set(t.id, t.name);
    found.set(t.id, { kind: "table", label: t.name, table: null });
    for (const c of t.columns ?? []) {
      found.set(c.id, { kind: "column", label: `${t.name}.${c.name}`, table: t.id });
    }
    for (const i of t.indexes ?? []) {
      found.set(i.id, { kind: "index", label: i.name || `index on ${t.name}`, table: t.id });
    }
  }
  for (const r of doc.relationships ?? []) {
    const label = r.name || `${tableNames.get(r.from_table) ?? "?"} → ${tableNames.get(r.to_table) ?? "?"}`;
    found.set(r.id, { kind: "relationship", label, table: r.from_table });
  }
  return found;
}

/**
 * What a thread's anchor reads as, and whether its object is gone. The document on screen names the
 * object (so a rename shows at once, before it is saved) unless the server has a newer revision than
 * the one on screen — then the server's label, computed from its latest revision, is the fresher one.
 */
export function resolveAnchor(
  comment: Comment,
  anchors: ReturnType<typeof anchorsOf>,
  serverIsNewer: boolean,
): { label: string; outdated: boolean } {
  if (comment.anchor.kind === "design") {
    return { label: comment.anchor.label, outdated: false };
  }
  const onScreen = anchors.get(comment.anchor.id);
  if (onScreen && !serverIsNewer) {
    return { label: onScreen.label, outdated: false };
  }
  return { label: comment.anchor.label, outdated: comment.outdated };
}

/** Replace or add one comment in a list, keeping the server's order (oldest first). */
function upsert<T extends Comment>(list: T[], item: T): T[] {
  const at = list.findIndex((c) => c.id === item.id);
  if (at >= 0) {
    return list.map((c, i) => (i === at ? item : c));
  }
  return [...list, item].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

/**
 * Apply one `comment.changed` frame (or an API answer) to the threads. A reply whose thread is not
 * known returns null: the caller should fetch the whole list again.
 */
export function applyChange(threads: Thread[], comment: Comment): Thread[] | null {
  if (comment.parent === null) {
    const existing = threads.find((t) => t.id === comment.id);
    return upsert(threads, { ...comment, replies: existing?.replies ?? [] });
  }
  const parent = threads.find((t) => t.id === comment.parent);
  if (!parent) {
    return null;
  }
  return threads.map((t) => (t === parent ? { ...t, replies: upsert(t.replies, comment) } : t));
}

/** A thread nobody can read any more (deleted, with no replies left) is not shown. */
export function isVisible(thread: Thread): boolean {
  return !thread.deleted || thread.replies.some((r) => !r.deleted);
}

/** Open threads per object, as the canvas's `comments` marker layer. */
export function commentMarkers(threads: Thread[], anchors: ReturnType<typeof anchorsOf>, serverIsNewer: boolean): Map<string, Marker> {
  const markers = new Map<string, Marker>();
  for (const t of threads) {
    const gone = !anchors.has(t.anchor.id) || resolveAnchor(t, anchors, serverIsNewer).outdated;
    if (t.anchor.kind === "design" || t.resolved_at || !isVisible(t) || gone) {
      continue;
    }
    markers.set(t.anchor.id, { comments: (markers.get(t.anchor.id)?.comments ?? 0) + 1 });
  }
  return markers;
}

/** The partial @mention being typed just before the caret, with where it starts; null when there is none. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^\w.@+-])@([\w.@+-]*)$/.exec(before);
  if (!match) {
    return null;
  }
  const query = match[2] ?? "";
  return { start: caret - query.length - 1, query };
}

/** A comment's text split into plain runs and @mentions of the given usernames. */
export function splitMentions(body: string, mentions: readonly string[]): { text: string; mention: boolean }[] {
  if (!mentions.length) {
    return [{ text: body, mention: false }];
  }
  const names = [...mentions].sort((a, b) => b.length - a.length).map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\w.@+-])@(?:${names.join("|")})(?![\\w@+-]|\\.[\\w])`, "g");
  const parts: { text: string; mention: boolean }[] = [];
  let last = 0;
  for (const m of body.matchAll(pattern)) {
    if (m.index > last) {
      parts.push({ text: body.slice(last, m.index), mention: false });
    }
    parts.push({ text: m[0], mention: true });
    last = m.index + m[0].length;
  }
  if (last < body.length) {
    parts.push({ text: body.slice(last), mention: false });
  }
  return parts;
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "just now", "5 minutes ago", "yesterday", or the date. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds > -45) {
    return "just now";
  }
  const minutes = Math.round(seconds / 60);
  if (minutes > -60) {
    return RELATIVE.format(minutes, "minute");
  }
  const hours = Math.round(minutes / 60);
  if (hours > -24) {
    return RELATIVE.format(hours, "hour");
  }
  const days = Math.round(hours / 24);
  if (days > -7) {
    return RELATIVE.format(days, "day");
  }
  return new Date(iso).toLocaleDateString();
}
