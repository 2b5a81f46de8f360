/**
 * Presence: who else has this design open, where their pointer is and what they selected.
 *
 * Each browser publishes its awareness state `{cursor, selection, editing}` (live/provider.ts sends
 * it). Names never come from that state: the server says which user is behind each awareness client
 * id (`presence.user` frames, from the socket's login), so a client cannot pose as someone else.
 */

import { useEffect, useState } from "react";

import type { XY } from "../model/ids";
import type { LiveProvider, PresenceUser } from "./provider";

export interface LocalPresence {
  /** The pointer on the canvas, in flow coordinates; null when it left the canvas. */
  cursor: XY | null;
  /** Ids of the selected objects. */
  selection: string[];
  /** The table whose details this person has open, if any. */
  editing: string | null;
}

export interface Peer extends LocalPresence {
  client: number;
  user: PresenceUser;
  color: string;
}

const COLORS = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#c2255c", "#5f3dc4"];

/** A stable colour for a user (the same in every browser). */
export function colorOf(userId: number): string {
  return COLORS[Math.abs(userId) % COLORS.length] ?? "#1971c2";
}

export function initials(name: string): string {
  const parts = name.split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? (parts[0]?.[0] ?? "") + (parts[1]?.[0] ?? "") : name.slice(0, 2);
  return letters.toUpperCase();
}

function peersOf(provider: LiveProvider): Peer[] {
  const peers: Peer[] = [];
  provider.awareness.getStates().forEach((state, client) => {
    const user = provider.users.get(client);
    if (client === provider.doc.clientID || !user) {
      return;
    }
    const s = state as Partial<LocalPresence>;
    peers.push({
      client,
      user,
      color: colorOf(user.id),
      cursor: s.cursor ?? null,
      selection: Array.isArray(s.selection) ? s.selection : [],
      editing: typeof s.editing === "string" ? s.editing : null,
    });
  });
  return peers.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.client - b.client);
}

/** The other people here, re-read whenever presence or the server's name list changes. */
export function usePeers(provider: LiveProvider | null): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    if (!provider) {
      setPeers([]);
      return;
    }
    const update = () => {
      setPeers(peersOf(provider));
    };
    update();
    provider.awareness.on("change", update);
    const off = provider.onUsers(update);
    return () => {
      provider.awareness.off("change", update);
      off();
    };
  }, [provider]);
  return peers;
}

/** Publish this browser's selection and edited table (merged into its awareness state). */
export function usePublishSelection(provider: LiveProvider | null, selection: string[], editing: string | null): void {
  useEffect(() => {
    if (!provider) {
      return;
    }
    const current = (provider.awareness.getLocalState() ?? {}) as Partial<LocalPresence>;
    provider.awareness.setLocalState({ cursor: current.cursor ?? null, ...current, selection, editing });
  }, [provider, selection, editing]);
}

/** Publish the pointer position (flow coordinates), at most every 50 ms. */
export function publishCursor(provider: LiveProvider, cursor: XY | null): void {
  const now = Date.now();
  const last = lastCursor.get(provider) ?? 0;
  if (cursor && now - last < 50) {
    return;
  }
  lastCursor.set(provider, now);
  provider.awareness.setLocalStateField("cursor", cursor);
}

const lastCursor = new WeakMap<LiveProvider, number>();
