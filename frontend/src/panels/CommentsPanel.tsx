/**
 * The Comments tab: review threads anchored to the design or to one of its objects by stable id.
 *
 * Threads come from `GET /api/designs/{id}/comments` and stay current through the design socket's
 * `comment.changed` frames (fetched whole again on reconnect and whenever the server has a newer
 * revision). An anchor's label is read from the document on screen, so it follows a rename at once;
 * a thread whose object was deleted is shown as outdated with the name it last had, never hidden.
 * Open threads are drawn on the canvas as the `comments` marker layer.
 */

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { Marker } from "../canvas/markers";
import { plural } from "../format";
import { onConnection, subscribe } from "../live/events";
import { useReviewState } from "../workflow/reviewState";
import { anchorsOf, applyChange, commentMarkers, isVisible, resolveAnchor, type AnchorKind, type Comment, type Thread } from "./comments";
import { CommentComposer } from "./CommentComposer";
import { CommentThread } from "./CommentThread";
import type { PanelProps } from "./types";
import "./comments.css";

interface Target {
  kind: AnchorKind;
  id: string;
  label: string;
}

const KIND_LABEL: Record<AnchorKind, string> = {
  design: "Design",
  table: "Table",
  column: "Column",
  relationship: "Relationship",
  index: "Index",
};

export function CommentsPanel({ doc, revision, client, config, active, markers, select, selectColumn, focus, selection }: PanelProps) {
  const [threads, setThreads] = useState<Thread[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [members, setMembers] = useState<string[]>([]);
  const [showResolved, setShowResolved] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  // The newest revision the document on screen is known to contain (`revision` drops back to the
  // page's first revision while edits are pending, so keep the highest one seen).
  const [base, setBase] = useState(revision);
  if (revision > base) {
    setBase(revision);
  }
  const listRef = useRef<HTMLDivElement>(null);
  const composerRef = useRef<HTMLDivElement>(null);
  const threadsRef = useRef(threads);
  threadsRef.current = threads;
  const canComment = config.role !== "viewer";
  const designId = config.designId;
  const review = useReviewState(client, designId, base);
  const serverRevision = review.review?.revision ?? null;
  const serverRevisionRef = useRef(serverRevision);
  serverRevisionRef.current = serverRevision;

  const load = useCallback(() => {
    const at = serverRevisionRef.current ?? 0;
    client
      .request<Thread[]>("GET", `/designs/${designId}/comments?include_resolved=true`)
      .then((list) => {
        setThreads(list);
        setFetchedAt((f) => Math.max(f, at));
        setLoadError(null);
      })
      .catch((e: unknown) => {
        setLoadError(e instanceof Error ? e.message : String(e));
      });
  }, [client, designId]);

  useEffect(() => {
    load();
    client
      .request<{ username: string }[]>("GET", `/designs/${designId}/members`)
      .then((list) => {
        setMembers(list.map((m) => m.username));
      })
      .catch(() => undefined); // no autocomplete, but comments still work
  }, [client, designId, load]);

  // Live: apply each change as it arrives; fetch everything again once (re)connected.
  useEffect(() => {
    const stopFrames = subscribe("comment.changed", (event) => {
      const comment = event.comment as Comment | undefined;
      const current = threadsRef.current;
      if (!comment || typeof comment.id !== "number" || !current) {
        return;
      }
      const next = applyChange(current, comment);
      if (next) {
        threadsRef.current = next;
        setThreads(next);
      } else {
        load();
      }
    });
    const stopConnection = onConnection((up) => {
      if (up) {
        load();
      }
    });
    // The server joins the socket to the design's group before it says hello: a fetch after the
    // hello cannot miss a change made while the socket was connecting.
    const stopHello = subscribe("hello", load);
    return () => {
      stopFrames();
      stopConnection();
      stopHello();
    };
  }, [load]);

  // Someone saved a newer revision: labels and outdated flags are the server's to tell again.
  useEffect(() => {
    if (serverRevision !== null && serverRevision > fetchedAt) {
      load();
    }
  }, [serverRevision, fetchedAt, load]);

  const anchors = useMemo(() => anchorsOf(doc), [doc]);
  const serverIsNewer = fetchedAt > base;

  // Every edit makes new anchors; only a change in the badges reaches the canvas.
  const lastLayer = useRef<string | null>(null);
  useEffect(() => {
    const layer = threads ? commentMarkers(threads, anchors, serverIsNewer) : new Map<string, Marker>();
    const key = JSON.stringify([...layer]);
    if (key !== lastLayer.current) {
      lastLayer.current = key;
      markers.setLayer("comments", layer);
    }
  }, [threads, anchors, markers, serverIsNewer]);

  // What a new comment can be about: the design, and the selection (a table, its column, its
  // indexes and relationships; or a relationship), plus whatever a badge or button asked for.
  const selectedIds = selection?.ids ?? [];
  const selectedOne = selectedIds.length === 1 ? (selectedIds[0] ?? null) : null;
  const selectedColumn = selection?.column ?? null;
  const focusId = focus?.objectId ?? null;
  const targets = useMemo(() => {
    const out: Target[] = [{ kind: "design", id: "", label: "the whole design" }];
    const add = (id: string | null) => {
      const a = id ? anchors.get(id) : undefined;
      if (id && a && !out.some((t) => t.id === id)) {
        out.push({ kind: a.kind, id, label: a.label });
      }
    };
    add(focusId);
    const one = selectedOne ? anchors.get(selectedOne) : undefined;
    if (selectedOne && one?.kind === "table") {
      add(selectedColumn);
      add(selectedOne);
      const table = doc.tables?.find((t) => t.id === selectedOne);
      for (const c of table?.columns ?? []) {
        add(c.id);
      }
      for (const i of table?.indexes ?? []) {
        add(i.id);
      }
      for (const r of doc.relationships ?? []) {
        if (r.from_table === selectedOne || r.to_table === selectedOne) {
          add(r.id);
        }
      }
    } else {
      add(selectedOne);
    }
    return out;
  }, [anchors, doc, focusId, selectedOne, selectedColumn]);

  // The selection changed: a new comment is about it (until the person picks something else).
  useEffect(() => {
    setChosen(null);
  }, [selectedOne, selectedColumn]);

  const fallback = selectedColumn ?? selectedOne ?? "";
  const target =
    targets.find((t) => t.id === chosen) ?? targets.find((t) => t.id === fallback) ?? targets[0] ?? { kind: "design", id: "", label: "" };

  // A badge (or a Comment button) asked for an object: show its threads, or start one on it.
  const handledFocus = useRef(0);
  useEffect(() => {
    if (!focus || !active || handledFocus.current === focus.seq) {
      return;
    }
    handledFocus.current = focus.seq;
    setChosen(focus.objectId);
    setHighlight(focus.objectId);
    const first = listRef.current?.querySelector<HTMLElement>(`[data-anchor-id="${CSS.escape(focus.objectId)}"]`);
    if (first) {
      first.scrollIntoView({ block: "nearest" });
      first.focus();
    } else {
      window.requestAnimationFrame(() => {
        composerRef.current?.scrollIntoView({ block: "nearest" });
        composerRef.current?.querySelector("textarea")?.focus();
      });
    }
  }, [focus, active]);

  const post = async (body: string) => {
    const created = await client.request<Comment>("POST", `/designs/${designId}/comments`, {
      body: { anchor_kind: target.kind, anchor_id: target.id, body },
    });
    setThreads((t) => (t ? applyChange(t, created) : t));
    if (target.kind !== "design") {
      setHighlight(target.id);
    }
  };

  const apply = useCallback((comment: Comment) => {
    setThreads((t) => (t ? (applyChange(t, comment) ?? t) : t));
  }, []);

  const show = useCallback(
    (kind: AnchorKind, id: string) => {
      const owner = markers.owner(id);
      if (kind === "column" && owner) {
        selectColumn(owner.table, id);
      } else if (kind === "table") {
        select([id], id);
      } else if (kind === "relationship") {
        select([id]);
      } else if (owner) {
        select([owner.table], owner.table);
      }
    },
    [markers, select, selectColumn],
  );

  const visible = (threads ?? []).filter(isVisible);
  const open = visible.filter((t) => !t.resolved_at);
  const resolvedCount = visible.length - open.length;
  const shown = showResolved ? visible : open;

  return (
    <section className="panel-section comments-panel" aria-labelledby="comments-title" hidden={!active}>
      <div className="panel-heading">
        <h2 className="panel-title" id="comments-title">
          Comments
        </h2>
        <label className="comments-toggle">
          <input
            type="checkbox"
            checked={showResolved}
            onChange={(event) => {
              setShowResolved(event.target.checked);
            }}
          />
          Show resolved{resolvedCount ? ` (${resolvedCount})` : ""}
        </label>
      </div>

      {canComment && (
        <div className="comment-new" ref={composerRef}>
          <label className="comment-target">
            <span>New comment on</span>
            <select
              className="field-input"
              value={target.id}
              onChange={(event) => {
                setChosen(event.target.value);
              }}
            >
              {targets.map((t) => (
                <option key={t.id || "design"} value={t.id}>
                  {t.kind === "design" ? "The whole design" : `${KIND_LABEL[t.kind]} ${t.label}`}
                </option>
              ))}
            </select>
          </label>
          <CommentComposer
            label={target.kind === "design" ? "Comment on the design" : `Comment on ${target.label}`}
            submitLabel="Comment"
            placeholder={target.kind === "design" ? "Ask a question or leave a note…" : `Say something about ${target.label}…`}
            members={members}
            onSubmit={post}
          />
        </div>
      )}

      <p className="panel-hint comments-status" role="status" aria-live="polite">
        {loadError
          ? `Comments could not be loaded: ${loadError}`
          : threads === null
            ? "Loading comments…"
            : open.length === 0
              ? resolvedCount
                ? `No open threads · ${resolvedCount} resolved`
                : "No comments yet."
              : `${plural(open.length, "open thread")}${resolvedCount ? ` · ${resolvedCount} resolved` : ""}`}
        {loadError && (
          <button type="button" className="button button-small" onClick={load}>
            Retry
          </button>
        )}
      </p>

      <div className="thread-list" ref={listRef} role="list" aria-label="Comment threads">
        {shown.map((t) => {
          const anchor = resolveAnchor(t, anchors, serverIsNewer);
          return (
            <CommentThread
              key={t.id}
              thread={t}
              label={anchor.label}
              kindLabel={KIND_LABEL[t.anchor.kind]}
              outdated={anchor.outdated}
              highlighted={t.anchor.kind !== "design" && t.anchor.id === highlight}
              client={client}
              designId={designId}
              user={config.user}
              canComment={canComment}
              isOwner={config.role === "owner"}
              members={members}
              onChange={apply}
              onShow={show}
            />
          );
        })}
      </div>
    </section>
  );
}
