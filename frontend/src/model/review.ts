/**
 * The design's review configuration (`settings.review`), edited as document actions: a rule's
 * level, the naming preset, suppressions with a reason. Plain functions (doc, …) → new doc, so each
 * is one undoable, saved edit. The keys mirror designs/compiler/review/framework.py (Config).
 */

import type { DesignDocument } from "../document";

export type Level = "off" | "error" | "warning" | "info";

/** A rule as far as configuration needs it: its stable code and its kebab-case name. */
export interface RuleKey {
  code: string;
  name: string;
}

export interface Suppression {
  rule: string;
  /** The object's id (a table's id also covers its columns, indexes …); absent for the whole design. */
  object?: string;
  reason: string;
}

type ReviewConfig = Record<string, unknown>;

function reviewOf(doc: DesignDocument): ReviewConfig {
  return doc.settings?.review ?? {};
}

function withReview(doc: DesignDocument, review: ReviewConfig): DesignDocument {
  return { ...doc, settings: { ...doc.settings, review } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `rules` map (code or name → level) as the document has it, or an empty one. */
function ruleLevels(doc: DesignDocument): Record<string, unknown> {
  const rules = reviewOf(doc).rules;
  return isRecord(rules) ? rules : {};
}

/** The level the design sets for a rule (by code or by name), or null for the rule's default. */
export function ruleLevel(doc: DesignDocument, rule: RuleKey): Level | null {
  const rules = ruleLevels(doc);
  for (const key of [rule.code, rule.name]) {
    const value = rules[key];
    if (value === "off" || value === "error" || value === "warning" || value === "info") {
      return value;
    }
  }
  return null;
}

/** Set a rule's level; null goes back to the rule's default. Keys naming the same rule are replaced. */
export function setRuleLevel(doc: DesignDocument, rule: RuleKey, level: Level | null): DesignDocument {
  if (ruleLevel(doc, rule) === level) {
    return doc;
  }
  const rules: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ruleLevels(doc))) {
    if (key.toUpperCase() !== rule.code && key !== rule.name) {
      rules[key] = value;
    }
  }
  if (level !== null) {
    rules[rule.code] = level;
  }
  const review = { ...reviewOf(doc) };
  if (Object.keys(rules).length) {
    review.rules = rules;
  } else {
    delete review.rules;
  }
  return withReview(doc, review);
}

/** The naming preset the review checks names against, or null for `settings.naming` as it is. */
export function namingPreset(doc: DesignDocument): string | null {
  const preset = reviewOf(doc).naming;
  return typeof preset === "string" ? preset : null;
}

export function setNamingPreset(doc: DesignDocument, preset: string | null): DesignDocument {
  if (namingPreset(doc) === preset) {
    return doc;
  }
  const review = { ...reviewOf(doc) };
  if (preset === null) {
    delete review.naming;
  } else {
    review.naming = preset;
  }
  return withReview(doc, review);
}

/** The design's suppressions, in order (entries that are not objects are skipped). */
export function suppressions(doc: DesignDocument): Suppression[] {
  const list = reviewOf(doc).suppress;
  if (!Array.isArray(list)) {
    return [];
  }
  return list.filter(isRecord).map((s) => ({
    rule: typeof s.rule === "string" ? s.rule : "",
    ...(typeof s.object === "string" && s.object ? { object: s.object } : {}),
    reason: typeof s.reason === "string" ? s.reason : "",
  }));
}

/** Suppress a rule on one object (or the whole design), with the reason a reader will see. */
export function addSuppression(doc: DesignDocument, suppression: Suppression): DesignDocument {
  const reason = suppression.reason.trim();
  if (!reason) {
    return doc;
  }
  const list = Array.isArray(reviewOf(doc).suppress) ? (reviewOf(doc).suppress as unknown[]) : [];
  const entry: Suppression = { rule: suppression.rule, ...(suppression.object ? { object: suppression.object } : {}), reason };
  return withReview(doc, { ...reviewOf(doc), suppress: [...list, entry] });
}

/** Remove the suppression at `index` (as listed by `suppressions`). */
export function removeSuppression(doc: DesignDocument, index: number): DesignDocument {
  const list = reviewOf(doc).suppress;
  if (!Array.isArray(list)) {
    return doc;
  }
  const objects = list.map((s, i) => [s, i] as const).filter(([s]) => isRecord(s));
  const target = objects[index];
  if (!target) {
    return doc;
  }
  const rest = list.filter((_, i) => i !== target[1]);
  const review = { ...reviewOf(doc) };
  if (rest.length) {
    review.suppress = rest;
  } else {
    delete review.suppress;
  }
  return withReview(doc, review);
}

const SHARED_LISTS = ["tables", "relationships", "enums", "notes", "areas", "access_patterns"] as const;

/**
 * `next` (a whole document from the server, e.g. with a fix applied) reusing every part of `prev`
 * that is unchanged, so the canvas re-renders only what the change touched and undo stays cheap.
 */
export function reuseUnchanged(prev: DesignDocument, next: DesignDocument): DesignDocument {
  const out: Record<string, unknown> = { ...next };
  const before = prev as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) {
    const old = before[key];
    if (old === undefined) {
      continue;
    }
    if ((SHARED_LISTS as readonly string[]).includes(key) && Array.isArray(value) && Array.isArray(old)) {
      const byId = new Map<unknown, unknown>();
      for (const item of old) {
        if (isRecord(item)) {
          byId.set(item.id, item);
        }
      }
      const merged = value.map((item: unknown) => {
        const match = isRecord(item) ? byId.get(item.id) : undefined;
        return match !== undefined && JSON.stringify(match) === JSON.stringify(item) ? match : item;
      });
      out[key] = merged.length === old.length && merged.every((item, i) => item === old[i]) ? old : merged;
    } else if (JSON.stringify(old) === JSON.stringify(value)) {
      out[key] = old;
    }
  }
  return out as unknown as DesignDocument;
}
