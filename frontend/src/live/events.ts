/**
 * Server events for the editor: the JSON text frames the design's websocket (`ws/designs/<id>/`)
 * sends — `job.progress`, `comment.changed`, `revision.saved`, `hello`, … (docs/collaboration.md).
 * Panels subscribe by type; whoever owns the socket publishes. One socket per open editor: the
 * live-editing provider publishes its text frames here; `connectEvents` is a plain socket for
 * pages that only listen.
 */

export interface ServerEvent {
  type: string;
  [key: string]: unknown;
}

type Handler = (event: ServerEvent) => void;

const handlers = new Map<string, Set<Handler>>();
const connectionListeners = new Set<(connected: boolean) => void>();
let connected = false;

/** Call `handler` for every server event of `type` ("*" for all); returns the unsubscribe. */
export function subscribe(type: string, handler: Handler): () => void {
  let set = handlers.get(type);
  if (!set) {
    set = new Set();
    handlers.set(type, set);
  }
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}

/** Hand one server event to its subscribers (called by the socket's owner). */
export function publish(event: ServerEvent): void {
  for (const key of [event.type, "*"]) {
    for (const handler of handlers.get(key) ?? []) {
      handler(event);
    }
  }
}

/** Whether the socket is up now; panels poll as a fallback while it is not. */
export function isConnected(): boolean {
  return connected;
}

/** Be told when the socket connects or drops; returns the unsubscribe. */
export function onConnection(listener: (connected: boolean) => void): () => void {
  connectionListeners.add(listener);
  return () => {
    connectionListeners.delete(listener);
  };
}

/** Record the socket's state (called by the socket's owner). */
export function setConnected(value: boolean): void {
  if (value !== connected) {
    connected = value;
    for (const listener of connectionListeners) {
      listener(value);
    }
  }
}

/** Parse a text frame and publish it; frames that are not JSON objects with a type are ignored. */
export function publishFrame(data: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return;
  }
  if (parsed && typeof parsed === "object" && typeof (parsed as { type?: unknown }).type === "string") {
    publish(parsed as ServerEvent);
  }
}

/** The websocket URL of a design, on the page's own host. */
export function socketUrl(designId: number): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/ws/designs/${designId}/`;
}

/**
 * A listen-only connection to the design's socket that publishes its text frames, reconnecting
 * with backoff (1 s doubling to 30 s). Binary (Yjs) frames are ignored. Returns the disconnect.
 */
export function connectEvents(designId: number): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let delay = 1000;
  let timer: number | undefined;
  const open = () => {
    socket = new WebSocket(socketUrl(designId));
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      delay = 1000;
      setConnected(true);
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data === "string") {
        publishFrame(message.data);
      }
    };
    socket.onclose = () => {
      setConnected(false);
      if (!stopped) {
        timer = window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    socket?.close();
    setConnected(false);
  };
}
