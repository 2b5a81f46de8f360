/**
 * The editor's state: the document with its undo history, and saving it.
 *
 * Every edit is an action on the plain document (see model/). While the design's socket is live,
 * actions are applied to the shared Y.Doc (hooks/useLiveEditor.ts). Otherwise saving is debounced: 600 ms after
 * the last edit the present document is PUT; on page hide it is sent at once with `keepalive`.
 * A document the server rejects stays here, and the status says why with a Retry.
 */

import { useCallback, useEffect, useReducer, useRef, useState, type MutableRefObject } from "react";

import { ApiError, type ApiClient } from "../api";
import type { DesignDocument } from "../document";
import { apply, redo, startHistory, undo, type ApplyOptions, type History, type Origin } from "../model/history";
import type { LiveProvider } from "../live/provider";
import { useLiveEditor, type RestHandover } from "./useLiveEditor";

export type SaveStatus =
  | { state: "saved"; revision: number | null }
  | { state: "pending" }
  | { state: "saving" }
  | { state: "offline"; unsynced: boolean }
  | { state: "error"; reason: string; path: string | null };

type Msg =
  | { type: "apply"; action: (doc: DesignDocument) => DesignDocument; options: ApplyOptions }
  | { type: "undo" }
  | { type: "redo" };

function reducer(history: History, msg: Msg): History {
  switch (msg.type) {
    case "apply":
      return apply(history, msg.action, msg.options);
    case "undo":
      return undo(history);
    case "redo":
      return redo(history);
  }
}

export const SAVE_DELAY_MS = 600;

export interface Editor {
  history: History;
  doc: DesignDocument;
  dispatch: (action: (doc: DesignDocument) => DesignDocument, options?: ApplyOptions) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Where the document on screen came from (the text panel does not re-print its own parse). */
  origin: Origin;
  save: SaveStatus;
  retrySave: () => void;
  /** Whether edits go through the live session (Yjs) rather than REST saves. */
  live: boolean;
  /** The server said this socket may not edit (its role is viewer or commenter). */
  readOnly: boolean;
  provider: LiveProvider | null;
}

/**
 * The editor of one design: live (Yjs, see hooks/useLiveEditor.ts) as soon as the socket has
 * synced, and until then — or if the socket cannot be used at all — REST saves with a local history.
 */
export function useEditor(client: ApiClient, designId: number, initial: DesignDocument, readOnly: boolean): Editor {
  // Edits made before the socket synced are handed to the live document when it takes over.
  const handover = useRef<RestHandover>({ present: initial, saved: initial, settled: () => Promise.resolve() });
  const live = useLiveEditor(designId, initial, handover, readOnly);
  const rest = useRestEditor(client, designId, initial, readOnly || live.active, live.handingOver, handover);
  handover.current.present = rest.history.present;
  const current = live.active ? live.editor : rest;
  // Stable functions that act on whichever mode is active when called: a callback captured before
  // the socket synced (auto-layout waiting for elkjs, say) must not edit the REST copy, nor an edit
  // made between the hand-over and the render that shows the live doc.
  const route = useRef(current);
  route.current = current;
  const liveDispatch = useRef(live.editor.dispatch);
  liveDispatch.current = live.editor.dispatch;
  const tookOver = live.tookOver;
  const dispatch = useCallback<Editor["dispatch"]>(
    (action, options) => {
      (tookOver.current ? liveDispatch.current : route.current.dispatch)(action, options);
    },
    [tookOver],
  );
  const doUndo = useCallback(() => {
    route.current.undo();
  }, []);
  const doRedo = useCallback(() => {
    route.current.redo();
  }, []);
  const retrySave = useCallback(() => {
    route.current.retrySave();
  }, []);
  const routed = { dispatch, undo: doUndo, redo: doRedo, retrySave };
  if (live.active) {
    return { ...live.editor, ...routed };
  }
  return {
    ...rest,
    ...routed,
    canUndo: rest.history.past.length > 0,
    canRedo: rest.history.future.length > 0,
    origin: rest.history.origin,
    live: false,
    readOnly: false,
    provider: live.provider,
  };
}

type RestEditor = Pick<Editor, "history" | "doc" | "dispatch" | "undo" | "redo" | "save" | "retrySave">;

/**
 * The REST editor: a local undo history and debounced PUTs. Its edits stop while live; its saves stop
 * once the live doc is taking over (`suspended`), which takes the unsaved edits instead.
 */
function useRestEditor(
  client: ApiClient,
  designId: number,
  initial: DesignDocument,
  readOnly: boolean,
  suspended: boolean,
  handover: MutableRefObject<RestHandover>,
): RestEditor {
  const [history, send] = useReducer(reducer, initial, startHistory);
  const [save, setSave] = useState<SaveStatus>({ state: "saved", revision: null });
  // The last document the server accepted, and the one on its way there.
  const saved = useRef<DesignDocument>(initial);
  const inFlight = useRef<DesignDocument | null>(null);
  const putting = useRef<Promise<unknown> | null>(null);
  const latest = useRef<DesignDocument>(initial);
  latest.current = history.present;
  const timer = useRef<number | null>(null);
  const stopped = useRef(suspended);
  stopped.current = suspended;

  useEffect(() => {
    handover.current.settled = async () => {
      while (putting.current) {
        await putting.current.catch(() => undefined);
      }
    };
  }, [handover]);

  const flush = useCallback(async () => {
    if (timer.current !== null) {
      window.clearTimeout(timer.current);
      timer.current = null;
    }
    const doc = latest.current;
    if (readOnly || stopped.current || doc === saved.current || doc === inFlight.current) {
      return;
    }
    if (inFlight.current) {
      // One PUT at a time, so revisions land in order; the finished one schedules the next.
      return;
    }
    inFlight.current = doc;
    setSave({ state: "saving" });
    const request = client.putDocument(designId, doc);
    putting.current = request;
    try {
      const result = await request;
      saved.current = doc;
      handover.current.saved = doc;
      inFlight.current = null;
      putting.current = null;
      if (latest.current === doc) {
        setSave({ state: "saved", revision: result.revision });
      } else {
        void flush();
      }
    } catch (error) {
      inFlight.current = null;
      putting.current = null;
      const reason = error instanceof Error ? error.message : String(error);
      const path = error instanceof ApiError ? (error.problems[0]?.path ?? null) : null;
      setSave({ state: "error", reason, path });
    }
  }, [client, designId, readOnly, handover]);

  useEffect(() => {
    if (readOnly || suspended) {
      return;
    }
    if (history.present === saved.current) {
      // Undo then redo (or the like) came back to what the server has: nothing to send.
      if (timer.current !== null) {
        window.clearTimeout(timer.current);
        timer.current = null;
      }
      if (inFlight.current === null) {
        setSave((s) => (s.state === "saved" ? s : { state: "saved", revision: null }));
      }
      return;
    }
    if (inFlight.current === null) {
      setSave((s) => (s.state === "error" ? s : { state: "pending" }));
    }
    if (timer.current !== null) {
      window.clearTimeout(timer.current);
    }
    timer.current = window.setTimeout(() => void flush(), SAVE_DELAY_MS);
  }, [history.present, flush, readOnly, suspended]);

  useEffect(() => {
    // Leaving the page: send what is not saved yet, without waiting for the debounce. Not while the
    // live doc takes over: it takes these edits, and a PUT of them as well would be written into the
    // live state a second time by the server (beforeunload still asks the person to stay).
    const onHide = () => {
      const doc = latest.current;
      if (readOnly || stopped.current || doc === saved.current || doc === inFlight.current) {
        return;
      }
      void client.putDocument(designId, doc, "", true).then(
        () => {
          saved.current = doc;
        },
        () => undefined,
      );
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!readOnly && latest.current !== saved.current) {
        onHide();
        event.preventDefault();
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") {
        onHide();
      }
    };
    window.addEventListener("pagehide", onHide);
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("pagehide", onHide);
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [client, designId, readOnly]);

  const dispatch = useCallback(
    (action: (doc: DesignDocument) => DesignDocument, options: ApplyOptions = {}) => {
      if (!readOnly) {
        send({ type: "apply", action, options });
      }
    },
    [readOnly],
  );
  const doUndo = useCallback(() => {
    send({ type: "undo" });
  }, []);
  const doRedo = useCallback(() => {
    send({ type: "redo" });
  }, []);
  const retrySave = useCallback(() => void flush(), [flush]);

  return { history, doc: history.present, dispatch, undo: doUndo, redo: doRedo, save, retrySave };
}
