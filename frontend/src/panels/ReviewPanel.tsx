/**
 * The Review tab: the design review (lint) of the document as it is on screen, unsaved edits
 * included. It runs again on each edit (POST /api/review) — at once after a quiet spell, at most
 * every 400 ms while edits keep coming — puts each finding on the canvas as a marker, and lists
 * them worst first; picking one selects its object.
 *
 * A finding with an automatic fix has a Fix button: the server returns the on-screen document
 * with that fix applied (POST /api/review/fix) and the panel applies it as one ordinary edit, so it
 * is undone with Ctrl+Z and saved like any other. "Suppress…" asks for a reason and adds a
 * suppression to the design's review settings (see ReviewSettings), also as an edit.
 */

import { memo, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";

import { ApiError, type ApiClient } from "../api";
import type { Marker, Severity } from "../canvas/markers";
import type { DesignDocument } from "../document";
import { plural } from "../format";
import { addSuppression, reuseUnchanged } from "../model/review";
import { analyseLater } from "./analysis";
import { ReviewSettings, type RulesInfo } from "./ReviewSettings";
import type { PanelProps } from "./types";
import "./review.css";

interface Finding {
  code: string;
  rule: string;
  severity: Severity;
  message: string;
  object_id: string | null;
  path: string;
  why: string;
  fix: string | null;
}

interface Review {
  counts: Record<Severity, number>;
  findings: Finding[];
}

interface Fixed {
  document: DesignDocument;
  code: string;
  object_id: string | null;
  fix: string;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const LABEL: Record<Severity, string> = { error: "Error", warning: "Warning", info: "Note" };
const DELAY_MS = 400;
/** Findings listed at first; a big design has thousands of notes, and the worst come first. */
const PAGE = 200;

/** Findings → one marker per object (worst severity, count, messages). */
function toMarkers(findings: Finding[]): Map<string, Marker> {
  const markers = new Map<string, Marker>();
  for (const f of findings) {
    if (!f.object_id) {
      continue;
    }
    const m = markers.get(f.object_id)?.findings;
    markers.set(f.object_id, {
      findings: {
        severity: m && ORDER[m.severity] <= ORDER[f.severity] ? m.severity : f.severity,
        count: (m?.count ?? 0) + 1,
        messages: [...(m?.messages ?? []), `${f.code} ${f.message}`],
      },
    });
  }
  return markers;
}

function keyOf(f: Finding): string {
  return `${f.code}:${f.object_id ?? ""}`;
}

/** A readable name for an object id: `table`, `table.column`, or the object's own name. */
function objectName(doc: DesignDocument, id: string): string {
  for (const t of doc.tables ?? []) {
    if (t.id === id) {
      return t.name;
    }
    const c = t.columns?.find((col) => col.id === id);
    if (c) {
      return `${t.name}.${c.name}`;
    }
    for (const group of [t.indexes, t.uniques, t.checks]) {
      const o = group?.find((x) => x.id === id);
      if (o) {
        return `${t.name}: ${"name" in o && o.name ? o.name : id}`;
      }
    }
  }
  for (const r of doc.relationships ?? []) {
    if (r.id === id) {
      return r.name ?? id;
    }
  }
  return id;
}

// The rule catalogue does not change while the page is open: fetch it once per client.
const rulesCache = new WeakMap<ApiClient, Promise<RulesInfo>>();
function loadRules(client: ApiClient): Promise<RulesInfo> {
  let p = rulesCache.get(client);
  if (!p) {
    p = client.request<RulesInfo>("GET", "/review/rules");
    p.catch(() => rulesCache.delete(client));
    rulesCache.set(client, p);
  }
  return p;
}

type Pending = { state: "fixing" } | { state: "fixed"; title: string } | { state: "suppressed" } | { state: "error"; message: string };

export function ReviewPanel({ doc, client, active, editable, markers, dispatch, select, selectColumn, focus }: PanelProps) {
  const [review, setReview] = useState<Review | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [rules, setRules] = useState<RulesInfo | null>(null);
  const [limit, setLimit] = useState(PAGE);
  // Findings being fixed, just fixed or suppressed (until the next review says how things are).
  const [pending, setPending] = useState<ReadonlyMap<string, Pending>>(new Map());
  const [suppressing, setSuppressing] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const docRef = useRef(doc);
  docRef.current = doc;

  // When the last review was asked for: edits are reviewed at once after a quiet spell, and at
  // most once per DELAY_MS while edits keep coming (typing), so the server is not asked per key.
  const lastAsked = useRef(0);

  useEffect(() => {
    const wait = Math.max(0, lastAsked.current + DELAY_MS - performance.now());
    return analyseLater(
      wait,
      (signal) => client.request<Review>("POST", "/review", { body: { document: doc }, signal }),
      {
        onStart: () => {
          lastAsked.current = performance.now();
        },
        onResult: (result) => {
          setReview(result);
          setPending((p) => (p.size ? new Map([...p].filter(([, v]) => v.state === "fixing")) : p));
          markers.setLayer("review", toMarkers(result.findings));
        },
        setError,
        setRunning,
      },
    );
  }, [doc, client, markers]);

  useEffect(() => {
    if (!active || rules) {
      return;
    }
    let live = true;
    loadRules(client).then(
      (r) => {
        if (live) {
          setRules(r);
        }
      },
      () => undefined, // the settings say "Loading…"; the next opening of the tab tries again
    );
    return () => {
      live = false;
    };
  }, [active, rules, client]);

  const findings = useMemo(
    () => [...(review?.findings ?? [])].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.code.localeCompare(b.code)),
    [review],
  );

  // A marker clicked on the canvas: bring its first finding into view (listing more if needed).
  useEffect(() => {
    if (!focus || !active) {
      return;
    }
    const at = findings.findIndex((f) => f.object_id === focus.objectId);
    if (at >= limit) {
      setLimit(at + PAGE);
      return; // this effect runs again once the finding is rendered
    }
    const item = listRef.current?.querySelector<HTMLElement>(`[data-object-id="${CSS.escape(focus.objectId)}"] .finding-head`);
    item?.scrollIntoView({ block: "nearest" });
    item?.focus();
  }, [focus, active, findings, limit]);

  const show = useCallback(
    (f: Finding) => {
      if (!f.object_id) {
        return;
      }
      const owner = markers.owner(f.object_id);
      if (owner?.column) {
        selectColumn(owner.table, f.object_id);
      } else if (owner) {
        select([owner.table], owner.table);
      } else {
        select([f.object_id], f.object_id);
      }
    },
    [markers, select, selectColumn],
  );

  const mark = useCallback((key: string, value: Pending | null) => {
    setPending((p) => {
      const next = new Map(p);
      if (value) {
        next.set(key, value);
      } else {
        next.delete(key);
      }
      return next;
    });
  }, []);

  const fix = useCallback(
    async (f: Finding) => {
      const key = keyOf(f);
      mark(key, { state: "fixing" });
      try {
        // The fix is computed on the document as sent; if an edit lands meanwhile, ask again.
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const sent = docRef.current;
          const result = await client.request<Fixed>("POST", "/review/fix", {
            body: { document: sent, code: f.code, object_id: f.object_id },
          });
          if (docRef.current === sent) {
            dispatch((current) => (current === sent ? reuseUnchanged(current, result.document) : current), { origin: "panel" });
            mark(key, { state: "fixed", title: result.fix });
            return;
          }
        }
        mark(key, { state: "error", message: "The design kept changing while fixing; try again." });
      } catch (e) {
        const message = e instanceof ApiError && e.problems[0] ? e.problems[0].message : e instanceof Error ? e.message : String(e);
        mark(key, { state: "error", message: `Could not fix: ${message}` });
      }
    },
    [client, dispatch, mark],
  );

  const suppress = useCallback(
    (f: Finding, reason: string) => {
      dispatch((d) => addSuppression(d, { rule: f.code, ...(f.object_id ? { object: f.object_id } : {}), reason }), { origin: "panel" });
      mark(keyOf(f), { state: "suppressed" });
      setSuppressing(null);
    },
    [dispatch, mark],
  );

  const nameOf = useCallback((id: string) => objectName(docRef.current, id), []);
  const occurrences = new Map<string, number>();

  return (
    <section className="panel-section review-panel" aria-labelledby="review-title" hidden={!active}>
      <h2 className="panel-title" id="review-title">
        Design review
      </h2>
      <p className="panel-hint" role="status" aria-live="polite">
        {error
          ? `The review could not run: ${error}`
          : !review
            ? "Reviewing…"
            : findings.length === 0
              ? "No findings: this design passes every rule."
              : `${plural(review.counts.error, "error")} · ${plural(review.counts.warning, "warning")} · ${plural(review.counts.info, "note")}${running ? " · updating…" : ""}`}
      </p>
      {active && <ReviewSettings doc={doc} dispatch={dispatch} editable={editable} rules={rules} nameOf={nameOf} />}
      <ol className="finding-list" ref={listRef} aria-label="Findings">
        {findings.slice(0, limit).map((f) => {
          const key = keyOf(f);
          // Keys stay put when findings come and go, so unchanged entries are not re-mounted.
          const seen = (occurrences.get(key) ?? 0) + 1;
          occurrences.set(key, seen);
          return (
            <FindingItem
              key={`${key}:${seen}`}
              finding={f}
              editable={editable}
              pending={pending.get(key) ?? null}
              suppressing={suppressing === key}
              objectLabel={f.object_id && suppressing === key ? nameOf(f.object_id) : null}
              onShow={show}
              onFix={fix}
              onAskSuppress={setSuppressing}
              onSuppress={suppress}
            />
          );
        })}
      </ol>
      {findings.length > limit && (
        <button
          type="button"
          className="button button-small finding-more"
          onClick={() => {
            setLimit((l) => l + PAGE * 5);
          }}
        >
          Show {plural(Math.min(findings.length - limit, PAGE * 5), "more finding")} (of {findings.length - limit} not shown)
        </button>
      )}
    </section>
  );
}

interface ItemProps {
  finding: Finding;
  editable: boolean;
  pending: Pending | null;
  suppressing: boolean;
  objectLabel: string | null;
  onShow: (f: Finding) => void;
  onFix: (f: Finding) => Promise<void>;
  onAskSuppress: (key: string | null) => void;
  onSuppress: (f: Finding, reason: string) => void;
}

function sameFinding(a: Finding, b: Finding): boolean {
  return (
    a === b ||
    (a.code === b.code &&
      a.object_id === b.object_id &&
      a.severity === b.severity &&
      a.message === b.message &&
      a.fix === b.fix &&
      a.why === b.why)
  );
}

/** One finding; memoised by content, so a new review re-renders only the findings that changed. */
const FindingItem = memo(function FindingItem({
  finding: f,
  editable,
  pending,
  suppressing,
  objectLabel,
  onShow,
  onFix,
  onAskSuppress,
  onSuppress,
}: ItemProps) {
  const [reason, setReason] = useState("");
  const settled = pending?.state === "fixed" || pending?.state === "suppressed";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim()) {
      onSuppress(f, reason.trim());
      setReason("");
    }
  };
  return (
    <li className={`finding finding-${f.severity}${settled ? " is-settled" : ""}`} data-object-id={f.object_id ?? ""}>
      <button
        type="button"
        className="finding-head"
        onClick={() => {
          onShow(f);
        }}
        disabled={!f.object_id}
      >
        <span className={`marker marker-${f.severity}`}>{LABEL[f.severity]}</span>
        <span className="finding-message">{f.message}</span>
      </button>
      <div className="finding-foot">
        <details className="finding-why">
          <summary>
            Why ({f.code} {f.rule})
          </summary>
          <p>{f.why}</p>
          {f.fix && <p className="finding-fix">Automatic fix: {f.fix}</p>}
        </details>
        {editable && !settled && !suppressing && (
          <div className="finding-actions">
            {f.fix && (
              <button
                type="button"
                className="button button-small"
                title={f.fix}
                disabled={pending?.state === "fixing"}
                onClick={() => {
                  void onFix(f);
                }}
              >
                {pending?.state === "fixing" ? "Fixing…" : "Fix"}
              </button>
            )}
            <button
              type="button"
              className="button button-quiet button-small"
              onClick={() => {
                onAskSuppress(`${f.code}:${f.object_id ?? ""}`);
              }}
            >
              Suppress…
            </button>
          </div>
        )}
      </div>
      {pending?.state === "fixed" && <p className="finding-note">Fixed: {pending.title}. Ctrl+Z undoes it.</p>}
      {pending?.state === "suppressed" && <p className="finding-note">Suppressed; see Review settings.</p>}
      {pending?.state === "error" && (
        <p className="finding-note is-error" role="alert">
          {pending.message}
        </p>
      )}
      {suppressing && (
        <form className="suppress-form" onSubmit={submit} aria-label={`Suppress ${f.code}`}>
          <label className="field">
            <span className="field-label">
              Why is {f.code} acceptable {objectLabel ? `on ${objectLabel}` : "for this design"}?
            </span>
            <textarea
              className="field-input"
              rows={2}
              value={reason}
              required
              autoFocus
              placeholder="e.g. loaded by COPY from a partner feed; never updated"
              onChange={(e) => {
                setReason(e.target.value);
              }}
              onKeyDown={(e) => {
                if (e.key === "Escape") {
                  onAskSuppress(null);
                }
              }}
            />
          </label>
          <div className="suppress-buttons">
            <button type="submit" className="button button-primary button-small" disabled={!reason.trim()}>
              Suppress
            </button>
            <button
              type="button"
              className="button button-quiet button-small"
              onClick={() => {
                onAskSuppress(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
},
(a, b) =>
  sameFinding(a.finding, b.finding) &&
  a.editable === b.editable &&
  a.pending === b.pending &&
  a.suppressing === b.suppressing &&
  a.objectLabel === b.objectLabel &&
  a.onShow === b.onShow &&
  a.onFix === b.onFix &&
  a.onAskSuppress === b.onAskSuppress &&
  a.onSuppress === b.onSuppress);
