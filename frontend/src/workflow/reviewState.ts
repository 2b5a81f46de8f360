/**
 * The design's review workflow state (`GET /api/designs/{id}/review-state`), shared by the toolbar's
 * status chip and the Comments tab (which reads the server's current revision from it).
 *
 * The server announces every change of it on the design socket as a `review.changed` frame (a
 * workflow step, or a new revision, which moves the current revision and can make decisions stale),
 * and the state is fetched again when one arrives, when the socket (re)connects, and when this editor
 * saves. Only while the socket is down is it polled instead, every few seconds while the page is
 * visible. One fetch serves every subscriber.
 */

import { useEffect, useSyncExternalStore } from "react";

import type { ApiClient } from "../api";
import { isConnected, onConnection, subscribe as subscribeEvents } from "../live/events";

export type ReviewStateName = "draft" | "in_review" | "changes_requested" | "approved";

export interface Decision {
  reviewer: string;
  decision: "approved" | "changes_requested";
  /** The revision the reviewer saw. */
  revision: number;
  /** The design changed after this decision. */
  stale: boolean;
  note: string;
  created_at: string;
}

export interface ReviewState {
  state: ReviewStateName;
  cycle: number;
  /** The design's current revision on the server. */
  revision: number;
  /** Approved, but edited since every approval. */
  stale: boolean;
  submitted_by: string | null;
  approvals: Decision[];
}

export type ReviewAction = "submit" | "approve" | "request-changes" | "withdraw";

/** How often the state is polled while the design socket is down (it is announced while it is up). */
export const POLL_MS = 5000;

interface Snapshot {
  review: ReviewState | null;
  error: string | null;
}

/** One store per design id; an editor page has one design, so this is usually a single entry. */
class ReviewStateStore {
  snapshot: Snapshot = { review: null, error: null };
  private listeners = new Set<() => void>();
  private users = 0;
  private timer: number | undefined;
  private stops: (() => void)[] = [];
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly client: ApiClient,
    private readonly designId: number,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Keep the state current for one more user; returns the release. */
  use(): () => void {
    this.users += 1;
    if (this.users === 1) {
      this.stops = [
        subscribeEvents("review.changed", () => void this.refresh()),
        // The server joins the socket to the design's group before its hello: a fetch after the
        // hello cannot miss a change announced while the socket was connecting.
        subscribeEvents("hello", () => void this.refresh()),
        onConnection((up) => {
          if (up) {
            void this.refresh();
          }
        }),
      ];
      this.timer = window.setInterval(() => {
        if (!isConnected() && document.visibilityState === "visible") {
          void this.refresh();
        }
      }, POLL_MS);
      void this.refresh();
    }
    return () => {
      this.users -= 1;
      if (this.users === 0) {
        window.clearInterval(this.timer);
        for (const stop of this.stops) {
          stop();
        }
        this.stops = [];
      }
    };
  }

  /** Fetch the state now (a fetch already running is followed by one more, never run twice at once). */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.client
      .request<ReviewState>("GET", `/designs/${this.designId}/review-state`)
      .then((review) => {
        this.set({ review, error: null });
      })
      .catch((e: unknown) => {
        this.set({ review: this.snapshot.review, error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => {
        this.inFlight = null;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.inFlight;
  }

  /** Run one workflow step; the answer is the new state. Throws the API's error (409, 403 …). */
  async act(action: ReviewAction, note = ""): Promise<void> {
    const body = action === "approve" || action === "request-changes" ? { note } : undefined;
    const review = await this.client.request<ReviewState>("POST", `/designs/${this.designId}/review-state/${action}`, { body });
    this.set({ review, error: null });
  }

  private set(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) {
      listener();
    }
  }
}

const stores = new Map<string, ReviewStateStore>();

function storeFor(client: ApiClient, designId: number): ReviewStateStore {
  const key = `${client.base}|${designId}`;
  let store = stores.get(key);
  if (!store) {
    store = new ReviewStateStore(client, designId);
    stores.set(key, store);
  }
  return store;
}

export interface ReviewStateHandle extends Snapshot {
  refresh: () => Promise<void>;
  act: (action: ReviewAction, note?: string) => Promise<void>;
}

/**
 * The design's review state, kept current. `localRevision` is the revision this editor saved last:
 * when it changes the state is fetched again (an edit makes approvals stale).
 */
export function useReviewState(client: ApiClient, designId: number, localRevision: number | null): ReviewStateHandle {
  const store = storeFor(client, designId);
  useEffect(() => store.use(), [store]);
  useEffect(() => {
    if (localRevision !== null) {
      void store.refresh();
    }
  }, [store, localRevision]);
  const snapshot = useSyncExternalStore(store.subscribe, () => store.snapshot);
  return {
    ...snapshot,
    refresh: () => store.refresh(),
    act: (action, note) => store.act(action, note),
  };
}

export const STATE_LABEL: Record<ReviewStateName, string> = {
  draft: "Draft",
  in_review: "In review",
  changes_requested: "Changes requested",
  approved: "Approved",
};
