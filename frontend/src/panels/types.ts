/** What every side-panel tab (Review, Comments, Versions) gets from the workspace. */

import type { ApiClient } from "../api";
import type { MarkerStore } from "../canvas/markers";
import type { EditorConfig } from "../config";
import type { DesignDocument } from "../document";
import type { Origin } from "../model/history";

export type Dispatch = (action: (doc: DesignDocument) => DesignDocument, options?: { origin?: Origin }) => void;

export interface PanelProps {
  /** The document as the editor has it now (unsaved edits included). */
  doc: DesignDocument;
  /** The revision the server has stored last (the saved state of `doc`, when nothing is pending). */
  revision: number;
  client: ApiClient;
  config: EditorConfig;
  editable: boolean;
  /** Whether this tab is the one on show (panels stay mounted, so markers keep updating). */
  active: boolean;
  /** The canvas markers; each panel owns one layer. */
  markers: MarkerStore;
  /** Apply an undoable edit to the document (saved like any other). */
  dispatch: Dispatch;
  /** Select objects on the canvas, optionally bringing one into view. */
  select: (ids: string[], focus?: string) => void;
  /** Select a column of a table (opens it in Details). */
  selectColumn: (tableId: string, columnId: string) => void;
  /** What is selected on the canvas: object ids, and the column open in Details (if any). */
  selection?: { ids: readonly string[]; column: string | null };
  /** The object a canvas marker asked this panel to show, or null; `seq` changes on every ask. */
  focus: { objectId: string; seq: number } | null;
}
