/** The editor: load the design's document, then hand it to the workspace (canvas, panels, saving). */

import { ReactFlowProvider } from "@xyflow/react";
import { useMemo } from "react";

import { ApiClient } from "../api";
import type { EditorConfig } from "../config";
import { useDocument } from "../hooks/useDocument";
import { Canvas } from "./Canvas";
import { SidePanel } from "./SidePanel";
import { Workspace } from "./Workspace";

export function EditorApp({ config }: { config: EditorConfig }) {
  const client = useMemo(() => new ApiClient(config.apiBase), [config.apiBase]);
  const { state, reload } = useDocument(client, config.designId);

  if (state.status === "ready") {
    return (
      <ReactFlowProvider>
        <Workspace config={config} client={client} initial={state.doc} />
      </ReactFlowProvider>
    );
  }
  // Loading or failed: the same frame, with the state in the canvas area.
  return (
    <div className="workspace workspace-waiting">
      <Canvas state={state} onRetry={reload} />
      <SidePanel.Waiting role={config.role} revision={config.revision} />
    </div>
  );
}
