/**
 * Presence on screen: avatars of the people here (toolbar), and on the canvas their pointers and
 * the objects they selected, outlined in their colour with "editing <table>" when they have a
 * table's details open. Names come from the server (live/presence.ts).
 */

import { useStore, ViewportPortal, useReactFlow, type ReactFlowState } from "@xyflow/react";
import { useEffect } from "react";

import type { DesignDocument } from "../document";
import type { LiveProvider } from "./provider";
import { initials, publishCursor, type Peer } from "./presence";
import "./presence.css";

function tableName(doc: DesignDocument, id: string | null): string | null {
  if (!id) {
    return null;
  }
  return (doc.tables ?? []).find((t) => t.id === id)?.name ?? null;
}

/** The avatars in the toolbar: one per person here (several tabs of one person show once). */
export function PresenceAvatars({ peers, doc }: { peers: Peer[]; doc: DesignDocument }) {
  const people = new Map<number, Peer>();
  for (const peer of peers) {
    if (!people.has(peer.user.id) || peer.editing) {
      people.set(peer.user.id, peer);
    }
  }
  if (people.size === 0) {
    return null;
  }
  return (
    <ul className="presence-avatars" aria-label="People here">
      {[...people.values()].map((peer) => {
        const editing = tableName(doc, peer.editing);
        const label = editing ? `${peer.user.name} — editing ${editing}` : peer.user.name;
        return (
          <li key={peer.user.id} className="presence-avatar" style={{ background: peer.color }} title={label} aria-label={label}>
            {initials(peer.user.name)}
          </li>
        );
      })}
    </ul>
  );
}

const boxesOf = (ids: string[]) => (s: ReactFlowState) =>
  ids.map((id) => {
    const node = s.nodeLookup.get(id);
    if (!node) {
      return null;
    }
    const { x, y } = node.internals.positionAbsolute;
    return `${id}:${x}:${y}:${node.measured.width ?? 0}:${node.measured.height ?? 0}`;
  });

function PeerSelection({ peer, doc }: { peer: Peer; doc: DesignDocument }) {
  // A string per box, so the overlay re-renders only when a selected node moves or resizes.
  const boxes = useStore(
    boxesOf(peer.selection),
    (a, b) => a.length === b.length && a.every((v, i) => v === b[i]),
  );
  const editing = tableName(doc, peer.editing);
  return (
    <>
      {boxes.map((box, i) => {
        if (!box) {
          return null;
        }
        const parts = box.split(":");
        const [x, y, w, h] = parts.slice(-4).map(Number) as [number, number, number, number];
        const id = parts.slice(0, -4).join(":");
        const label = i === 0 ? (editing && peer.editing === id ? `${peer.user.name} · editing ${editing}` : peer.user.name) : null;
        return (
          <div
            key={id}
            className="presence-selection"
            style={{ transform: `translate(${x - 4}px, ${y - 4}px)`, width: w + 8, height: h + 8, borderColor: peer.color }}
          >
            {label && (
              <span className="presence-label" style={{ background: peer.color }}>
                {label}
              </span>
            )}
          </div>
        );
      })}
    </>
  );
}

/** Other people's pointers and selections, drawn in flow coordinates inside React Flow. */
export function PresenceLayer({ peers, doc, provider }: { peers: Peer[]; doc: DesignDocument; provider: LiveProvider | null }) {
  const flow = useReactFlow();
  useEffect(() => {
    const pane = document.querySelector<HTMLElement>(".erd-canvas");
    if (!provider || !pane) {
      return;
    }
    const onMove = (event: PointerEvent) => {
      publishCursor(provider, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    };
    const onLeave = () => {
      publishCursor(provider, null);
    };
    pane.addEventListener("pointermove", onMove);
    pane.addEventListener("pointerleave", onLeave);
    return () => {
      pane.removeEventListener("pointermove", onMove);
      pane.removeEventListener("pointerleave", onLeave);
    };
  }, [provider, flow]);
  return (
    <ViewportPortal>
      {peers.map((peer) => (
        <PeerSelection key={`s${peer.client}`} peer={peer} doc={doc} />
      ))}
      {peers.map(
        (peer) =>
          peer.cursor && (
            <div
              key={`c${peer.client}`}
              className="presence-cursor"
              style={{ transform: `translate(${peer.cursor.x}px, ${peer.cursor.y}px)`, color: peer.color }}
              aria-hidden="true"
            >
              <svg width="18" height="18" viewBox="0 0 18 18">
                <path d="M1 1 L1 15 L5 11 L8 17 L10.5 16 L7.5 10 L13 10 Z" fill="currentColor" stroke="#fff" strokeWidth="1.2" />
              </svg>
              <span className="presence-cursor-name" style={{ background: peer.color }}>
                {peer.user.name}
              </span>
            </div>
          ),
      )}
    </ViewportPortal>
  );
}
