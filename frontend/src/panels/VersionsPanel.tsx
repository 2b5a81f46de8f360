/**
 * The Versions tab: the design's named versions and recent revisions, naming the saved state as
 * a version, and comparing two of them (or one and the current design). A comparison marks the
 * added, removed and changed objects on the canvas (the marker store's "diff" layer), lists the
 * migration's operations with their hazards, and previews the migration as an Alembic revision or
 * as SQL for PostgreSQL, MySQL or SQLite, to copy or download. Everything comes from the server
 * (GET /api/designs/{id}/versions, /revisions, /diff; POST /versions), which compares the stored
 * revisions: unsaved edits count once they are saved.
 */

import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";

import { ApiError } from "../api";
import type { DiffState, Marker } from "../canvas/markers";
import { CheckField, SelectField } from "../components/fields";
import { downloadText } from "../export";
import { plural } from "../format";
import type { PanelProps } from "./types";
import "./versions.css";

interface VersionInfo {
  label: string;
  revision: number;
  notes: string;
  created_by: string | null;
  created_at: string;
}

interface RevisionInfo {
  number: number;
  author: string | null;
  message: string;
  created_at: string;
}

interface HazardInfo {
  kind: string;
  message: string;
  safe_alternative: string | null;
}

interface Operation {
  kind: string;
  description: string;
  object: string | null;
  hazards: HazardInfo[];
}

interface DiffResult {
  from: { ref: string; label: string | null; revision: number };
  to: { ref: string; label: string | null; revision: number };
  to_format: string;
  filename: string | null;
  text: string;
  operations: Operation[];
  changes: Record<string, string>;
  notes: string[];
}

type Format = "alembic" | "postgres" | "mysql" | "sqlite";

const FORMATS: { id: Format; label: string }[] = [
  { id: "alembic", label: "Alembic" },
  { id: "postgres", label: "PostgreSQL" },
  { id: "mysql", label: "MySQL" },
  { id: "sqlite", label: "SQLite" },
];

/** Hazard kinds (designs/compiler/migrate/hazards.py) in words, worst first. */
const HAZARD: Record<string, { label: string; rank: number }> = {
  data_loss: { label: "Data loss", rank: 0 },
  data_dependent: { label: "Depends on data", rank: 1 },
  incompatible: { label: "Breaks running code", rank: 2 },
  lock: { label: "Locks or rewrites", rank: 3 },
  unsupported: { label: "Not in place", rank: 4 },
};

const CURRENT = "current";
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const REVISIONS_SHOWN = 15;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The server's object id → state, as canvas markers (a rename shows as a change). */
function toMarkers(changes: Record<string, string>): Map<string, Marker> {
  const out = new Map<string, Marker>();
  for (const [id, state] of Object.entries(changes)) {
    const diff: DiffState = state === "added" || state === "removed" ? state : "changed";
    out.set(id, { diff });
  }
  return out;
}

/** How a `from`/`to` reference reads in a list or a heading. */
function refName(ref: string, versions: VersionInfo[]): string {
  if (ref === CURRENT) {
    return "the current design";
  }
  const version = versions.find((v) => v.label === ref);
  return version ? version.label : `revision ${ref}`;
}

export function VersionsPanel({ doc, revision, client, config, editable, active, markers, select, selectColumn }: PanelProps) {
  const designId = config.designId;
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [revisions, setRevisions] = useState<RevisionInfo[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  // ---- the history: named versions and recent revisions --------------------------------------
  useEffect(() => {
    if (!active) {
      return; // loaded when the tab is opened, and again after each save while it is open
    }
    const abort = new AbortController();
    Promise.all([
      client.request<VersionInfo[]>("GET", `/designs/${designId}/versions`, { signal: abort.signal }),
      client.request<RevisionInfo[]>("GET", `/designs/${designId}/revisions?limit=${REVISIONS_SHOWN}`, { signal: abort.signal }),
    ])
      .then(([v, r]) => {
        setVersions(v);
        setRevisions(r);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) {
          setLoadError(message(e));
        }
      });
    return () => {
      abort.abort();
    };
    // `revision`: every save adds a revision to the list.
  }, [client, designId, active, revision, reload]);

  // ---- comparing -----------------------------------------------------------------------------
  const [from, setFrom] = useState<string>("");
  const [to, setTo] = useState<string>(CURRENT);
  const [compared, setCompared] = useState<{ from: string; to: string } | null>(null);
  const [format, setFormat] = useState<Format>("alembic");
  const [safe, setSafe] = useState(true);
  const [result, setResult] = useState<DiffResult | null>(null);
  const [comparing, setComparing] = useState(false);
  const [compareError, setCompareError] = useState<string | null>(null);

  // The first version (newest) is the natural "from" once the history is known.
  useEffect(() => {
    if (from || !versions) {
      return;
    }
    const first = versions[0]?.label ?? (revisions.length > 1 ? String(revisions[revisions.length - 1]?.number) : "");
    if (first) {
      setFrom(first);
    }
  }, [versions, revisions, from]);

  // A comparison with the current design follows each save; a fixed pair is fetched once per format.
  const followRevision = compared?.to === CURRENT || compared?.from === CURRENT ? revision : 0;
  useEffect(() => {
    if (!compared) {
      return;
    }
    const abort = new AbortController();
    setComparing(true);
    const query = new URLSearchParams({ from: compared.from, to: compared.to, to_format: format, safe: String(safe) });
    client
      .request<DiffResult>("GET", `/designs/${designId}/diff?${query.toString()}`, { signal: abort.signal })
      .then((r) => {
        setResult(r);
        setCompareError(null);
        markers.setLayer("diff", toMarkers(r.changes));
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) {
          setCompareError(e instanceof ApiError && e.status === 404 ? `${e.message}. It may have been deleted.` : message(e));
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) {
          setComparing(false);
        }
      });
    return () => {
      abort.abort();
    };
  }, [compared, format, safe, followRevision, client, designId, markers]);

  const clearComparison = useCallback(() => {
    setCompared(null);
    setResult(null);
    setCompareError(null);
    markers.setLayer("diff", new Map());
  }, [markers]);

  // The diff layer belongs to this panel: gone with it.
  useEffect(
    () => () => {
      markers.setLayer("diff", new Map());
    },
    [markers],
  );

  const compare = (a: string, b: string) => {
    setFrom(a);
    setTo(b);
    setResult(null);
    setCompared({ from: a, to: b });
  };

  // ---- selecting an operation's object on the canvas ------------------------------------------
  const present = useMemo(() => new Set((doc.tables ?? []).map((t) => t.id)), [doc.tables]);
  const canShow = (id: string | null): id is string => !!id && (present.has(id) || markers.owner(id) !== undefined);
  const show = (id: string) => {
    const owner = markers.owner(id);
    if (owner?.column) {
      selectColumn(owner.table, id);
    } else if (owner) {
      select([owner.table], owner.table);
    } else {
      select([id], id);
    }
  };

  const options = useMemo(() => {
    const out: { value: string; label: string }[] = [];
    for (const v of versions ?? []) {
      out.push({ value: v.label, label: `${v.label} (revision ${v.revision})` });
    }
    for (const r of revisions) {
      out.push({ value: String(r.number), label: `Revision ${r.number}${r.message ? ` — ${r.message}` : ""}` });
    }
    return out;
  }, [versions, revisions]);

  return (
    <section className="panel-section versions-panel" aria-labelledby="versions-title" hidden={!active}>
      <h2 className="panel-title" id="versions-title">
        Versions
      </h2>

      {editable ? (
        <NameVersion
          client={client}
          designId={designId}
          revision={revision}
          taken={(versions ?? []).map((v) => v.label)}
          onCreated={(v) => {
            setVersions((list) => [v, ...(list ?? []).filter((x) => x.label !== v.label)]);
            if (!from) {
              setFrom(v.label);
            }
          }}
        />
      ) : (
        <p className="panel-hint">Only editors and owners can name versions; you can compare them.</p>
      )}

      <h3 className="panel-subtitle" id="versions-list-title">
        Named versions
      </h3>
      {loadError ? (
        <div className="versions-error" role="alert">
          <p>The versions could not be loaded: {loadError}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              setReload((n) => n + 1);
            }}
          >
            Try again
          </button>
        </div>
      ) : versions === null ? (
        <p className="panel-hint" role="status">
          Loading versions…
        </p>
      ) : versions.length === 0 ? (
        <p className="versions-empty">
          No versions yet. Name the design's state (for example <code>v1.0</code>) to compare later changes against it and
          to get the migration between the two.
        </p>
      ) : (
        <ol className="version-list" aria-labelledby="versions-list-title">
          {versions.map((v) => (
            <li key={v.label} className={`version-item${compared?.from === v.label || compared?.to === v.label ? " is-compared" : ""}`}>
              <div className="version-head">
                <strong className="version-label">{v.label}</strong>
                <span className="version-meta">revision {v.revision}</span>
              </div>
              <p className="version-meta">
                {v.created_by ?? "someone"} · <time dateTime={v.created_at}>{when(v.created_at)}</time>
              </p>
              {v.notes && <p className="version-notes">{v.notes}</p>}
              <button
                type="button"
                className="button button-small"
                aria-label={`Compare ${v.label} with the current design`}
                onClick={() => {
                  compare(v.label, CURRENT);
                }}
              >
                Compare with current
              </button>
            </li>
          ))}
        </ol>
      )}

      {revisions.length > 0 && (
        <details className="revision-history">
          <summary>Recent revisions ({revisions.length})</summary>
          <ol className="revision-list">
            {revisions.map((r) => (
              <li key={r.number}>
                <span className="revision-number">r{r.number}</span>
                <span className="version-meta">
                  {r.author ?? "someone"} · <time dateTime={r.created_at}>{when(r.created_at)}</time>
                </span>
                {r.message && <span className="revision-message">{r.message}</span>}
              </li>
            ))}
          </ol>
        </details>
      )}

      <h3 className="panel-subtitle" id="versions-compare-title">
        Compare
      </h3>
      {options.length === 0 ? (
        <p className="panel-hint">Name a version, or save a few changes, to have something to compare.</p>
      ) : (
        <form
          className="compare-form"
          aria-labelledby="versions-compare-title"
          onSubmit={(event) => {
            event.preventDefault();
            if (from) {
              compare(from, to);
            }
          }}
        >
          <SelectField label="From" value={from} options={options} onChange={setFrom} placeholder="Choose…" />
          <SelectField
            label="To"
            value={to}
            options={[{ value: CURRENT, label: "Current design" }, ...options]}
            onChange={setTo}
            placeholder="Choose…"
          />
          <div className="compare-actions">
            <button type="submit" className="button button-primary button-small" disabled={!from || from === to}>
              Compare
            </button>
            {compared && (
              <button type="button" className="button button-quiet button-small" onClick={clearComparison}>
                Clear comparison
              </button>
            )}
          </div>
          {from && from === to && <p className="field-hint">Pick two different states.</p>}
        </form>
      )}

      {compared && (
        <Comparison
          compared={compared}
          versions={versions ?? []}
          result={result}
          loading={comparing}
          error={compareError}
          format={format}
          safe={safe}
          onFormat={setFormat}
          onSafe={setSafe}
          onRetry={() => {
            setCompared({ ...compared });
          }}
          canShow={canShow}
          show={show}
        />
      )}
    </section>
  );
}

/** The form that names the saved state as a version (POST /designs/{id}/versions). */
function NameVersion({
  client,
  designId,
  revision,
  taken,
  onCreated,
}: {
  client: PanelProps["client"];
  designId: number;
  revision: number;
  taken: string[];
  onCreated: (version: VersionInfo) => void;
}) {
  const id = useId();
  const [label, setLabel] = useState("");
  const [notes, setNotes] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const check = (text: string): string | null => {
    const value = text.trim();
    if (!value) {
      return "Give the version a name, such as v1.0.";
    }
    if (value.length > 50) {
      return "A version name has at most 50 characters.";
    }
    if (!LABEL_PATTERN.test(value)) {
      return "Use letters, digits and . _ + - (starting with a letter or digit).";
    }
    if (taken.includes(value)) {
      return `There is already a version ${value}.`;
    }
    return null;
  };

  const submit = () => {
    const value = label.trim();
    const bad = check(value);
    setProblem(bad);
    setDone(null);
    if (bad) {
      input.current?.focus();
      return;
    }
    setSaving(true);
    client
      .request<VersionInfo>("POST", `/designs/${designId}/versions`, {
        body: { label: value, notes: notes.trim(), revision },
      })
      .then((v) => {
        onCreated(v);
        setLabel("");
        setNotes("");
        setDone(`Saved version ${v.label} (revision ${v.revision}).`);
      })
      .catch((e: unknown) => {
        setProblem(message(e));
        input.current?.focus();
      })
      .finally(() => {
        setSaving(false);
      });
  };

  return (
    <form
      className="name-version"
      aria-label="Name a version"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-label`} className="field-label">
          Name this state as a version
        </label>
        <div className="name-version-row">
          <input
            ref={input}
            id={`${id}-label`}
            className="field-input"
            value={label}
            placeholder="v1.0"
            maxLength={50}
            autoComplete="off"
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ""}`}
            onChange={(e) => {
              setLabel(e.target.value);
              setProblem(null);
            }}
          />
          <button type="submit" className="button button-primary button-small" disabled={saving || revision < 1}>
            {saving ? "Saving…" : "Save version"}
          </button>
        </div>
        <p className="field-hint" id={`${id}-hint`}>
          {revision < 1 ? "Save the design first." : `Names revision ${revision}, the last saved state.`}
        </p>
        {problem && (
          <p className="field-error" id={`${id}-error`} role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`} className="field-label">
          Notes (optional)
        </label>
        <textarea
          id={`${id}-notes`}
          className="field-input"
          rows={2}
          value={notes}
          maxLength={10_000}
          onChange={(e) => {
            setNotes(e.target.value);
          }}
        />
      </div>
      <p className="versions-done" role="status" aria-live="polite">
        {done}
      </p>
    </form>
  );
}

function Comparison({
  compared,
  versions,
  result,
  loading,
  error,
  format,
  safe,
  onFormat,
  onSafe,
  onRetry,
  canShow,
  show,
}: {
  compared: { from: string; to: string };
  versions: VersionInfo[];
  result: DiffResult | null;
  loading: boolean;
  error: string | null;
  format: Format;
  safe: boolean;
  onFormat: (format: Format) => void;
  onSafe: (safe: boolean) => void;
  onRetry: () => void;
  canShow: (id: string | null) => id is string;
  show: (id: string) => void;
}) {
  const title = `${refName(compared.from, versions)} → ${refName(compared.to, versions)}`;
  const region = useRef<HTMLDivElement>(null);
  // Bring a new comparison into view once its result is in (before, there is little to scroll to).
  const arrived = result !== null;
  useEffect(() => {
    if (arrived) {
      region.current?.scrollIntoView({ block: "start" });
    }
  }, [compared, arrived]);
  const ops = result?.operations ?? [];
  const hazards = ops.flatMap((op) => op.hazards);
  const counts = new Map<string, number>();
  for (const h of hazards) {
    counts.set(h.kind, (counts.get(h.kind) ?? 0) + 1);
  }
  const changes = Object.values(result?.changes ?? {});
  const removed = changes.filter((s) => s === "removed").length;
  const summary = !result
    ? ""
    : ops.length === 0
      ? "No differences: no migration is needed."
      : `${plural(ops.length, "operation")} · ${hazards.length === 0 ? "no hazards" : plural(hazards.length, "hazard")}`;

  return (
    <div className="comparison" aria-labelledby="comparison-title" role="region" ref={region}>
      <h3 className="comparison-title" id="comparison-title">
        {title}
      </h3>
      <p className="panel-hint comparison-status" role="status" aria-live="polite">
        {error ? "" : loading && !result ? "Comparing…" : `${summary}${loading ? " · updating…" : ""}`}
      </p>
      {error && (
        <div className="versions-error" role="alert">
          <p>The comparison failed: {error}</p>
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
      {result && ops.length > 0 && (
        <>
          {counts.size > 0 && (
            <ul className="hazard-summary" aria-label="Hazards by kind">
              {[...counts.entries()]
                .sort(([a], [b]) => (HAZARD[a]?.rank ?? 9) - (HAZARD[b]?.rank ?? 9))
                .map(([kind, n]) => (
                  <li key={kind} className={`hazard-pill hazard-${kind}`}>
                    {HAZARD[kind]?.label ?? kind}: {n}
                  </li>
                ))}
            </ul>
          )}
          <p className="diff-legend" aria-hidden="true">
            On the canvas: <span className="legend legend-added">added</span>{" "}
            <span className="legend legend-changed">changed</span> <span className="legend legend-removed">removed</span>
          </p>
          {removed > 0 && compared.to === CURRENT && (
            <p className="panel-hint">Removed objects are no longer on the canvas; they are listed below.</p>
          )}
          <ol className="operation-list" aria-label="Operations">
            {ops.map((op, i) => (
              <li key={`${op.kind}:${op.object ?? ""}:${i}`} className={`operation${op.hazards.length ? " has-hazards" : ""}`}>
                {canShow(op.object) ? (
                  <button
                    type="button"
                    className="operation-head"
                    onClick={() => {
                      show(op.object as string);
                    }}
                  >
                    {op.description}
                  </button>
                ) : (
                  <span className="operation-head">{op.description}</span>
                )}
                {op.hazards.length > 0 && (
                  <ul className="hazard-list" aria-label={`Hazards of ${op.description}`}>
                    {op.hazards.map((h, j) => (
                      <li key={j} className="hazard">
                        <span className={`hazard-pill hazard-${h.kind}`}>{HAZARD[h.kind]?.label ?? h.kind}</span>{" "}
                        <span className="hazard-message">{h.message}</span>
                        {h.safe_alternative && (
                          <p className="hazard-safer">
                            <strong>Safer:</strong> {h.safe_alternative}
                          </p>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
          {result.notes.length > 0 && (
            <ul className="plain-list comparison-notes" aria-label="Notes">
              {result.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
          <Preview result={result} loading={loading} format={format} safe={safe} onFormat={onFormat} onSafe={onSafe} />
        </>
      )}
    </div>
  );
}

function Preview({
  result,
  loading,
  format,
  safe,
  onFormat,
  onSafe,
}: {
  result: DiffResult;
  loading: boolean;
  format: Format;
  safe: boolean;
  onFormat: (format: Format) => void;
  onSafe: (safe: boolean) => void;
}) {
  const id = useId();
  const [copied, setCopied] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  const current = result.to_format === format;
  const name = FORMATS.find((f) => f.id === format)?.label ?? format;

  useEffect(() => {
    setCopied(null);
  }, [result]);

  const copy = () => {
    const text = result.text;
    const fallback = () => {
      // No clipboard API (a page served over plain HTTP): select the text for Ctrl+C.
      const range = document.createRange();
      if (pre.current) {
        range.selectNodeContents(pre.current);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
      }
      setCopied("The clipboard is not available here: the script is selected, press Ctrl+C to copy it.");
    };
    if (!("clipboard" in navigator)) {
      fallback();
      return;
    }
    navigator.clipboard.writeText(text).then(() => {
      setCopied("Copied to the clipboard.");
    }, fallback);
  };

  return (
    <div className="migration-preview">
      <h4 className="panel-subtitle" id={`${id}-title`}>
        Migration preview
      </h4>
      <div className="format-switch" role="group" aria-label="Migration format">
        {FORMATS.map((f) => (
          <button
            key={f.id}
            type="button"
            className={`format-option${f.id === format ? " is-active" : ""}`}
            aria-pressed={f.id === format}
            onClick={() => {
              onFormat(f.id);
            }}
          >
            {f.label}
          </button>
        ))}
      </div>
      {(format === "alembic" || format === "postgres") && (
        <CheckField label="Safe PostgreSQL plan (no avoidable locks)" checked={safe} onChange={onSafe} />
      )}
      <div className="preview-actions">
        <button type="button" className="button button-small" onClick={copy} disabled={!current}>
          Copy
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={!current}
          onClick={() => {
            downloadText(result.text, result.filename ?? `migration.${format === "alembic" ? "py" : "sql"}`);
          }}
        >
          Download
        </button>
      </div>
      {result.filename && current && (
        <p className="preview-filename" title={result.filename}>
          {result.filename}
        </p>
      )}
      <p className="versions-done" role="status" aria-live="polite">
        {copied}
      </p>
      <pre
        ref={pre}
        className={`migration-text${current && !loading ? "" : " is-stale"}`}
        tabIndex={0}
        aria-label={`${name} migration`}
        aria-busy={!current || loading}
      >
        <code>{current ? result.text : "Loading…"}</code>
      </pre>
    </div>
  );
}
