/** What canvas nodes may do to the document, handed down by context so node data stays plain. */

import { createContext, useContext } from "react";

import type { Column } from "../document";
import type { MarkerLayer } from "./markers";

export interface CanvasActions {
  canEdit: boolean;
  renameTable: (tableId: string, name: string) => string | null;
  addColumn: (tableId: string, afterId?: string) => void;
  updateColumn: (tableId: string, columnId: string, fields: Partial<Column>) => void;
  /** Set a column's type from text; returns an error message, or null when it was accepted. */
  retypeColumn: (tableId: string, columnId: string, text: string) => string | null;
  moveColumn: (tableId: string, columnId: string, delta: number) => void;
  deleteColumn: (tableId: string, columnId: string) => void;
  selectColumn: (tableId: string, columnId: string | null) => void;
  selectedColumn: string | null;
  updateNoteText: (noteId: string, text: string) => void;
  selectArea: (areaId: string) => void;
  /** The column to open for renaming as soon as it renders (a column just added). */
  editColumn: string | null;
  clearEditColumn: () => void;
  /** Open the panel behind a marker (review findings, comments) at the object it is on. */
  openMarker: (objectId: string, layer: MarkerLayer) => void;
}

export const CanvasActionsContext = createContext<CanvasActions | null>(null);

export function useCanvasActions(): CanvasActions {
  const actions = useContext(CanvasActionsContext);
  if (!actions) {
    throw new Error("canvas nodes must render inside CanvasActionsContext");
  }
  return actions;
}
