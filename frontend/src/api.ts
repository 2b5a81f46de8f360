/**
 * A small typed client for DB Studio's JSON API (/api, see /api/docs).
 *
 * The browser authenticates with its Django session cookie. Django checks CSRF on every
 * write, so writes send the `csrftoken` cookie back as the `X-CSRFToken` header.
 *
 * Every error the API returns is JSON: `{"detail": "message"}`, or for invalid input
 * (status 422) `{"detail": [{"path": "tables[2].name", "message": "..."}]}`. Both become an
 * `ApiError`; network failures become a `NetworkError`, so the UI can tell them apart.
 */

import type { DesignDocument } from "./document";

/** One problem in a 422 response, with the JSON path of the value at fault. */
export interface Problem {
  path: string;
  message: string;
  /** Text parse errors also say where (1-based) and may give a hint. */
  line?: number;
  column?: number;
  hint?: string | null;
}

/** The server answered with an error status. */
export class ApiError extends Error {
  readonly status: number;
  /** Every problem for a 422; empty otherwise. */
  readonly problems: Problem[];

  constructor(status: number, message: string, problems: Problem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
  }

  /** True when the session has expired or the user is not logged in. */
  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

/** The request never got an answer (offline, server down, CORS, aborted). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NetworkError";
  }
}

/** The design as `GET /designs/{id}` describes it (designs/schemas.py DesignOut). */
export interface DesignInfo {
  id: number;
  slug: string;
  name: string;
  description: string;
  owner: string;
  role: DesignRole;
  revision: number;
  url: string;
  created_at: string;
  updated_at: string;
}

export type DesignRole = "owner" | "editor" | "commenter" | "viewer";

/** What `PUT /designs/{id}/document` answers. */
export interface DocumentSaved {
  revision: number;
  warnings: string[];
}

/** Read a cookie by name; Django's CSRF cookie is `csrftoken` unless settings change it. */
export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return null;
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).path === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** Turn an error response into an ApiError, whatever its body looks like. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML error page, say): fall back to the status text below.
  }
  const detail = typeof body === "object" && body !== null ? (body as Record<string, unknown>).detail : undefined;
  if (Array.isArray(detail)) {
    const problems = detail.filter(isProblem);
    const first = problems[0];
    const summary = first
      ? `${first.path ? `${first.path}: ` : ""}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`
      : "The request was not valid.";
    return new ApiError(response.status, summary, problems);
  }
  if (typeof detail === "string" && detail) {
    return new ApiError(response.status, detail);
  }
  const text = response.statusText || "Request failed";
  return new ApiError(response.status, `${text} (HTTP ${response.status})`);
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Let the request outlive the page (sent while the user leaves). */
  keepalive?: boolean;
}

/** A client bound to one API base URL, e.g. "/api". */
export class ApiClient {
  readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/+$/, "");
  }

  /** Send a request and parse its JSON answer; throws ApiError or NetworkError. */
  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (method !== "GET") {
      const csrf = readCookie("csrftoken");
      if (csrf) {
        headers["X-CSRFToken"] = csrf;
      }
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body,
        credentials: "same-origin",
        signal: options.signal,
        keepalive: options.keepalive ?? false,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") {
        throw error;
      }
      throw new NetworkError("Could not reach the DB Studio server. Check your connection and try again.", {
        cause: error,
      });
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    if (response.status === 204) {
      return undefined as T;
    }
    return (await response.json()) as T;
  }

  getDesign(designId: number, signal?: AbortSignal): Promise<DesignInfo> {
    return this.request<DesignInfo>("GET", `/designs/${designId}`, { signal });
  }

  getDocument(designId: number, signal?: AbortSignal): Promise<DesignDocument> {
    return this.request<DesignDocument>("GET", `/designs/${designId}/document`, { signal });
  }

  putDocument(designId: number, doc: DesignDocument, message = "", keepalive = false): Promise<DocumentSaved> {
    return this.request<DocumentSaved>("PUT", `/designs/${designId}/document`, {
      body: doc,
      headers: message ? { "X-Revision-Message": message } : {},
      keepalive,
    });
  }

  /**
   * Print a document as text with the compiler's printer (the Mermaid panel's content). Mermaid
   * without `details` leaves out the `%% @dbstudio` lines; parse it back with the document as `base`.
   * With `canonical`, the answer also holds the document as the server stores it (a parse's form).
   */
  printText(
    doc: DesignDocument,
    format = "mermaid",
    signal?: AbortSignal,
    details = true,
    canonical = false,
  ): Promise<{ text: string; warnings: string[]; document?: DesignDocument | null }> {
    return this.request("POST", "/text/print", { body: { format, document: doc, details, canonical }, signal });
  }

  /**
   * Parse text into a document; a syntax error is an ApiError 422 whose problems carry line and column.
   * With a `base`, plain Mermaid keeps what it does not state (ids, defaults, indexes, ...) from it.
   */
  parseText(
    text: string,
    format = "mermaid",
    signal?: AbortSignal,
    base?: DesignDocument,
  ): Promise<{ document: DesignDocument; warnings: string[] }> {
    return this.request("POST", "/text/parse", { body: { format, text, ...(base ? { base } : {}) }, signal });
  }

  /** An export as JSON: `{to, filename, text, warnings}`. */
  exportText(designId: number, to: string): Promise<{ to: string; filename: string; text: string; warnings: string[] }> {
    return this.request("GET", `/designs/${designId}/export?to=${encodeURIComponent(to)}`);
  }
}
