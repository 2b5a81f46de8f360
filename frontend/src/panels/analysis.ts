/** Asking the server about the design from a panel (review, index strategy): later, abortable, with its state. */

/**
 * After `delay` ms, sets running and calls `request`; its answer goes to `onResult` (clearing the
 * error), a failure to `setError`. Returns the effect's cleanup: the timer is cleared and the
 * request aborted, and an aborted request touches no state.
 */
export function analyseLater<T>(
  delay: number,
  request: (signal: AbortSignal) => Promise<T>,
  state: {
    onStart?: () => void;
    onResult: (result: T) => void;
    setError: (error: string | null) => void;
    setRunning: (running: boolean) => void;
  },
): () => void {
  const abort = new AbortController();
  const timer = window.setTimeout(() => {
    state.onStart?.();
    state.setRunning(true);
    request(abort.signal)
      .then((result) => {
        state.onResult(result);
        state.setError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) {
          state.setError(e instanceof Error ? e.message : String(e));
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) {
          state.setRunning(false);
        }
      });
  }, delay);
  return () => {
    window.clearTimeout(timer);
    abort.abort();
  };
}
