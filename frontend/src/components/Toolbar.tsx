/** The bar above the canvas: add, undo/redo, arrange, find, export, theme, help, and the save status. */

import type { ReactNode } from "react";

import type { ApiClient } from "../api";
import type { EditorConfig } from "../config";
import type { DesignDocument } from "../document";
import type { SaveStatus } from "../hooks/useEditor";
import type { Theme } from "../hooks/useTheme";
import { ExportMenu } from "./ExportMenu";
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
        {!editable && (
          <span className="save-status is-readonly" role="status" title="Your role lets you view this design, not edit it">
            Read-only
          </span>
        )}
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
