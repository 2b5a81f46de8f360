/**
 * Undo history over plain documents. Every edit is an action `(doc) => doc`; the history keeps
 * the documents before and after it. Documents share structure, so a step costs only what changed.
 */

import type { DesignDocument } from "../document";

/** Where an edit came from; the text panel does not re-print text it just parsed itself. */
export type Origin = "canvas" | "text" | "panel" | "load";

export interface History {
  past: DesignDocument[];
  present: DesignDocument;
  future: DesignDocument[];
  /** Where the present document came from. */
  origin: Origin;
  /** Edits that share a key within a short time join one undo step (typing a name, say). */
  lastKey: string | null;
  lastAt: number;
}

const LIMIT = 200;
const COALESCE_MS = 1000;

export function startHistory(doc: DesignDocument): History {
  return { past: [], present: doc, future: [], origin: "load", lastKey: null, lastAt: 0 };
}

export interface ApplyOptions {
  origin?: Origin;
  /** Successive edits with the same key within a second become one undo step. */
  coalesceKey?: string;
  now?: number;
}

/** Apply an action; an action that returns the same document is not recorded. */
export function apply(
  history: History,
  action: (doc: DesignDocument) => DesignDocument,
  options: ApplyOptions = {},
): History {
  const next = action(history.present);
  if (next === history.present) {
    return history;
  }
  const now = options.now ?? Date.now();
  const key = options.coalesceKey ?? null;
  const joins = key !== null && key === history.lastKey && now - history.lastAt < COALESCE_MS;
  const past = joins ? history.past : [...history.past, history.present].slice(-LIMIT);
  return { past, present: next, future: [], origin: options.origin ?? "canvas", lastKey: key, lastAt: now };
}

export function undo(history: History): History {
  const previous = history.past[history.past.length - 1];
  if (!previous) {
    return history;
  }
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    origin: "canvas",
    lastKey: null,
    lastAt: 0,
  };
}

export function redo(history: History): History {
  const next = history.future[0];
  if (!next) {
    return history;
  }
  return {
    past: [...history.past, history.present],
    present: next,
    future: history.future.slice(1),
    origin: "canvas",
    lastKey: null,
    lastAt: 0,
  };
}
