/**
 * The Indexes tab: the index strategy of the document on screen (unsaved edits included), from
 * `POST /api/designs/{id}/index-strategy` 500 ms after the last edit while the tab is open. Each
 * recommended index says why (the foreign key or access pattern it serves); Accept adds it to the
 * document through `dispatch`, so it is one undoable edit saved like any other, never a second
 * writer racing the editor's own save. Existing indexes the compiler doubts are listed below.
 */

import { useEffect, useMemo, useState } from "react";

import type { DesignDocument, Index } from "../document";
import { plural } from "../format";
import { acceptIndexes } from "../model/indexes";
import { analyseLater } from "./analysis";
import type { PanelProps } from "./types";
import "./indexes.css";

interface KeyPart {
  column: string | null;
  expression: string | null;
  order: "asc" | "desc";
  opclass: string | null;
}

interface Recommendation {
  id: string;
  table_id: string;
  name: string;
  keys: KeyPart[];
  method: string;
  where: string | null;
  include: string[];
  unique: boolean;
  reason: string;
  serves: string[];
  replaces: string[];
  index: Index;
}

interface Redundancy {
  table_id: string;
  index_id: string;
  kind: string;
  reason: string;
  other_id: string | null;
}

interface Strategy {
  recommendations: Recommendation[];
  redundant: Redundancy[];
}

const DELAY_MS = 500;

/** Names for the ids a recommendation mentions. */
function namer(doc: DesignDocument) {
  const tables = new Map((doc.tables ?? []).map((t) => [t.id, t]));
  const columns = new Map<string, string>();
  const indexes = new Map<string, string>();
  for (const t of doc.tables ?? []) {
    for (const c of t.columns ?? []) {
      columns.set(c.id, c.name);
    }
    for (const i of t.indexes ?? []) {
      indexes.set(i.id, i.name ?? i.id);
    }
  }
  const rels = new Map((doc.relationships ?? []).map((r) => [r.id, r]));
  const patterns = new Map((doc.access_patterns ?? []).map((p) => [p.id, p]));
  return {
    table: (id: string) => tables.get(id)?.name ?? id,
    column: (id: string) => columns.get(id) ?? id,
    index: (id: string) => indexes.get(id) ?? id,
    serves: (ref: string): string => {
      const [kind, id = ""] = ref.split(":", 2);
      if (kind === "fk") {
        const r = rels.get(id);
        return r
          ? `Foreign key ${tables.get(r.from_table)?.name ?? r.from_table} → ${tables.get(r.to_table)?.name ?? r.to_table}`
          : `Foreign key ${id}`;
      }
      if (kind === "pattern") {
        return `Query “${patterns.get(id)?.name ?? id}”`;
      }
      return ref;
    },
  };
}

type Names = ReturnType<typeof namer>;

function keyText(rec: Recommendation, names: Names): string {
  const parts = rec.keys.map((k) => {
    const base = k.column ? names.column(k.column) : `(${k.expression ?? ""})`;
    return [base, k.opclass, k.order === "desc" ? "DESC" : null].filter(Boolean).join(" ");
  });
  return `(${parts.join(", ")})`;
}

export function IndexPanel({ doc, client, config, editable, active, dispatch, select }: PanelProps) {
  const [strategy, setStrategy] = useState<Strategy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  // Accepted here and not yet gone from a fresh answer: hidden at once so a double click does nothing.
  const [accepted, setAccepted] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    if (!active) {
      return;
    }
    return analyseLater(
      strategy ? DELAY_MS : 0,
      (signal) =>
        client.request<Strategy>("POST", `/designs/${config.designId}/index-strategy`, {
          body: { document: doc },
          signal,
        }),
      {
        onResult: (result) => {
          setStrategy(result);
          setAccepted(new Set());
        },
        setError,
        setRunning,
      },
    );
    // `strategy` only picks the first delay; re-running when it changes would loop.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, client, config.designId, active]);

  const names = useMemo(() => namer(doc), [doc]);
  const recs = (strategy?.recommendations ?? []).filter((r) => !accepted.has(r.id));

  const accept = (chosen: Recommendation[]) => {
    if (chosen.length === 0) {
      return;
    }
    dispatch((d) => acceptIndexes(d, chosen));
    setAccepted((prev) => new Set([...prev, ...chosen.map((r) => r.id)]));
  };

  return (
    <section className="panel-section index-panel" aria-labelledby="indexes-title" hidden={!active}>
      <div className="index-panel-head">
        <h2 className="panel-title" id="indexes-title">
          Index strategy
        </h2>
        {editable && recs.length > 1 && (
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => {
              accept(recs);
            }}
          >
            Accept all {recs.length}
          </button>
        )}
      </div>
      <p className="panel-hint" role="status" aria-live="polite">
        {error
          ? `The index strategy could not be worked out: ${error}`
          : !strategy
            ? "Working out the indexes this design needs…"
            : recs.length === 0
              ? "Every foreign key and access pattern has the index it needs."
              : `${plural(recs.length, "recommended index", "recommended indexes")}, each with the reason for it.${running ? " Updating…" : ""}`}
      </p>
      {!editable && recs.length > 0 && <p className="panel-hint">Only editors can add indexes to the design.</p>}
      <ul className="index-list" aria-label="Recommended indexes">
        {recs.map((rec) => (
          <li key={rec.id} className="index-rec" data-index-id={rec.id}>
            <div className="index-rec-head">
              <code className="index-rec-name">{rec.name}</code>
              {rec.unique && <span className="index-badge">unique</span>}
              {rec.method !== "btree" && <span className="index-badge">{rec.method}</span>}
              {rec.where && <span className="index-badge">partial</span>}
              {editable && (
                <button
                  type="button"
                  className="button button-small index-accept"
                  aria-label={`Accept ${rec.name}`}
                  onClick={() => {
                    accept([rec]);
                  }}
                >
                  Accept
                </button>
              )}
            </div>
            <p className="index-rec-def">
              on{" "}
              <button
                type="button"
                className="link-like"
                onClick={() => {
                  select([rec.table_id], rec.table_id);
                }}
              >
                {names.table(rec.table_id)}
              </button>{" "}
              <code>{keyText(rec, names)}</code>
              {rec.include.length > 0 && (
                <>
                  {" "}
                  include <code>({rec.include.map(names.column).join(", ")})</code>
                </>
              )}
              {rec.where && (
                <>
                  {" "}
                  where <code>{rec.where}</code>
                </>
              )}
            </p>
            <p className="index-rec-reason">{rec.reason}</p>
            <ul className="index-rec-serves" aria-label="Serves">
              {rec.serves.map((s) => (
                <li key={s}>{names.serves(s)}</li>
              ))}
            </ul>
            {rec.replaces.length > 0 && (
              <p className="index-rec-replaces">
                Replaces {rec.replaces.map(names.index).join(", ")}, which accepting drops.
              </p>
            )}
          </li>
        ))}
      </ul>
      {(strategy?.redundant.length ?? 0) > 0 && (
        <>
          <h3 className="panel-subtitle">Existing indexes to reconsider</h3>
          <ul className="index-list" aria-label="Existing indexes to reconsider">
            {strategy?.redundant.map((r) => (
              <li key={`${r.index_id}:${r.kind}`} className="index-rec index-doubt">
                <div className="index-rec-head">
                  <code className="index-rec-name">{names.index(r.index_id)}</code>
                  <span className="index-badge index-badge-warn">{r.kind.replace("_", " ")}</span>
                </div>
                <p className="index-rec-reason">{r.reason}</p>
                <button
                  type="button"
                  className="link-like"
                  onClick={() => {
                    select([r.table_id], r.table_id);
                  }}
                >
                  Show {names.table(r.table_id)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
