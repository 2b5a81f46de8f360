/**
 * The Review tab: the design review (lint) of the document as it is on screen, unsaved edits
 * included. It re-runs 400 ms after the last edit (POST /api/review), puts each finding on the
 * canvas as a marker, and lists them worst first; picking one selects its object.
 */

import { useEffect, useMemo, useRef, useState } from "react";

import type { Marker, Severity } from "../canvas/markers";
import { plural } from "../format";
import type { PanelProps } from "./types";

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

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const LABEL: Record<Severity, string> = { error: "Error", warning: "Warning", info: "Note" };
const DELAY_MS = 400;

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

export function ReviewPanel({ doc, client, active, markers, select, selectColumn, focus }: PanelProps) {
  const [review, setReview] = useState<Review | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      setRunning(true);
      client
        .request<Review>("POST", "/review", { body: { document: doc }, signal: abort.signal })
        .then((result) => {
          setReview(result);
          setError(null);
          markers.setLayer("review", toMarkers(result.findings));
        })
        .catch((e: unknown) => {
          if (!abort.signal.aborted) {
            setError(e instanceof Error ? e.message : String(e));
          }
        })
        .finally(() => {
          if (!abort.signal.aborted) {
            setRunning(false);
          }
        });
    }, DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [doc, client, markers]);

  // A marker clicked on the canvas: bring its first finding into view.
  useEffect(() => {
    if (!focus || !active) {
      return;
    }
    const item = listRef.current?.querySelector<HTMLElement>(`[data-object-id="${CSS.escape(focus.objectId)}"] button`);
    item?.scrollIntoView({ block: "nearest" });
    item?.focus();
  }, [focus, active]);

  const findings = useMemo(
    () => [...(review?.findings ?? [])].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.code.localeCompare(b.code)),
    [review],
  );

  const show = (f: Finding) => {
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
  };

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
      <ol className="finding-list" ref={listRef} aria-label="Findings">
        {findings.map((f, i) => (
          <li key={`${f.code}:${f.object_id ?? ""}:${i}`} className={`finding finding-${f.severity}`} data-object-id={f.object_id ?? ""}>
            <button type="button" className="finding-head" onClick={() => {
                show(f);
              }} disabled={!f.object_id}>
              <span className={`marker marker-${f.severity}`}>{LABEL[f.severity]}</span>
              <span className="finding-message">{f.message}</span>
            </button>
            <details className="finding-why">
              <summary>
                Why ({f.code} {f.rule})
              </summary>
              <p>{f.why}</p>
              {f.fix && <p className="finding-fix">Automatic fix available: {f.fix}</p>}
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
