/** The bar above the canvas: add, undo/redo, arrange, find, export, theme, help, and the save status. */

import { useEffect, useState, type ReactNode } from "react";

import type { ApiClient } from "../api";
import type { EditorConfig } from "../config";
import type { DesignDocument } from "../document";
import type { SaveStatus } from "../hooks/useEditor";
import type { Theme } from "../hooks/useTheme";
import { ExportMenu } from "./ExportMenu";
import { isConnected, onConnection } from "../live/events";
import { ReviewStatus } from "../workflow/ReviewStatus";
import { Icon, type IconName } from "./Icon";

interface Props {
  editable: boolean;
  canUndo: boolean;
  canRedo: boolean;
  save: SaveStatus;
  theme: Theme;
  layingOut: boolean;
  hasSelection: boolean;
  client: ApiClient;
  config: EditorConfig;
  doc: DesignDocument;
  onAddTable: () => void;
  onAddNote: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onFit: () => void;
  onFind: () => void;
  onHelp: () => void;
  onRetrySave: () => void;
  onCompile: () => void;
  /** Who else is here (live/PresenceView.tsx). */
  presence?: ReactNode;
}

function ToolButton({
  icon,
  label,
  shortcut,
  onClick,
  disabled = false,
  text,
}: {
  icon: IconName;
  label: string;
  shortcut?: string;
  onClick: () => void;
  disabled?: boolean;
  text?: string;
}) {
  return (
    <button
      type="button"
      className={`tool${text ? " tool-text" : ""}`}
      aria-label={label}
      title={shortcut ? `${label} (${shortcut})` : label}
      aria-keyshortcuts={shortcut?.replace(/\s/g, "")}
      disabled={disabled}
      onClick={onClick}
    >
      <Icon name={icon} size={18} />
      {text && <span>{text}</span>}
    </button>
  );
}

export function SaveIndicator({ save, onRetry }: { save: SaveStatus; onRetry: () => void }) {
  if (save.state === "error") {
    return (
      <span className="save-status is-error" role="alert">
        <span className="save-text" title={save.reason}>
          Not saved — {save.reason}
        </span>
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      </span>
    );
  }
  const text =
    save.state === "saved"
      ? "Saved"
      : save.state === "saving"
        ? "Saving…"
        : save.state === "offline"
          ? save.unsynced
            ? "Offline — edits kept, not yet saved"
            : "Offline"
          : "Unsaved changes";
  return (
    <span className={`save-status is-${save.state}`} role="status" aria-live="polite">
      {save.state === "saved" && <Icon name="check" size={14} />}
      {save.state !== "saved" && <span className="save-dot" aria-hidden="true" />}
      <span className="save-text">{text}</span>
    </span>
  );
}

/** How long the socket may be down before a read-only member is told: a page load or a quick reconnect is not news. */
const OFFLINE_GRACE_MS = 1500;

/** Whether the design's socket has been down for a moment (live/events.ts tracks whoever owns it). */
function useOffline(): boolean {
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    let timer: number | undefined;
    const update = (up: boolean) => {
      window.clearTimeout(timer);
      if (up) {
        setOffline(false);
      } else {
        timer = window.setTimeout(() => {
          setOffline(true);
        }, OFFLINE_GRACE_MS);
      }
    };
    update(isConnected());
    const unsubscribe = onConnection(update);
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, []);
  return offline;
}

/**
 * The status of a member who cannot edit (viewer, commenter): read-only, and whether the live view
 * is connected. Without a socket they see neither others' edits nor new comments arriving, so they
 * are told, as an editor is by the save status.
 */
export function ReadOnlyIndicator() {
  const offline = useOffline();
  return (
    <span
      className={`save-status is-readonly${offline ? " is-offline" : ""}`}
      role="status"
      aria-live="polite"
      title={
        offline
          ? "Not connected: changes others make are not shown until the connection is back"
          : "Your role lets you view this design, not edit it"
      }
    >
      {offline && <span className="save-dot" aria-hidden="true" />}
      <span className="save-text">{offline ? "Read-only · offline — reconnecting…" : "Read-only"}</span>
    </span>
  );
}

export function Toolbar(props: Props) {
  const { editable, theme } = props;
  return (
    <div className="toolbar" role="toolbar" aria-label="Editor tools">
      {editable && (
        <div className="tool-group">
          <ToolButton icon="table" label="Add table" text="Table" shortcut="T" onClick={props.onAddTable} />
          <ToolButton icon="note" label="Add note" text="Note" shortcut="N" onClick={props.onAddNote} />
        </div>
      )}
      {editable && (
        <div className="tool-group">
          <ToolButton icon="undo" label="Undo" shortcut="Ctrl+Z" onClick={props.onUndo} disabled={!props.canUndo} />
          <ToolButton icon="redo" label="Redo" shortcut="Ctrl+Shift+Z" onClick={props.onRedo} disabled={!props.canRedo} />
        </div>
      )}
      <div className="tool-group">
        {editable && (
          <ToolButton
            icon="layout"
            label={props.layingOut ? "Arranging…" : "Auto-layout"}
            text="Arrange"
            onClick={props.onLayout}
            disabled={props.layingOut}
          />
        )}
        <ToolButton icon="fit" label="Fit to screen" shortcut="Shift+1" onClick={props.onFit} />
        <ToolButton icon="search" label="Find a table or column" text="Find" shortcut="Ctrl+K" onClick={props.onFind} />
      </div>
      <div className="toolbar-end">
        {props.presence}
        <ReviewStatus client={props.client} config={props.config} save={props.save} />
        {editable && <SaveIndicator save={props.save} onRetry={props.onRetrySave} />}
        {!editable && <ReadOnlyIndicator />}
        <ToolButton icon="compile" label="Compile a bundle (DDL, docs, migrations)" text="Compile" onClick={props.onCompile} />
        <ExportMenu client={props.client} config={props.config} doc={props.doc} hasSelection={props.hasSelection} />
        <ToolButton
          icon={theme.dark ? "sun" : "moon"}
          label={theme.dark ? "Switch to light mode" : "Switch to dark mode"}
          onClick={theme.cycle}
        />
        <ToolButton icon="help" label="Keyboard shortcuts" shortcut="?" onClick={props.onHelp} />
      </div>
    </div>
  );
}
