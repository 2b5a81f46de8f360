/**
 * The Mermaid text view. It shows exactly what the compiler's printer writes for the document,
 * and typing in it parses the text (debounced) and replaces the document, so the canvas follows.
 * A parse error is shown with its line and column and leaves the document, and the canvas, alone.
 *
 * By default the text is plain Mermaid: the `%% @dbstudio` lines that carry ids, defaults, indexes
 * and the rest are hidden, and the server reads the text against the document on screen, so what
 * the text does not say is kept. "Show details" prints the lossless text instead.
 */

import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState } from "react";

import { ApiError, type ApiClient, type Problem } from "../api";
import type { DesignDocument } from "../document";
import type { Origin } from "../model/history";
import { mergeParsed } from "../model/merge";

const MermaidPreview = lazy(() => import("./MermaidPreview").then((m) => ({ default: m.MermaidPreview })));

export const PARSE_DELAY_MS = 500;
const PRINT_DELAY_MS = 200;
const DETAILS_KEY = "dbstudio.mermaid.details";

/** 1-based line and 0-based column of an offset in a text. */
function lineColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset).split("\n");
  return [before.length, before[before.length - 1]?.length ?? 0];
}

/** The offset of a line and column in a text, clamped to the text. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length - 1); i++) {
    offset += (lines[i]?.length ?? 0) + 1;
  }
  return Math.min(offset + Math.min(column, lines[Math.min(line, lines.length) - 1]?.length ?? 0), text.length);
}

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
  // The document the text stands for: what it was printed from, or what it last parsed to. Plain
  // text is read against it, and a parse is merged with edits others made since (model/merge.ts).
  const printedRef = useRef<DesignDocument | null>(null);
  // Where the caret was (line, column) when a reprint replaced the text under it.
  const caret = useRef<[number, number] | null>(null);
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
      client.printText(doc, "mermaid", controller.signal, details, true).then(
        (result) => {
          if (!dirty.current) {
            const el = area.current;
            if (el && document.activeElement === el) {
              caret.current = lineColumn(el.value, el.selectionStart);
            }
            // The stored form, as a parse answers: the merge compares the two (model/merge.ts).
            printedRef.current = result.document ?? doc;
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

  // A reprint under the person's cursor keeps the caret on its line and column.
  useLayoutEffect(() => {
    const el = area.current;
    if (caret.current && el) {
      const at = offsetOf(text, ...caret.current);
      el.setSelectionRange(at, at);
      caret.current = null;
    }
  }, [text]);

  const parse = (value: string) => {
    parseSeq.current += 1;
    const seq = parseSeq.current;
    setBusy(true);
    // Plain text is read against the document it stands for, which holds what the text leaves out.
    const printed = printedRef.current ?? docRef.current;
    client.parseText(value, "mermaid", undefined, details ? undefined : printed).then(
      (result) => {
        if (seq !== parseSeq.current) {
          return; // newer typing superseded this parse
        }
        dirty.current = false;
        setBusy(false);
        setError(null);
        printedRef.current = result.document;
        // Others' edits since the print are not in the text: keep them (model/merge.ts).
        onParsedRef.current(mergeParsed(printed, result.document, docRef.current));
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
    const offset = offsetOf(text, error.line, Math.max(0, (error.column ?? 1) - 1));
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
