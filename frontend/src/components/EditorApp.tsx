/** The editor workspace: tool strip, canvas and side panel around one loaded document. */

import { useMemo, useState } from "react";

import { ApiClient } from "../api";
import { canEdit, type EditorConfig } from "../config";
import { useDocument } from "../hooks/useDocument";
import { Canvas } from "./Canvas";
import { SidePanel } from "./SidePanel";
import { Toolbar } from "./Toolbar";

export function EditorApp({ config }: { config: EditorConfig }) {
  const client = useMemo(() => new ApiClient(config.apiBase), [config.apiBase]);
  const { state, reload } = useDocument(client, config.designId);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const editable = canEdit(config.role);

  const doc = state.status === "ready" ? state.doc : null;
  const selected = doc?.tables?.find((t) => t.id === selectedId) ?? null;

  return (
    <div className="workspace">
      <Toolbar canEdit={editable} />
      <Canvas state={state} canEdit={editable} selectedId={selectedId} onSelect={setSelectedId} onRetry={reload} />
      <SidePanel
        doc={doc}
        role={config.role}
        revision={config.revision}
        selected={selected}
        onClearSelection={() => {
          // Hand focus back to the card that was open, so keyboard users keep their place.
          if (selectedId) {
            document
              .querySelector<HTMLButtonElement>(`[data-table-id="${CSS.escape(selectedId)}"] .table-card-select`)
              ?.focus();
          }
          setSelectedId(null);
        }}
      />
    </div>
  );
}
