/**
 * The Mermaid text view. It shows exactly what the compiler's printer writes for the document,
 * and typing in it parses the text (debounced) and replaces the document, so the canvas follows.
 * A parse error is shown with its line and column and leaves the document, and the canvas, alone.
 *
 * By default the text is plain Mermaid: the `%% @dbstudio` lines that carry ids, defaults, indexes
 * and the rest are hidden, and the server reads the text against the document on screen, so what
 * the text does not say is kept. "Show details" prints the lossless text instead.
 */

import { lazy, Suspense, useEffect, useRef, useState } from "react";

import { ApiError, type ApiClient, type Problem } from "../api";
import type { DesignDocument } from "../document";
import type { Origin } from "../model/history";

const MermaidPreview = lazy(() => import("./MermaidPreview").then((m) => ({ default: m.MermaidPreview })));

export const PARSE_DELAY_MS = 500;
const PRINT_DELAY_MS = 200;
const DETAILS_KEY = "dbstudio.mermaid.details";

function storedDetails(): boolean {
  try {
    return window.localStorage.getItem(DETAILS_KEY) === "1";
  } catch {
    return false; // storage may be blocked; plain text it is
  }
}

interface Props {
  doc: DesignDocument;
  origin: Origin;
  client: ApiClient;
  editable: boolean;
  dark: boolean;
  onParsed: (doc: DesignDocument) => void;
}

export function MermaidPanel({ doc, origin, client, editable, dark, onParsed }: Props) {
  const [text, setText] = useState("");
  const [view, setView] = useState<"text" | "preview">("text");
  const [error, setError] = useState<Problem | null>(null);
  const [printProblem, setPrintProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [details, setDetails] = useState(storedDetails);
  const dirty = useRef(false);
  const docRef = useRef(doc);
  docRef.current = doc;
  const parseSeq = useRef(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const parseTimer = useRef<number | null>(null);
  const onParsedRef = useRef(onParsed);
  onParsedRef.current = onParsed;

  // The document changed on the canvas (or by undo): print it again, unless the person is mid-edit.
  useEffect(() => {
    if (origin === "text" || dirty.current) {
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      client.printText(doc, "mermaid", controller.signal, details).then(
        (result) => {
          if (!dirty.current) {
            setText(result.text);
            setError(null);
            setPrintProblem(null);
          }
        },
        (err: unknown) => {
          if (!controller.signal.aborted) {
            setPrintProblem(err instanceof Error ? err.message : String(err));
          }
        },
      );
    }, PRINT_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [doc, origin, client, details]);

  const parse = (value: string) => {
    parseSeq.current += 1;
    const seq = parseSeq.current;
    setBusy(true);
    // Plain text is read against the document on screen, which holds what the text leaves out.
    client.parseText(value, "mermaid", undefined, details ? undefined : docRef.current).then(
      (result) => {
        if (seq !== parseSeq.current) {
          return; // newer typing superseded this parse
        }
        dirty.current = false;
        setBusy(false);
        setError(null);
        onParsedRef.current(result.document);
      },
      (err: unknown) => {
        if (seq !== parseSeq.current) {
          return;
        }
        setBusy(false);
        const problem: Problem =
          err instanceof ApiError && err.problems[0]
            ? err.problems[0]
            : { path: "text", message: err instanceof Error ? err.message : String(err) };
        setError(problem);
      },
    );
  };

  const onChange = (value: string) => {
    setText(value);
    dirty.current = true;
    if (parseTimer.current !== null) {
      window.clearTimeout(parseTimer.current);
    }
    parseTimer.current = window.setTimeout(() => {
      parse(value);
    }, PARSE_DELAY_MS);
  };

  const showError = () => {
    const el = area.current;
    if (!el || !error?.line) {
      return;
    }
    const lines = text.split("\n");
    let offset = 0;
    for (let i = 0; i < error.line - 1 && i < lines.length; i++) {
      offset += (lines[i]?.length ?? 0) + 1;
    }
    offset += Math.max(0, (error.column ?? 1) - 1);
    el.focus();
    el.setSelectionRange(offset, offset);
  };

  const lineCount = text.split("\n").length;
  return (
    <section className="mermaid-panel" aria-label="Mermaid">
      <div className="subtabs" role="tablist" aria-label="Mermaid view">
        {(["text", "preview"] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            id={`mermaid-tab-${v}`}
            aria-selected={view === v}
            aria-controls={`mermaid-view-${v}`}
            className={`subtab${view === v ? " is-active" : ""}`}
            onClick={() => {
              setView(v);
            }}
          >
            {v === "text" ? "Text" : "Preview"}
          </button>
        ))}
        <label className="subtab-toggle" title="Show the %% @dbstudio lines that carry ids, defaults, indexes and the rest">
          <input
            type="checkbox"
            checked={details}
            disabled={dirty.current || busy}
            onChange={(event) => {
              const on = event.target.checked;
              setDetails(on);
              try {
                window.localStorage.setItem(DETAILS_KEY, on ? "1" : "0");
              } catch {
                // not remembered; still switched
              }
            }}
          />
          Show details
        </label>
        <span className="subtab-status" role="status" aria-live="polite">
          {busy ? "Reading…" : error ? "" : dirty.current ? "" : "In sync"}
        </span>
      </div>
      {view === "text" ? (
        <div className="mermaid-text" id="mermaid-view-text" role="tabpanel" aria-labelledby="mermaid-tab-text">
          <div className="code-editor">
            <div className="code-gutter" ref={gutter} aria-hidden="true">
              {Array.from({ length: lineCount }, (_, i) => (
                <span key={i} className={error?.line === i + 1 ? "is-error" : undefined}>
                  {i + 1}
                </span>
              ))}
            </div>
            <textarea
              ref={area}
              className="code-area"
              aria-label="Mermaid text"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "mermaid-error" : undefined}
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              readOnly={!editable}
              wrap="off"
              value={text}
              onChange={(event) => {
                onChange(event.target.value);
              }}
              onScroll={(event) => {
                if (gutter.current) {
                  gutter.current.scrollTop = event.currentTarget.scrollTop;
                }
              }}
            />
          </div>
          {error && (
            <div className="text-error" id="mermaid-error" role="alert">
              <p>
                <strong>
                  {error.line ? `Line ${error.line}, column ${error.column ?? 1}: ` : ""}
                </strong>
                {/* The parser's message may start with the position too; say it once. */}
                {error.message.replace(/^line \d+, column \d+:\s*/i, "")}
              </p>
              {error.hint && <p className="text-hint">{error.hint}</p>}
              <p className="text-hint">The diagram keeps its last good version until the text reads again.</p>
              {error.line && (
                <button type="button" className="button button-small" onClick={showError}>
                  Go to the error
                </button>
              )}
            </div>
          )}
          {printProblem && !error && (
            <p className="text-error" role="alert">
              The text could not be printed: {printProblem}
            </p>
          )}
        </div>
      ) : (
        <div id="mermaid-view-preview" role="tabpanel" aria-labelledby="mermaid-tab-preview" className="mermaid-preview-wrap">
          <Suspense fallback={<p className="panel-hint">Loading Mermaid…</p>}>
            <MermaidPreview text={text} dark={dark} />
          </Suspense>
        </div>
      )}
    </section>
  );
}
