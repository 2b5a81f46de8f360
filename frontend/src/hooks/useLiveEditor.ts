/**
 * The live editor: the document lives in a Y.Doc synced with the server (live/provider.ts).
 *
 * `dispatch(action)` runs the action on the document on screen and writes the difference into the
 * Y.Doc in one transaction with the `LOCAL` origin (live/binding.ts). Every transaction (local,
 * remote, undo) re-derives the JSON document from the Y.Doc, reusing the JSON of unchanged parts.
 * Undo is per user: a Y.UndoManager that tracks only `LOCAL` transactions, so it never reverts
 * someone else's edit. Edits with the same `coalesceKey` within a second make one undo step, as in
 * the offline history (model/history.ts); a drag commits one action, so it is one step.
 */

import { useCallback, useEffect, useMemo, useRef, useState, type MutableRefObject } from "react";
import * as Y from "yjs";

import type { DesignDocument } from "../document";
import { DocMirror, ROOT, writeChange, type Json } from "../live/binding";
import { LiveProvider, type LiveState } from "../live/provider";
import type { ApplyOptions, Origin } from "../model/history";
import type { Editor, SaveStatus } from "./useEditor";

/** The origin of this user's own edits; the only one the undo manager tracks. */
export const LOCAL = { name: "local-edit" };
/** Edits made before the socket synced, handed over once; not undoable. */
const ADOPTED = { name: "adopted-edit" };
const COALESCE_MS = 1000;

interface Session {
  doc: Y.Doc;
  root: Y.Map<unknown>;
  mirror: DocMirror;
  provider: LiveProvider;
  undo: Y.UndoManager;
}

interface View {
  doc: DesignDocument;
  origin: Origin;
  canUndo: boolean;
  canRedo: boolean;
}

export interface LiveEditor {
  active: boolean;
  /** The socket has synced and the live doc is taking over: REST saves stop (the live doc takes their edits). */
  handingOver: boolean;
  /** Set the moment the live doc has taken the REST edits, before the render that makes it `active`. */
  tookOver: MutableRefObject<boolean>;
  editor: Editor;
  provider: LiveProvider | null;
}

/** What the REST editor hands over when the live doc takes over (hooks/useEditor.ts). */
export interface RestHandover {
  /** The document on screen. */
  present: DesignDocument;
  /** The last document the server accepted through REST (the initial one if none). */
  saved: DesignDocument;
  /** Resolves once no PUT is on its way (a PUT started meanwhile is waited for too). */
  settled: () => Promise<void>;
}

type Obj = Record<string, Json>;

function statusOf(state: LiveState): SaveStatus {
  if (!state.connected) {
    return { state: "offline", unsynced: state.unconfirmed };
  }
  if (state.invalid && !state.confirming) {
    return { state: "error", reason: state.invalid.message, path: state.invalid.path };
  }
  if (state.unconfirmed || state.confirming) {
    return { state: "saving" };
  }
  return { state: "saved", revision: state.revision };
}

export function useLiveEditor(
  designId: number,
  initial: DesignDocument,
  rest: MutableRefObject<RestHandover>,
  readOnly: boolean,
): LiveEditor {
  const [session, setSession] = useState<Session | null>(null);
  const [handingOver, setHandingOver] = useState(false);
  const tookOver = useRef(false);
  const [live, setLive] = useState<LiveState | null>(null);
  const [view, setView] = useState<View | null>(null);
  const coalesce = useRef({ key: null as string | null, at: 0 });
  const localOrigin = useRef<Origin | null>(null);
  const sessions = useRef<Session | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    const root = doc.getMap<unknown>(ROOT);
    const mirror = new DocMirror(root);
    const undo = new Y.UndoManager(root, { trackedOrigins: new Set([LOCAL]), captureTimeout: COALESCE_MS });
    const provider = new LiveProvider(designId, doc);
    const s: Session = { doc, root, mirror, provider, undo };
    let ready = false;
    let handover = false;
    let disposed = false;
    let origin: Origin = "load";
    const stacks = () => ({ canUndo: undo.undoStack.length > 0, canRedo: undo.redoStack.length > 0 });
    const show = () => {
      setView({ doc: mirror.json() as unknown as DesignDocument, origin, ...stacks() });
    };
    const onTransaction = (transaction: Y.Transaction) => {
      mirror.invalidate(transaction);
      if (ready && transaction.changed.size > 0) {
        origin = transaction.origin === LOCAL ? (localOrigin.current ?? "canvas") : "canvas";
        show();
      }
    };
    doc.on("afterTransaction", onTransaction);
    const onStack = () => {
      if (ready) {
        setView((v) => (v ? { ...v, ...stacks() } : v));
      }
    };
    undo.on("stack-item-added", onStack);
    undo.on("stack-item-popped", onStack);
    undo.on("stack-cleared", onStack);
    // What was edited through the REST path before the socket synced joins the live doc, as the
    // difference from what the server already has. A REST save still on its way is waited for, and
    // if any REST save landed, the live doc is first brought up to date from the database: the server
    // writes each save into the live state, and that write must not arrive after (and undo) the edits
    // handed over here — the table renamed back, a column gone.
    const takeOver = async () => {
      await rest.current.settled();
      if (rest.current.saved !== initial) {
        await provider.resync();
      }
      if (disposed) {
        return;
      }
      const before = rest.current.saved as unknown as Obj;
      const after = rest.current.present as unknown as Obj;
      const templates = provider.templates;
      if (after !== before && !readOnly && templates) {
        doc.transact(() => {
          writeChange(root, before, after, templates, mirror);
        }, ADOPTED);
      }
      ready = true;
      tookOver.current = true;
      origin = "load";
      show();
      setLive(provider.state);
    };
    const unsubscribe = provider.subscribe((state) => {
      if (state.ready && !handover && provider.templates) {
        handover = true;
        setHandingOver(true);
        void takeOver();
      }
      setLive(state);
    });
    setSession(s);
    sessions.current = s;
    return () => {
      disposed = true;
      tookOver.current = false;
      setHandingOver(false);
      unsubscribe();
      doc.off("afterTransaction", onTransaction);
      undo.destroy();
      provider.destroy();
      doc.destroy();
      setSession(null);
      setView(null);
      setLive(null);
    };
    // `initial`, `rest` and `readOnly` are read once, when the socket first syncs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [designId]);

  const active = !!session && !!view && !!live?.ready;
  const blocked = readOnly || !!live?.readOnly;

  const dispatch = useCallback(
    (action: (doc: DesignDocument) => DesignDocument, options: ApplyOptions = {}) => {
      const s = sessions.current;
      const templates = s?.provider.templates;
      if (!s || !templates || blocked) {
        return;
      }
      // The latest document (the one on screen, plus anything that arrived since it rendered).
      const base = s.mirror.json();
      const next = action(base as unknown as DesignDocument) as unknown as Obj;
      if (next === base) {
        return;
      }
      const now = options.now ?? Date.now();
      const key = options.coalesceKey ?? null;
      if (key === null || key !== coalesce.current.key || now - coalesce.current.at >= COALESCE_MS) {
        s.undo.stopCapturing();
      }
      coalesce.current.key = key;
      coalesce.current.at = now;
      localOrigin.current = options.origin ?? "canvas";
      s.doc.transact(() => {
        writeChange(s.root, base, next, templates, s.mirror);
      }, LOCAL);
    },
    [blocked],
  );

  useEffect(() => {
    // Leaving with edits the server has not confirmed: the browser asks first.
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      const state = sessions.current?.provider.state;
      if (state?.ready && state.unconfirmed) {
        event.preventDefault();
      }
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, []);

  const undo = useCallback(() => {
    if (!blocked) {
      sessions.current?.undo.undo();
    }
  }, [blocked]);
  const redo = useCallback(() => {
    if (!blocked) {
      sessions.current?.undo.redo();
    }
  }, [blocked]);
  const retrySave = useCallback(() => {
    sessions.current?.provider.save("Saved");
  }, []);

  const doc = view?.doc ?? initial;
  const history = useMemo(
    () => ({ past: [], present: doc, future: [], origin: view?.origin ?? "load", lastKey: null, lastAt: 0 }),
    [doc, view?.origin],
  );
  const editor: Editor = {
    history,
    doc,
    dispatch,
    undo,
    redo,
    canUndo: !!view?.canUndo,
    canRedo: !!view?.canRedo,
    origin: view?.origin ?? "load",
    save: live ? statusOf(live) : { state: "saved", revision: null },
    retrySave,
    live: true,
    readOnly: !!live?.readOnly,
    provider: session?.provider ?? null,
  };
  return { active, handingOver, tookOver, editor, provider: session?.provider ?? null };
}
