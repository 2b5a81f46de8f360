/** The Preview tab: the Mermaid text rendered by the pinned Mermaid release, loaded only when shown. */

import { useEffect, useRef, useState } from "react";

let counter = 0;

export function MermaidPreview({ text, dark }: { text: string; dark: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ status: "loading" | "ready" | "error"; message?: string }>({ status: "loading" });

  useEffect(() => {
    let cancelled = false;
    const timer = window.setTimeout(() => {
      void (async () => {
        try {
          const { default: mermaid } = await import("mermaid");
          // strict: no scripts, no click handlers, and labels are sanitised.
          mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
          counter += 1;
          const { svg } = await mermaid.render(`mermaid-preview-${counter}`, text);
          if (!cancelled && box.current) {
            box.current.innerHTML = svg;
            setState({ status: "ready" });
          }
        } catch (error) {
          if (!cancelled) {
            setState({ status: "error", message: error instanceof Error ? error.message : String(error) });
          }
        }
      })();
    }, 150);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [text, dark]);

  return (
    <div className="mermaid-preview" aria-busy={state.status === "loading"}>
      {state.status === "loading" && (
        <p className="panel-hint" role="status">
          Rendering with Mermaid…
        </p>
      )}
      {state.status === "error" && (
        <p className="text-error" role="alert">
          Mermaid could not render this text: {state.message}
        </p>
      )}
      <div ref={box} className="mermaid-svg" role="img" aria-label="Mermaid rendering of the design" />
    </div>
  );
}
