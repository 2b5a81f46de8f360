/**
 * The main work area. Today a read-only grid of table cards; the canvas issue replaces the
 * grid with the ERD canvas and keeps the same props (document, selection, callbacks).
 */

import type { DesignDocument } from "../document";
import { plural } from "../format";
import type { DocumentState } from "../hooks/useDocument";
import { EmptyState, ErrorState, LoadingState } from "./States";
import { TableCard } from "./TableCard";

interface Props {
  state: DocumentState;
  canEdit: boolean;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onRetry: () => void;
}

export function Canvas({ state, canEdit, selectedId, onSelect, onRetry }: Props) {
  return (
    <main id="main" className="canvas" aria-label="Canvas" aria-busy={state.status === "loading"}>
      {state.status === "loading" && <LoadingState />}
      {state.status === "error" && <ErrorState error={state.error} onRetry={onRetry} />}
      {state.status === "ready" && (
        <TableGrid doc={state.doc} canEdit={canEdit} selectedId={selectedId} onSelect={onSelect} />
      )}
    </main>
  );
}

function TableGrid({
  doc,
  canEdit,
  selectedId,
  onSelect,
}: {
  doc: DesignDocument;
  canEdit: boolean;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}) {
  const tables = doc.tables ?? [];
  if (tables.length === 0) {
    return <EmptyState canEdit={canEdit} />;
  }
  return (
    <section className="table-grid-wrap" aria-labelledby="canvas-heading">
      <h2 className="canvas-heading" id="canvas-heading">
        {plural(tables.length, "table")}
        <span className="canvas-heading-extra">
          {" · "}
          {plural((doc.relationships ?? []).length, "relationship")}
        </span>
      </h2>
      <div className="table-grid">
        {tables.map((table) => (
          <TableCard
            key={table.id}
            table={table}
            doc={doc}
            selected={table.id === selectedId}
            onSelect={(id) => {
              onSelect(id === selectedId ? null : id);
            }}
          />
        ))}
      </div>
    </section>
  );
}
