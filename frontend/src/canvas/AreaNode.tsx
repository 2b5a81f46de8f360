/** An area: a labelled box behind tables that groups them (by schema or name prefix). Drag it by its label. */

import { NodeResizer, type NodeProps } from "@xyflow/react";
import { memo } from "react";

import { useCanvasActions } from "./context";
import type { AreaNode, NoteNode } from "./flow";
import { areaLabelSize } from "./layout";

function AreaNodeView({ data, selected }: NodeProps<AreaNode>) {
  const { area } = data;
  // A big area gets a big label, so a large design still reads as a map when zoomed out.
  const labelSize = areaLabelSize(area.size?.width ?? 240);
  const actions = useCanvasActions();
  return (
    <div
      className={`erd-area${selected ? " is-selected" : ""}`}
      style={area.color ? ({ "--area-color": area.color } as React.CSSProperties) : undefined}
      data-area-id={area.id}
    >
      <NodeResizer isVisible={selected && actions.canEdit} minWidth={120} minHeight={80} lineClassName="erd-resize-line" />
      <button
        type="button"
        className="area-label"
        style={{ fontSize: `${labelSize}px` }}
        title="Drag to move the area; click to select it and the tables inside"
        onClick={() => {
          actions.selectArea(area.id);
        }}
      >
        {area.name}
      </button>
    </div>
  );
}

export const AreaNodeComponent = memo(AreaNodeView);

function NoteNodeView({ data, selected }: NodeProps<NoteNode>) {
  const { note } = data;
  const actions = useCanvasActions();
  return (
    <div className={`erd-note${selected ? " is-selected" : ""}`} data-note-id={note.id}>
      <NodeResizer isVisible={selected && actions.canEdit} minWidth={120} minHeight={60} lineClassName="erd-resize-line" />
      {selected && actions.canEdit ? (
        <textarea
          className="note-text nodrag nowheel"
          aria-label="Note text"
          defaultValue={note.text}
          onBlur={(event) => {
            if (event.target.value !== note.text) {
              actions.updateNoteText(note.id, event.target.value);
            }
          }}
          onKeyDown={(event) => {
            event.stopPropagation();
          }}
        />
      ) : (
        <p className="note-text">{note.text}</p>
      )}
    </div>
  );
}

export const NoteNodeComponent = memo(NoteNodeView);
