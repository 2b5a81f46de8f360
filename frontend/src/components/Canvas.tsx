/** The canvas area while the document loads or when it could not be loaded. */

import type { DocumentState } from "../hooks/useDocument";
import { ErrorState, LoadingState } from "./States";

export function Canvas({ state, onRetry }: { state: DocumentState; onRetry: () => void }) {
  return (
    <main id="main" className="canvas" aria-label="Canvas" aria-busy={state.status === "loading"}>
      {state.status === "loading" && <LoadingState />}
      {state.status === "error" && <ErrorState error={state.error} onRetry={onRetry} />}
    </main>
  );
}
