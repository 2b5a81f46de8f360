/** Load a design's document from the API, with loading and error states and a retry. */

import { useCallback, useEffect, useState } from "react";

import type { ApiClient } from "../api";
import type { DesignDocument } from "../document";

export type DocumentState =
  | { status: "loading" }
  | { status: "ready"; doc: DesignDocument }
  | { status: "error"; error: Error };

export function useDocument(client: ApiClient, designId: number): { state: DocumentState; reload: () => void } {
  const [state, setState] = useState<DocumentState>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    client.getDocument(designId, controller.signal).then(
      (doc) => {
        setState({ status: "ready", doc });
      },
      (error: unknown) => {
        if (controller.signal.aborted) {
          return; // unmounted or superseded by a newer request: nothing to show
        }
        setState({ status: "error", error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => {
      controller.abort();
    };
  }, [client, designId, attempt]);

  const reload = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);

  return { state, reload };
}
