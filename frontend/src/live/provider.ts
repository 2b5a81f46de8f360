/**
 * The live-editing connection: one websocket per editor to `ws/designs/<id>/`, speaking the
 * y-websocket protocol (sync + awareness, from y-protocols) in binary frames and the server's JSON
 * control messages in text frames (docs/collaboration.md).
 *
 * Why not y-websocket's WebsocketProvider: the same socket carries JSON text frames (hello, templates,
 * revision.saved, job.progress, comment.changed, …) that it would try to decode as binary, and it has
 * no way to tell when the server has stored our edits. Here, after local edits pause, the provider
 * sends `{"type": "save", "request": n}`; the server handles a socket's messages in order, so its
 * answer (`revision.saved` / `revision.unchanged` / `document.invalid` carrying `request: n`) also
 * says every edit sent before it was stored. Only that answer confirms: `revision.saved` goes to
 * everyone on the design, and someone else's revision says nothing about our edits. Text frames are published to `live/events.ts` for the other panels.
 *
 * Reconnects with backoff (0.5 s doubling to 10 s; at once when the browser comes back online).
 * Edits made offline stay in the Y.Doc and go out in the sync handshake of the next connection.
 */

import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

import { publishFrame, setConnected, socketUrl } from "./events";
import type { Templates } from "./binding";

const MESSAGE_SYNC = 0;
/** A quiet socket is probed (sync step 1, which the server always answers) this often... */
const PROBE_MS = 20000;
/** ...and closed (then reopened) when nothing at all came back for this long: a silent network drop. */
const DEAD_MS = 45000;
const MESSAGE_AWARENESS = 1;
/** Local edits are confirmed (and a revision asked for) this long after the last one. */
export const CONFIRM_DELAY_MS = 600;

export interface PresenceUser {
  id: number;
  username: string;
  name: string;
}

export interface LiveState {
  connected: boolean;
  /** The first sync with the server finished (at least once since the page opened). */
  ready: boolean;
  /** Local edits the server has not confirmed yet. */
  unconfirmed: boolean;
  /** A confirmation (save request) is on its way. */
  confirming: boolean;
  readOnly: boolean;
  role: string | null;
  /** The server's last `document.invalid` problem, cleared by the next good save. */
  invalid: { message: string; path: string | null } | null;
  revision: number | null;
}

type Listener = (state: LiveState) => void;

export class LiveProvider {
  readonly awareness: awarenessProtocol.Awareness;
  templates: Templates | null = null;
  /** Awareness client id → the user the server says is behind it. */
  readonly users = new Map<number, PresenceUser>();
  state: LiveState = {
    connected: false,
    ready: false,
    unconfirmed: false,
    confirming: false,
    readOnly: false,
    role: null,
    invalid: null,
    revision: null,
  };

  private socket: WebSocket | null = null;
  private stopped = false;
  private delay = 500;
  private retryTimer: number | undefined;
  private confirmTimer: number | undefined;
  private synced = false;
  private lastHeard = 0;
  private probeTimer: number | undefined;
  private editedSinceSave = false;
  /** The number of the last save request sent, and of the one whose answer is awaited (if any). */
  private saveRequests = 0;
  private awaiting: number | null = null;
  private listeners = new Set<Listener>();
  /** Sync step 1s sent on this socket, step 2 answers read from it (answered in order). */
  private step1Sent = 0;
  private step2Read = 0;
  /** resync() callers, each waiting for the answer to the step 1 numbered `at`. */
  private resyncs: { at: number; resolve: () => void }[] = [];
  private userListeners = new Set<() => void>();

  constructor(
    private readonly designId: number,
    readonly doc: Y.Doc,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.open();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  onUsers(listener: () => void): () => void {
    this.userListeners.add(listener);
    return () => {
      this.userListeners.delete(listener);
    };
  }

  private set(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) {
      listener(this.state);
    }
  }

  destroy(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.confirmTimer);
    window.clearInterval(this.probeTimer);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "destroy");
    this.awareness.destroy();
    this.socket?.close();
    this.socket = null;
    setConnected(false);
  }

  /** Ask the server to save a revision now (also confirms every edit sent before it). */
  save(message = "Live edit"): void {
    window.clearTimeout(this.confirmTimer);
    const request = ++this.saveRequests;
    if (!this.sendText({ type: "save", message, request })) {
      return;
    }
    this.awaiting = request;
    this.editedSinceSave = false;
    this.set({ confirming: true });
  }

  private sendText(data: object): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.socket.send(JSON.stringify(data));
    return true;
  }

  private sendBinary(data: Uint8Array): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(data);
    }
  }

  private open = (): void => {
    if (this.stopped) {
      return;
    }
    const socket = new WebSocket(socketUrl(this.designId));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      this.delay = 500;
      this.synced = false;
      this.lastHeard = Date.now();
      window.clearInterval(this.probeTimer);
      this.probeTimer = window.setInterval(this.probe, PROBE_MS);
      setConnected(true);
      this.set({ connected: true });
      // Our state vector (the server answers with what we lack), then who is behind each cursor.
      // A new socket's server side loads the stored state afresh: its answer serves every resync().
      this.step1Sent = 0;
      this.step2Read = 0;
      this.sendStep1();
      for (const waiter of this.resyncs) {
        waiter.at = 1;
      }
      if (!this.templates) {
        this.sendText({ type: "templates" });
      }
      this.sendText({ type: "presence.subscribe" });
      if (this.awareness.getLocalState() !== null) {
        this.sendAwareness([this.doc.clientID]);
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (socket !== this.socket) {
        return;
      }
      this.lastHeard = Date.now();
      if (typeof event.data === "string") {
        this.onText(event.data);
      } else {
        this.onBinary(new Uint8Array(event.data as ArrayBuffer));
      }
    };
    socket.onclose = () => {
      this.lost(socket);
    };
  };

  /** The socket is gone (closed, or given up on): forget it, clear others' presence, reconnect. */
  private lost(socket: WebSocket): void {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    window.clearInterval(this.probeTimer);
    setConnected(false);
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, "connection");
    this.users.clear();
    this.notifyUsers();
    this.awaiting = null;
    this.set({ connected: false, confirming: false, unconfirmed: this.state.unconfirmed || this.editedSinceSave });
    if (!this.stopped) {
      this.retryTimer = window.setTimeout(this.open, this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    }
    // A close on a dead network can take long to finish; nothing more is read from this socket.
    socket.close();
  }

  /** Give up on the current socket now, without waiting for its closing handshake. */
  private drop(): void {
    if (this.socket) {
      this.lost(this.socket);
    }
  }

  private probe = (): void => {
    if (Date.now() - this.lastHeard > DEAD_MS) {
      this.drop();
      return;
    }
    this.sendStep1();
  };

  private sendStep1(): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.sendBinary(encoding.toUint8Array(encoder));
    this.step1Sent += 1;
  }

  /**
   * Ask the server for everything stored that this doc lacks, read from the database rather than
   * from the socket's copy there; resolves once that answer is applied. For a change the client
   * knows is stored (its own REST save) but whose relay may not have reached this socket yet.
   */
  resync(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket?.readyState === WebSocket.OPEN) {
        this.sendText({ type: "sync.fresh" });
        this.sendStep1();
        this.resyncs.push({ at: this.step1Sent, resolve });
      } else {
        this.resyncs.push({ at: 1, resolve }); // the next connection's first sync answers it
      }
    });
  }

  private onOnline = (): void => {
    if (!this.socket && !this.stopped) {
      window.clearTimeout(this.retryTimer);
      this.delay = 500;
      this.open();
    }
  };

  private onOffline = (): void => {
    // The browser knows the network is gone: do not wait for the socket to time out.
    this.drop();
  };

  private onText(data: string): void {
    publishFrame(data);
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (message.type) {
      case "hello":
      case "role.changed": // an owner changed this member's role: a demotion makes the editor read-only at once
        this.set({ role: String(message.role), readOnly: message.read_only === true });
        break;
      case "read_only":
        this.set({ readOnly: true });
        break;
      case "templates":
        this.templates = message.templates as Templates;
        this.checkReady();
        break;
      case "presence.user": {
        const user = message.user as PresenceUser;
        for (const client of message.clients as number[]) {
          this.users.set(client, user);
        }
        this.notifyUsers();
        break;
      }
      case "revision.saved":
      case "revision.unchanged":
        if (this.state.confirming && message.request === this.awaiting) {
          this.awaiting = null;
          this.set({
            confirming: false,
            unconfirmed: this.editedSinceSave,
            invalid: null,
            revision: typeof message.revision === "number" ? message.revision : this.state.revision,
          });
        } else if (typeof message.revision === "number") {
          this.set({ revision: message.revision });
        }
        break;
      case "document.invalid": {
        if (message.request !== undefined && message.request !== this.awaiting) {
          break; // the answer to an earlier save: the awaited one answers for the same edits and more
        }
        this.awaiting = null;
        const problems = (message.problems as { path?: string; message?: string }[] | undefined) ?? [];
        const first = problems[0];
        this.set({
          confirming: false,
          unconfirmed: this.editedSinceSave,
          invalid: { message: first?.message ?? "the document is not valid", path: first?.path ?? null },
        });
        break;
      }
    }
  }

  private onBinary(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    const encoder = encoding.createEncoder();
    const kind = decoding.readVarUint(decoder);
    if (kind === MESSAGE_SYNC) {
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (encoding.length(encoder) > 1) {
        // Our answer to the server's step 1: every edit it lacks (offline edits included).
        this.sendBinary(encoding.toUint8Array(encoder));
        if (this.state.unconfirmed || this.editedSinceSave) {
          this.scheduleConfirm();
        }
      }
      if (step === syncProtocol.messageYjsSyncStep2) {
        this.step2Read += 1;
        const answered = this.resyncs.filter((w) => w.at <= this.step2Read);
        this.resyncs = this.resyncs.filter((w) => w.at > this.step2Read);
        for (const waiter of answered) {
          waiter.resolve();
        }
      }
      if (step === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true;
        this.checkReady();
      }
    } else if (kind === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    }
  }

  private checkReady(): void {
    if (this.synced && this.templates && !this.state.ready) {
      this.set({ ready: true });
    }
  }

  private notifyUsers(): void {
    for (const listener of this.userListeners) {
      listener();
    }
  }

  private scheduleConfirm(): void {
    window.clearTimeout(this.confirmTimer);
    this.confirmTimer = window.setTimeout(() => {
      this.save();
    }, CONFIRM_DELAY_MS);
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) {
      return; // from the server
    }
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.sendBinary(encoding.toUint8Array(encoder));
    this.editedSinceSave = true;
    if (!this.state.unconfirmed) {
      this.set({ unconfirmed: true });
    }
    this.scheduleConfirm();
  };

  private sendAwareness(clients: number[]): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    this.sendBinary(encoding.toUint8Array(encoder));
  }

  private onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this) {
      // Someone new: tell them about us (the server keeps no presence to hand to newcomers).
      if (added.length && this.awareness.getLocalState() !== null) {
        this.sendAwareness([this.doc.clientID]);
      }
      return;
    }
    const mine = [...added, ...updated, ...removed].filter((id) => id === this.doc.clientID);
    if (mine.length) {
      this.sendAwareness(mine);
    }
  };
}
