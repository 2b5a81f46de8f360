/**
 * The design's review status in the toolbar: a chip (Draft / In review / Changes requested /
 * Approved, marked stale when the design changed since every approval) that opens a small panel
 * with the review cycle, the revisions each decision was made on, and the steps this member may take:
 * Submit for review and Withdraw (editors and owners), Approve and Request changes (commenters and
 * up, not the submitter). The server decides; its refusals (409, 403 …) are shown as they come.
 */

import { useEffect, useId, useRef, useState } from "react";

import type { ApiClient } from "../api";
import { Icon } from "../components/Icon";
import { canEdit, type EditorConfig } from "../config";
import type { SaveStatus } from "../hooks/useEditor";
import { STATE_LABEL, useReviewState, type ReviewAction } from "./reviewState";
import "./workflow.css";

interface Props {
  client: ApiClient;
  config: EditorConfig;
  save: SaveStatus;
}

const ACTION_DONE: Record<ReviewAction, string> = {
  submit: "Submitted for review.",
  approve: "Approved.",
  "request-changes": "Changes requested.",
  withdraw: "Withdrawn: the design is a draft again.",
};

export function ReviewStatus({ client, config, save }: Props) {
  const localRevision = save.state === "saved" ? save.revision : null;
  const { review, error: loadError, act } = useReviewState(client, config.designId, localRevision);
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState<ReviewAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) {
      return;
    }
    const onDown = (event: MouseEvent) => {
      if (!wrap.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        wrap.current?.querySelector<HTMLButtonElement>(".review-chip")?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  // "Approved." says what just happened; it should not linger while the state moves on.
  useEffect(() => {
    if (!done) {
      return;
    }
    const timer = window.setTimeout(() => {
      setDone(null);
    }, 4000);
    return () => {
      window.clearTimeout(timer);
    };
  }, [done]);

  const run = async (action: ReviewAction) => {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      await act(action, note.trim());
      setNote("");
      setDone(ACTION_DONE[action]);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const state = review?.state ?? "draft";
  const stale = review?.stale ?? false;
  const label = review ? `${STATE_LABEL[state]}${stale ? " · stale" : ""}` : loadError ? "Review ?" : "Review…";
  const editor = canEdit(config.role);
  const reviewer = config.role !== "viewer" && review?.submitted_by !== config.user;
  const deciding = state === "in_review" || state === "approved";
  const canSubmit = editor && state !== "in_review";
  const canDecide = reviewer && deciding;
  const canWithdraw = editor && state !== "draft";
  const unsaved = editor && save.state !== "saved";

  return (
    <div className="menu-wrap review-status" ref={wrap}>
      <button
        type="button"
        className={`review-chip is-${state}${stale ? " is-stale" : ""}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? `${id}-panel` : undefined}
        aria-label={`Review status: ${label}`}
        title={loadError ?? undefined}
        onClick={() => {
          setOpen((o) => !o);
          setError(null);
          setDone(null);
        }}
      >
        <Icon name="review" size={15} />
        <span>{label}</span>
      </button>
      {open && (
        <div className="menu review-popover" role="dialog" id={`${id}-panel`} aria-label="Review status">
          {!review ? (
            <p className="review-line">{loadError ? `The review status could not be loaded: ${loadError}` : "Loading…"}</p>
          ) : (
            <>
              <p className="review-heading">
                <span className={`review-state is-${state}${stale ? " is-stale" : ""}`}>{STATE_LABEL[state]}</span>
                {stale && <span className="review-stale">stale: edited since approval</span>}
              </p>
              <dl className="review-facts">
                <div>
                  <dt>Review cycle</dt>
                  <dd>{review.cycle || "not yet submitted"}</dd>
                </div>
                <div>
                  <dt>Current revision</dt>
                  <dd>{review.revision}</dd>
                </div>
                {review.submitted_by && (
                  <div>
                    <dt>Submitted by</dt>
                    <dd>{review.submitted_by}</dd>
                  </div>
                )}
              </dl>
              {review.approvals.length > 0 && (
                <ul className="review-decisions" aria-label="Decisions this cycle">
                  {review.approvals.map((a, i) => (
                    <li key={`${a.reviewer}-${i}`} className={a.stale ? "is-stale" : undefined}>
                      <span className={`review-decision is-${a.decision}`}>
                        {a.decision === "approved" ? "✓" : "✕"}
                      </span>
                      <span>
                        <strong>{a.reviewer}</strong> {a.decision === "approved" ? "approved" : "requested changes on"} revision {a.revision}
                        {a.stale && <span className="review-stale"> (stale)</span>}
                        {a.note && <span className="review-note">“{a.note}”</span>}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {canDecide && (
                <label className="review-note-field">
                  <span>Note (optional)</span>
                  <textarea
                    className="field-input"
                    rows={2}
                    value={note}
                    placeholder="What should change, or why it is good to go"
                    onChange={(event) => {
                      setNote(event.target.value);
                    }}
                  />
                </label>
              )}
              {unsaved && canSubmit && <p className="review-hint">Unsaved edits are reviewed once they are saved.</p>}
              {!reviewer && deciding && config.role !== "viewer" && (
                <p className="review-hint">You submitted this review, so someone else approves it.</p>
              )}
              {config.role === "viewer" && <p className="review-hint">Viewers can follow the review but not take part.</p>}
              <div className="review-actions">
                {canSubmit && (
                  <button type="button" className="button button-primary button-small" disabled={busy !== null} onClick={() => void run("submit")}>
                    {state === "draft" ? "Submit for review" : "Submit again"}
                  </button>
                )}
                {canDecide && (
                  <button type="button" className="button button-primary button-small" disabled={busy !== null} onClick={() => void run("approve")}>
                    Approve revision {review.revision}
                  </button>
                )}
                {canDecide && (
                  <button type="button" className="button button-small" disabled={busy !== null} onClick={() => void run("request-changes")}>
                    Request changes
                  </button>
                )}
                {canWithdraw && (
                  <button type="button" className="button button-quiet button-small" disabled={busy !== null} onClick={() => void run("withdraw")}>
                    Withdraw
                  </button>
                )}
              </div>
            </>
          )}
          {error && (
            <p className="menu-error" role="alert">
              {error}
            </p>
          )}
          {done && (
            <p className="review-done" role="status">
              {done}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
