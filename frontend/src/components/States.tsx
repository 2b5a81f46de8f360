/** The canvas area's non-content states: loading, error and empty. */

import { ApiError, NetworkError } from "../api";
import { Icon } from "./Icon";

export function LoadingState() {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <p className="state-title">Loading the design…</p>
    </div>
  );
}

/** What to tell a person about an error, and whether retrying can help. */
function describe(error: Error): { title: string; detail: string; retry: boolean; login: boolean } {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return { title: "Your session has ended", detail: "Log in again to keep working.", retry: false, login: true };
    }
    if (error.status === 403 || error.status === 404) {
      return {
        title: "This design is not available",
        detail: "It may have been deleted, or you are no longer a member of it.",
        retry: false,
        login: false,
      };
    }
    return { title: "The design could not be loaded", detail: error.message, retry: true, login: false };
  }
  if (error instanceof NetworkError) {
    return { title: "Cannot reach the server", detail: error.message, retry: true, login: false };
  }
  return { title: "Something went wrong", detail: error.message, retry: true, login: false };
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { title, detail, retry, login } = describe(error);
  const next = encodeURIComponent(window.location.pathname);
  return (
    <div className="state state-error" role="alert">
      <span className="state-icon">
        <Icon name="alert" size={28} />
      </span>
      <p className="state-title">{title}</p>
      <p className="state-detail">{detail}</p>
      <div className="state-actions">
        {retry && (
          <button type="button" className="button" onClick={onRetry}>
            <Icon name="refresh" size={16} /> Try again
          </button>
        )}
        {login && (
          <a className="button button-primary" href={`/accounts/login/?next=${next}`}>
            Log in
          </a>
        )}
        <a className="button button-quiet" href="/designs/">
          Back to designs
        </a>
      </div>
    </div>
  );
}

export function EmptyState({ canEdit, onAddTable }: { canEdit: boolean; onAddTable: () => void }) {
  return (
    <div className="state state-empty canvas-empty">
      <span className="state-icon">
        <Icon name="empty" size={32} />
      </span>
      <p className="state-title">This design has no tables yet.</p>
      <p className="state-detail">
        {canEdit
          ? "Add a table, double-click anywhere on the canvas, or type Mermaid in the Mermaid tab."
          : "Tables will appear here once an editor adds them."}
      </p>
      {canEdit && (
        <div className="state-actions">
          <button type="button" className="button button-primary" onClick={onAddTable}>
            Add a table
          </button>
        </div>
      )}
    </div>
  );
}
