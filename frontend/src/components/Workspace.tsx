/**
 * The editing workspace around one document: toolbar, canvas, the details / Mermaid panel, and
 * the dialogs. Every change goes through `editor.dispatch(action)`, so it is undoable and saved.
 */

import { useReactFlow, useStoreApi, type XYPosition } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { ApiClient } from "../api";
import { canEdit, type EditorConfig } from "../config";
import type { Column, DesignDocument } from "../document";
import type { XY } from "../model/ids";
import { plural } from "../format";
import { type SaveStatus, useEditor } from "../hooks/useEditor";
import { useTheme } from "../hooks/useTheme";
import { addForeignKey, addNote, addRelationship, copyObjects, deleteObjects, isClip, pasteClip, updateNote, type Clip } from "../model/objects";
import {
  addColumn,
  addTable,
  deleteColumns,
  moveColumn,
  moveObjects,
  setTableFields,
  updateColumn,
} from "../model/tables";
import { parseType } from "../model/types";
import { CanvasActionsContext, type CanvasActions } from "../canvas/context";
import { ErdCanvas, type CanvasRequest, type ColumnEnd } from "../canvas/ErdCanvas";
import { MarkersContext, MarkerStore, type Owner } from "../canvas/markers";
import { CompileDialog } from "../compile/CompileDialog";
import type { PanelProps } from "../panels/types";
import { usePeers, usePublishSelection } from "../live/presence";
import { PresenceAvatars, PresenceLayer } from "../live/PresenceView";
import { useFitBounds } from "../canvas/fit";
import { freeSpot } from "../canvas/layout";
import { applyLayout, documentBounds, layoutDocument, needsLayout } from "../canvas/layout";
import { FindDialog } from "./FindDialog";
import { ForeignKeyOffer, type Offer } from "./ForeignKeyOffer";
import { ShortcutSheet } from "./ShortcutSheet";
import { SidePanel, type PanelTab } from "./SidePanel";
import { Toolbar } from "./Toolbar";
import { EmptyState } from "./States";

interface Props {
  config: EditorConfig;
  client: ApiClient;
  initial: DesignDocument;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

export function Workspace({ config, client, initial }: Props) {
  const editor = useEditor(client, config.designId, initial, !canEdit(config.role));
  // The live socket's hello can make the editor read-only (a role changed since the page loaded).
  const editable = canEdit(config.role) && !editor.readOnly;
  const { doc, dispatch } = editor;
  const flow = useReactFlow();
  const fitBounds = useFitBounds();
  const flowStore = useStoreApi();
  const theme = useTheme();
  const [selection, setSelection] = useState<string[]>([]);
  const [column, setColumn] = useState<{ table: string; column: string } | null>(null);
  const [request, setRequest] = useState<CanvasRequest | null>(null);
  const [editColumn, setEditColumn] = useState<string | null>(null);
  const [offer, setOffer] = useState<Offer | null>(null);
  const [finding, setFinding] = useState(false);
  const [help, setHelp] = useState(false);
  const [tab, setTab] = useState<PanelTab>("details");
  const [compiling, setCompiling] = useState(false);
  const [panelFocus, setPanelFocus] = useState<PanelProps["focus"]>(null);
  const markers = useMemo(() => new MarkerStore(), []);

  // Server events (compile progress, comments, saved revisions) reach the panels through the live
  // provider's socket (live/provider.ts publishes its text frames to live/events.ts).
  const [layingOut, setLayingOut] = useState(false);
  const clip = useRef<Clip | null>(null);
  // The last copy's clipboard write: a paste right after a copy waits for it, or it would read
  // whatever the clipboard held before.
  // If that write failed, the clipboard still holds something older than this page's copy.
  const clipWrite = useRef<Promise<boolean>>(Promise.resolve(true));
  const docRef = useRef(doc);
  docRef.current = doc;
  const seq = useRef(0);

  const ask = useCallback((r: Omit<CanvasRequest, "seq">) => {
    seq.current += 1;
    setRequest({ ...r, seq: seq.current });
  }, []);

  const viewCentre = useCallback((): XY => {
    const box = document.querySelector(".erd-canvas")?.getBoundingClientRect();
    if (!box) {
      return { x: 0, y: 0 };
    }
    return flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 3 });
  }, [flow]);

  const createTable = useCallback(
    (at?: XY) => {
      const centre = at ?? viewCentre();
      // A double-click puts it where asked; the toolbar finds a free place near the middle of the view.
      const place = at ?? freeSpot(docRef.current, { x: Math.round(centre.x - 120), y: Math.round(centre.y - 40) });
      const [next, id] = addTable(docRef.current, place);
      dispatch(() => next);
      ask({ select: [id] });
      setColumn(null);
    },
    [dispatch, ask, viewCentre],
  );

  const createNote = useCallback(() => {
    const c = viewCentre();
    const [next, id] = addNote(docRef.current, freeSpot(docRef.current, { x: Math.round(c.x - 120), y: Math.round(c.y - 60) }, { width: 240, height: 160 }));
    dispatch(() => next);
    ask({ select: [id] });
  }, [dispatch, ask, viewCentre]);

  const autoLayout = useCallback(async () => {
    setLayingOut(true);
    try {
      const sizes = new Map<string, { width: number; height: number }>();
      for (const t of docRef.current.tables ?? []) {
        const node = flow.getInternalNode(t.id);
        if (node?.measured.width && node.measured.height) {
          sizes.set(t.id, { width: node.measured.width, height: node.measured.height });
        }
      }
      // Packed for the canvas's shape, so that at fit-to-screen it is drawn as large as it can be.
      const { width, height } = flowStore.getState();
      const result = await layoutDocument(docRef.current, sizes, height > 0 ? width / height : undefined);
      dispatch((d) => applyLayout(d, result));
      const bounds = documentBounds(applyLayout(docRef.current, result));
      if (bounds) {
        void fitBounds(bounds, { duration: 0 });
      }
    } finally {
      setLayingOut(false);
    }
  }, [dispatch, flow, flowStore, fitBounds]);

  // A design nobody has arranged yet is laid out on first open. The server already lays out designs
  // created or imported without positions (designs/compiler/layout.py, same rules), so this is the
  // fallback: a document replaced by one without positions, or a design stored before that.
  const laidOut = useRef(false);
  useEffect(() => {
    if (!laidOut.current && editable && needsLayout(initial)) {
      laidOut.current = true;
      void autoLayout();
    }
  }, [initial, editable, autoLayout]);

  const fitAll = useCallback(() => {
    const bounds = documentBounds(docRef.current);
    if (bounds) {
      void fitBounds(bounds);
    }
  }, [fitBounds]);

  const deleteSelection = useCallback(() => {
    if (column) {
      const t = column.table;
      dispatch((d) => deleteColumns(d, t, new Set([column.column])));
      setColumn(null);
      return;
    }
    if (selection.length) {
      const ids = new Set(selection);
      dispatch((d) => deleteObjects(d, ids));
      setSelection([]);
    }
  }, [column, selection, dispatch]);

  const copy = useCallback(() => {
    // From React Flow's store, which a click updates at once: the `selection` state follows it a
    // render later, so a Ctrl+C right after a Ctrl+click would copy the selection before it.
    const selected = [
      ...flow.getNodes().filter((n) => n.selected).map((n) => n.id),
      ...flow.getEdges().filter((e) => e.selected).map((e) => e.id),
    ];
    if (!selected.length) {
      return;
    }
    clip.current = copyObjects(docRef.current, new Set(selected));
    clipWrite.current = navigator.clipboard.writeText(JSON.stringify(clip.current)).then(
      () => true,
      () => false,
    );
  }, [flow]);

  const paste = useCallback(async () => {
    const written = await clipWrite.current;
    let source = clip.current;
    try {
      if (!written) {
        throw new Error("the clipboard holds an older copy");
      }
      const text = await navigator.clipboard.readText();
      const parsed: unknown = JSON.parse(text);
      if (isClip(parsed)) {
        source = parsed;
      }
    } catch {
      // No clipboard access (or not our JSON): use the copy made in this page.
    }
    if (!source) {
      return;
    }
    const [next, ids] = pasteClip(docRef.current, source, { x: 40, y: 40 });
    dispatch(() => next);
    ask({ select: ids });
  }, [dispatch, ask]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "k") {
        event.preventDefault();
        setFinding(true);
        return;
      }
      if (isTyping(event.target)) {
        return;
      }
      if (mod && key === "z") {
        event.preventDefault();
        if (event.shiftKey) {
          editor.redo();
        } else {
          editor.undo();
        }
      } else if (mod && key === "y") {
        event.preventDefault();
        editor.redo();
      } else if (mod && key === "c") {
        copy();
      } else if (mod && key === "v") {
        event.preventDefault();
        void paste();
      } else if (mod && key === "s") {
        event.preventDefault();
        editor.retrySave();
      } else if (!mod && (event.key === "Delete" || event.key === "Backspace")) {
        event.preventDefault();
        deleteSelection();
      } else if (!mod && event.key === "?") {
        setHelp(true);
      } else if (!mod && !event.altKey && key === "t" && editable) {
        event.preventDefault();
        createTable();
      } else if (!mod && !event.altKey && key === "n" && editable) {
        event.preventDefault();
        createNote();
      } else if (!mod && event.shiftKey && key === "!") {
        fitAll();
      } else if (!mod && event.key === "Escape") {
        ask({ select: [] });
        setColumn(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, [editor, copy, paste, deleteSelection, createTable, createNote, editable, fitAll, ask]);

  const tablesById = useMemo(() => new Map((doc.tables ?? []).map((t) => [t.id, t])), [doc.tables]);

  // Markers on columns, indexes, constraints and relationships show on their table.
  useEffect(() => {
    const owners = new Map<string, Owner>();
    for (const t of doc.tables ?? []) {
      for (const c of t.columns ?? []) {
        owners.set(c.id, { table: t.id, column: true });
      }
      for (const part of [...(t.indexes ?? []), ...(t.uniques ?? []), ...(t.checks ?? [])]) {
        owners.set(part.id, { table: t.id, column: false });
      }
    }
    for (const r of doc.relationships ?? []) {
      owners.set(r.id, { table: r.from_table, column: false });
    }
    markers.setOwners(owners);
  }, [doc.tables, doc.relationships, markers]);

  const connect = useCallback(
    (a: ColumnEnd, b: ColumnEnd) => {
      const d = docRef.current;
      const ta = d.tables?.find((t) => t.id === a.table);
      const tb = d.tables?.find((t) => t.id === b.table);
      if (!ta || !tb) {
        return;
      }
      const inKey = (t: typeof ta, c: string | null) => !!c && (t.primary_key?.columns ?? []).includes(c);
      // The referenced side is the one whose column is in its primary key; otherwise the drop target.
      const [child, parent] = inKey(ta, a.column) && !inKey(tb, b.column) ? [b, a] : [a, b];
      const parentTable = child === a ? tb : ta;
      const parentColumn = parent.column ?? parentTable.primary_key?.columns[0] ?? null;
      if (!child.column && parentColumn) {
        const [next] = addForeignKey(d, child.table, parent.table, parentColumn);
        dispatch(() => next);
        return;
      }
      const [next, id] = addRelationship(d, {
        from_table: child.table,
        from_columns: child.column && parentColumn ? [child.column] : [],
        to_table: parent.table,
        to_columns: child.column && parentColumn ? [parentColumn] : [],
      });
      dispatch(() => next);
      ask({ select: [id] });
    },
    [dispatch, ask],
  );

  const dropOnTable = useCallback((from: ColumnEnd, table: string, at: XYPosition) => {
    const d = docRef.current;
    const parent = d.tables?.find((t) => t.id === from.table);
    const parentColumn = from.column ?? parent?.primary_key?.columns[0] ?? null;
    if (!parent || !parentColumn) {
      return;
    }
    setOffer({ parent: from.table, parentColumn, child: table, at });
  }, []);

  const actions: CanvasActions = useMemo(
    () => ({
      canEdit: editable,
      renameTable: (tableId, name) => {
        const clash = (docRef.current.tables ?? []).some((t) => t.id !== tableId && t.name === name);
        if (clash) {
          return `A table named ${name} already exists`;
        }
        dispatch((d) => setTableFields(d, tableId, { name }));
        return null;
      },
      addColumn: (tableId, afterId) => {
        const [next, id] = addColumn(docRef.current, tableId, {}, afterId);
        dispatch(() => next);
        setEditColumn(id);
        setColumn({ table: tableId, column: id });
      },
      updateColumn: (tableId, columnId, fields: Partial<Column>) => {
        dispatch((d) => updateColumn(d, tableId, columnId, fields), { coalesceKey: `col:${columnId}:${Object.keys(fields).join()}` });
      },
      retypeColumn: (tableId, columnId, text) => {
        const type = parseType(text, docRef.current);
        if (typeof type === "string") {
          return type;
        }
        dispatch((d) => updateColumn(d, tableId, columnId, { type }));
        return null;
      },
      moveColumn: (tableId, columnId, delta) => {
        dispatch((d) => moveColumn(d, tableId, columnId, delta));
      },
      deleteColumn: (tableId, columnId) => {
        dispatch((d) => deleteColumns(d, tableId, new Set([columnId])));
        setColumn((c) => (c?.column === columnId ? null : c));
      },
      selectColumn: (tableId, columnId) => {
        setColumn(columnId ? { table: tableId, column: columnId } : null);
        setTab("details");
      },
      selectedColumn: column?.column ?? null,
      updateNoteText: (noteId, text) => {
        dispatch((d) => updateNote(d, noteId, { text }));
      },
      selectArea: (areaId) => {
        const area = docRef.current.areas?.find((a) => a.id === areaId);
        if (!area) {
          return;
        }
        const x0 = area.position?.x ?? 0;
        const y0 = area.position?.y ?? 0;
        const x1 = x0 + (area.size?.width ?? 240);
        const y1 = y0 + (area.size?.height ?? 160);
        const inside = (docRef.current.tables ?? [])
          .filter((t) => {
            const x = t.position?.x ?? 0;
            const y = t.position?.y ?? 0;
            return x >= x0 && x < x1 && y >= y0 && y < y1;
          })
          .map((t) => t.id);
        ask({ select: [areaId, ...inside] });
      },
      editColumn,
      clearEditColumn: () => {
        setEditColumn(null);
      },
      openMarker: (objectId, layer) => {
        setTab(layer === "review" ? "review" : "comments");
        seq.current += 1;
        setPanelFocus({ objectId, seq: seq.current });
      },
    }),
    [editable, dispatch, column, editColumn, ask],
  );

  const onSelectionChange = useCallback((ids: string[]) => {
    setSelection(ids);
    setColumn((c) => (c && ids.length === 1 && ids[0] === c.table ? c : null));
  }, []);

  const tables = doc.tables ?? [];
  const selectedTable = selection.length === 1 ? (tablesById.get(selection[0] ?? "") ?? null) : null;
  const selectedRel = selection.length === 1 ? (doc.relationships ?? []).find((r) => r.id === selection[0]) ?? null : null;
  const peers = usePeers(editor.provider);
  usePublishSelection(editor.provider, selection, selectedTable?.id ?? null);
  const savedRevision = editor.save.state === "saved" && editor.save.revision !== null ? editor.save.revision : config.revision;

  const panel: Omit<PanelProps, "active"> = {
    doc,
    revision: savedRevision,
    client,
    config,
    editable,
    markers,
    dispatch,
    select: (ids, focus) => {
      ask(focus ? { select: ids, focus } : { select: ids });
    },
    selectColumn: (tableId, columnId) => {
      ask({ select: [tableId], focus: tableId });
      setColumn({ table: tableId, column: columnId });
    },
    focus: panelFocus,
    selection: { ids: selection, column: column?.column ?? null },
  };

  // A first-open layout is an edit on its way: until it is saved, the design is not "Saved".
  const arranging = layingOut || (editable && !laidOut.current && needsLayout(doc));
  const save: SaveStatus = arranging && editor.save.state === "saved" ? { state: "saving" } : editor.save;

  return (
    <CanvasActionsContext.Provider value={actions}>
      <MarkersContext.Provider value={markers}>
        <div className={`workspace${tab === "mermaid" ? " is-text" : ""}`} data-live={editor.live ? "true" : "false"}>
          <Toolbar
            editable={editable}
            canUndo={editor.canUndo}
            canRedo={editor.canRedo}
            save={save}
            theme={theme}
            layingOut={layingOut}
            hasSelection={selection.length > 0}
            client={client}
            config={config}
            doc={doc}
            onAddTable={() => {
              createTable();
            }}
            onAddNote={createNote}
            onUndo={editor.undo}
            onRedo={editor.redo}
            onLayout={() => void autoLayout()}
            onFit={fitAll}
            onFind={() => {
              setFinding(true);
            }}
            onHelp={() => {
              setHelp(true);
            }}
            onRetrySave={editor.retrySave}
            onCompile={() => {
              setCompiling(true);
            }}
            presence={<PresenceAvatars peers={peers} doc={doc} />}
          />
          <main id="main" className="canvas" aria-label="Canvas">
            <h2 className="canvas-heading">
              {plural(tables.length, "table")}
              <span className="canvas-heading-extra">
                {" · "}
                {plural((doc.relationships ?? []).length, "relationship")}
              </span>
            </h2>
            <ErdCanvas
              doc={doc}
              canEdit={editable}
              dark={theme.dark}
              request={request}
              arranging={arranging}
              onMove={(positions) => {
                dispatch((d) => moveObjects(d, positions));
              }}
              onResize={(id, size) => {
                dispatch((d) => ({
                  ...d,
                  areas: d.areas?.map((a) => (a.id === id ? { ...a, size } : a)),
                  notes: d.notes?.map((n) => (n.id === id ? { ...n, size } : n)),
                }));
              }}
              onConnectColumns={connect}
              onDropOnTable={dropOnTable}
              onAddTableAt={createTable}
              onSelectionChange={onSelectionChange}
            >
              <PresenceLayer peers={peers} doc={doc} provider={editor.provider} />
            </ErdCanvas>
            {tables.length === 0 && (doc.notes ?? []).length === 0 && (
              <EmptyState
                canEdit={editable}
                onAddTable={() => {
                  createTable();
                }}
              />
            )}
          </main>
          <SidePanel
            doc={doc}
            tab={tab}
            onTab={setTab}
            role={config.role}
            revision={savedRevision}
            panel={panel}
            editable={editable}
            dark={theme.dark}
            selectedTable={selectedTable}
            selectedColumn={column?.column ?? null}
            selectedRel={selectedRel}
            selectionCount={selection.length}
            client={client}
            origin={editor.origin}
            dispatch={dispatch}
            onSelectColumn={(tableId, columnId) => {
              setColumn(columnId ? { table: tableId, column: columnId } : null);
            }}
            onClose={() => {
              ask({ select: [] });
              setColumn(null);
            }}
            onDeleteSelection={deleteSelection}
            onTableTyped={(tableId) => {
              ask({ reveal: tableId });
            }}
          />
          {offer && (
            <ForeignKeyOffer
              doc={doc}
              offer={offer}
              onCancel={() => {
                setOffer(null);
              }}
              onCreate={() => {
                const [next] = addForeignKey(docRef.current, offer.child, offer.parent, offer.parentColumn);
                dispatch(() => next);
                setOffer(null);
              }}
            />
          )}
          {finding && (
            <FindDialog
              doc={doc}
              onClose={() => {
                setFinding(false);
              }}
              onPick={(tableId, columnId) => {
                setFinding(false);
                ask({ select: [tableId], focus: tableId });
                setColumn(columnId ? { table: tableId, column: columnId } : null);
              }}
            />
          )}
          {help && (
            <ShortcutSheet
              onClose={() => {
                setHelp(false);
              }}
            />
          )}
          {compiling && (
            <CompileDialog
              client={client}
              config={config}
              revision={savedRevision}
              saveState={editor.save.state}
              onClose={() => {
                setCompiling(false);
              }}
            />
          )}
        </div>
      </MarkersContext.Provider>
    </CanvasActionsContext.Provider>
  );
}
